// Settings › Keys: the age keys that decrypt encrypted backups. Generate and import put the secret
// straight into this machine's secret store (the OS keychain or the credentials file); nothing here ever shows a secret, and there is no export
// in the browser — an offline copy is made on the host (holdfast key export, or the desktop app).
import { useEffect, useState } from 'react';
import { Badge, ErrorNotice, Field, Notice, Spinner } from '../components/ui.tsx';
import { formatCount } from '../lib/format.ts';
import type { ErrorInfo } from '../api/types.ts';
import { useKeys, type AddedKey } from '../stores/keys.ts';
import { useOverview, useSecretStoreName } from '../stores/overview.ts';
import { PassphraseKeyForm } from './PassphraseKeyForm.tsx';
import { SettingRow } from './SettingRow.tsx';

export function KeysCard() {
  const { keys, loaded, error } = useKeys();
  // The default recipients (BACKUP_ENCRYPTION_KEY) are a setting like any other, shown here beside the keys.
  // (Selected whole and filtered here: a selector that builds a new array re-renders without end.)
  const entries = useOverview((s) => s.settings.value?.entries);
  const secretStore = useSecretStoreName();
  const defaults = (entries ?? []).filter((entry) => entry.group === 'Encryption');
  const [name, setName] = useState('');
  const [identity, setIdentity] = useState('');
  const [busy, setBusy] = useState<'generate' | 'import' | null>(null);
  const [outcome, setOutcome] = useState<{ added: AddedKey; verb: string } | { error: ErrorInfo } | null>(null);

  useEffect(() => {
    void useKeys.getState().load();
  }, []);

  const act = async (kind: 'generate' | 'import') => {
    setBusy(kind);
    const result = kind === 'generate' ? await useKeys.getState().generate(name) : await useKeys.getState().importIdentity(identity, name);
    setBusy(null);
    // A pasted identity is a secret: it leaves the page once sent, whether or not it was taken.
    setIdentity('');
    if (result.ok) {
      setOutcome({ added: result.value, verb: kind === 'generate' ? 'Generated' : 'Imported' });
      setName('');
    } else setOutcome({ error: result.error });
  };

  return (
    <section className="card settings__wide" aria-labelledby="keys-title">
      <header className="card__header">
        <h2 className="card__title" id="keys-title">
          Keys
        </h2>
        <code className="env">BACKUP_ENCRYPTION_KEY</code>
      </header>
      <p className="muted">
        age keys that decrypt encrypted backups. Backups are written with the public recipient only; restoring one needs its secret on this machine. The offline copy of a key is made on the host
        (holdfast key export), never in a browser.
      </p>
      <dl className="settings__list" aria-label="Default encryption">
        {defaults.map((entry) => (
          <SettingRow entry={entry} key={entry.name} />
        ))}
      </dl>
      <p className="muted">
        Every new backup is encrypted to these recipients (age1…, comma-separated, or the path of a recipients file on the host), unless its connection, its schedule or the backup itself says
        otherwise. Empty: new backups are not encrypted.
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      {!loaded ? (
        <Spinner label="Loading keys" />
      ) : keys.length === 0 ? (
        <p className="muted">No keys yet.</p>
      ) : (
        <table className="table table--compact" aria-label="Keys">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Recipient</th>
              <th scope="col">Secret</th>
              <th scope="col">Backups needing it</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.name}>
                <td className="mono">{key.name}</td>
                <td className="mono break">{key.kind === 'passphrase' ? 'passphrase' : key.recipient}</td>
                <td>{key.secretHere ? <Badge tone="ok">here</Badge> : <Badge tone="bad">not on this machine</Badge>}</td>
                <td>{formatCount(key.backups)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="keys__form"
        aria-label="Add a key"
        onSubmit={(event) => {
          event.preventDefault();
          void act(identity.trim() === '' ? 'generate' : 'import');
        }}
      >
        <Field label="Name (optional)" hint="1–64 letters, digits, “.”, “_” or “-”; default key-N">
          {(control) => <input {...control} className="input" value={name} onChange={(event) => setName(event.target.value)} autoComplete="off" />}
        </Field>
        <Field
          label="Identity to import (optional)"
          hint={`Paste an age identity file (AGE-SECRET-KEY-1…). It goes straight to this machine's secret store (${secretStore}) and is never shown again.`}
        >
          {(control) => <textarea {...control} className="input mono" rows={3} value={identity} onChange={(event) => setIdentity(event.target.value)} autoComplete="off" spellCheck={false} />}
        </Field>
        <div className="keys__actions">
          <button type="button" className="btn" disabled={busy !== null} onClick={() => void act('generate')}>
            {busy === 'generate' ? <Spinner label="Generating" /> : null} Generate key
          </button>
          <button type="button" className="btn" disabled={busy !== null || identity.trim() === ''} onClick={() => void act('import')}>
            {busy === 'import' ? <Spinner label="Importing" /> : null} Import identity
          </button>
        </div>
      </form>
      {outcome && 'error' in outcome ? <ErrorNotice error={outcome.error} onDismiss={() => setOutcome(null)} /> : null}
      {outcome && 'added' in outcome ? (
        <Notice tone="warn" title={`${outcome.verb} key “${outcome.added.name}”`}>
          Recipient (public): <span className="mono break">{outcome.added.recipient}</span>. Make an offline copy of its secret now, on the host: holdfast key export {outcome.added.name} &gt;{' '}
          {outcome.added.name}.txt — without it, backups encrypted to this key cannot be restored if {secretStore} on this machine is lost.
        </Notice>
      ) : null}
      <PassphraseKeyForm />
    </section>
  );
}
