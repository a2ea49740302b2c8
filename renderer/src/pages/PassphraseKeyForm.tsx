// Settings › Keys › a passphrase key: backups encrypted to it open with the passphrase (age -d asks for
// it). The passphrase is typed twice into uncontrolled password inputs and read from them only when
// sent: React state never holds it (only whether it meets the engine's rule and whether the two
// match), and both inputs are emptied the moment it leaves, whether or not it was taken.
import { useRef, useState } from 'react';
import { passphraseProblem, MIN_PASSPHRASE_LENGTH } from '../../../main/core/encryption/passphrase-rule.ts';
import type { ErrorInfo } from '../api/types.ts';
import { ErrorNotice, Field, Notice, Spinner } from '../components/ui.tsx';
import { useKeys, type AddedKey } from '../stores/keys.ts';

interface Check {
  /** The rule's complaint about the first entry, once something is typed. */
  problem: string | null;
  /** The second entry differs from the first, once something is typed in it. */
  differs: boolean;
  ready: boolean;
}

const EMPTY: Check = { problem: null, differs: false, ready: false };

export function PassphraseKeyForm() {
  const first = useRef<HTMLInputElement>(null);
  const second = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');
  const [check, setCheck] = useState<Check>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ added: AddedKey } | { error: ErrorInfo } | null>(null);

  const recheck = () => {
    const typed = first.current?.value ?? '';
    const again = second.current?.value ?? '';
    const problem = typed === '' ? null : passphraseProblem(typed);
    setCheck({ problem: problem ? `${problem.message} ${problem.hint}` : null, differs: again !== '' && again !== typed, ready: typed !== '' && problem === null && again === typed });
  };

  const submit = async () => {
    const passphrase = first.current?.value ?? '';
    const matches = passphrase === (second.current?.value ?? '');
    // The passphrase leaves the page now: the inputs are emptied before anything is awaited.
    if (first.current) first.current.value = '';
    if (second.current) second.current.value = '';
    setCheck(EMPTY);
    if (!matches) {
      setOutcome({ error: { code: 'BAD_INPUT', message: 'The two passphrases differ.', hint: 'Type it again in both fields; nothing was stored.' } });
      return;
    }
    setBusy(true);
    const result = await useKeys.getState().addPassphrase(passphrase, name);
    setBusy(false);
    if (result.ok) {
      setOutcome({ added: result.value });
      setName('');
    } else setOutcome({ error: result.error });
  };

  return (
    <form
      className="keys__form"
      aria-label="Add a passphrase key"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h3 className="keys__subtitle">Passphrase key</h3>
      <p className="muted">
        For a password instead of a key file: backups encrypted to it open with the passphrase alone (age -d asks for it). It is stored in this machine's secret store and never shown again; if it is
        forgotten, its backups are lost.
      </p>
      <Field label="Name of this passphrase key (optional)" hint="1–64 letters, digits, “.”, “_” or “-”; default key-N">
        {(control) => <input {...control} className="input" value={name} onChange={(event) => setName(event.target.value)} autoComplete="off" />}
      </Field>
      <Field label="Passphrase" error={check.problem ?? undefined} hint={`At least ${MIN_PASSPHRASE_LENGTH} characters: 4–5 random words or 10+ random characters; no leading or trailing space.`}>
        {(control) => <input {...control} ref={first} type="password" className="input" autoComplete="new-password" onInput={recheck} />}
      </Field>
      <Field label="Passphrase again" error={check.differs ? 'The two passphrases differ.' : undefined}>
        {(control) => <input {...control} ref={second} type="password" className="input" autoComplete="new-password" onInput={recheck} />}
      </Field>
      <div className="keys__actions">
        <button type="submit" className="btn" disabled={busy || !check.ready}>
          {busy ? <Spinner label="Adding" /> : null} Add passphrase key
        </button>
      </div>
      {outcome && 'error' in outcome ? <ErrorNotice error={outcome.error} onDismiss={() => setOutcome(null)} /> : null}
      {outcome && 'added' in outcome ? (
        <Notice tone="warn" title={`Added passphrase key “${outcome.added.name}”`}>
          Backups encrypted to it open only with this passphrase. Write it down somewhere safe away from this machine: Holdfast cannot show it again.
        </Notice>
      ) : null}
    </form>
  );
}
