// Add or edit a connection profile. Fields are checked as you submit; the engine's own errors land
// on the field they name, anything else above the form with its hint.
import { WholeServerSizesTable } from './WholeServerSizes.tsx';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ErrorInfo } from '../api/types.ts';
import { Modal } from '../components/Modal.tsx';
import { Checkbox, ErrorNotice, Field, Notice, Spinner } from '../components/ui.tsx';
import { draftToInput, EMPTY_DRAFT, fieldErrorsFromMessage, SSL_MODES, validateDraft, type DraftErrors, type ProfileDraft } from '../lib/profile-form.ts';
import { useProfiles, type Profile, type ProfileTestReport } from '../stores/profiles.ts';
import { EncryptToPicker } from '../components/EncryptToPicker.tsx';
import { choiceFromValue, choiceToValue, type EncryptChoice } from '../lib/encrypt-choice.ts';

type DraftTestState = { status: 'running' } | { status: 'passed'; report: ProfileTestReport } | { status: 'failed'; error: ErrorInfo } | null;
import { CopyToPicker } from './CopyToPicker.tsx';
import { NoLocalCopyToggle, noLocalCopyBlocked } from './NoLocalCopyToggle.tsx';
import { useSecretStoreName } from '../stores/overview.ts';
import { plural } from '../lib/format.ts';

function draftFrom(profile: Profile): ProfileDraft {
  return {
    name: profile.name,
    host: profile.host,
    port: String(profile.port),
    user: profile.user,
    dbname: profile.dbname,
    password: '',
    sslmode: profile.sslmode ?? '',
    tags: profile.tags.join(', '),
    notes: profile.notes ?? '',
    allDatabases: profile.wholeServer !== null,
    excludeDatabases: profile.wholeServer?.excludeDatabases.join('\n') ?? '',
    parallelDatabases: profile.wholeServer?.parallelDatabases ? String(profile.wholeServer.parallelDatabases) : '',
  };
}

export function ProfileFormDialog() {
  const form = useProfiles((s) => s.form);
  const profiles = useProfiles((s) => s.profiles);
  const editing = form?.mode === 'edit' ? profiles.find((p) => p.name === form.name) : undefined;
  // A fresh form each time it opens: the key resets the inner state.
  const key = form ? (form.mode === 'edit' ? `edit:${form.name}` : 'add') : 'closed';
  return (
    <Modal open={form !== null} title={editing ? `Edit ${editing.name}` : 'Add a connection'} onClose={() => useProfiles.getState().closeForm()}>
      {form ? <ProfileForm key={key} editing={editing} /> : null}
    </Modal>
  );
}

function ProfileForm({ editing }: { editing: Profile | undefined }) {
  const [draft, setDraft] = useState<ProfileDraft>(() => (editing ? draftFrom(editing) : EMPTY_DRAFT));
  const secretStore = useSecretStoreName();
  const [errors, setErrors] = useState<DraftErrors>({});
  const [failure, setFailure] = useState<ErrorInfo | null>(null);
  const [saving, setSaving] = useState(false);
  const [encryption, setEncryption] = useState<EncryptChoice>(() => choiceFromValue(editing?.encryptTo));
  const [tested, setTested] = useState<DraftTestState>(null);
  const [forgetting, setForgetting] = useState<'idle' | 'confirm' | 'running'>('idle');
  const testOutcome = useRef<HTMLDivElement>(null);
  // In a 700-pixel window the outcome lands below the fold of the scrolling dialog: bring it into view.
  useEffect(() => {
    if (tested?.status === 'passed' || tested?.status === 'failed') testOutcome.current?.scrollIntoView({ block: 'nearest' });
  }, [tested?.status]);
  // Where its backups (scheduled ones too) are copied when a backup or schedule names none.
  const [copyTo, setCopyTo] = useState<string[]>(editing?.copyTo ?? []);
  // Its backups kept on those destinations only; never sent true without one (the box is disabled then).
  const [noLocalCopy, setNoLocalCopy] = useState(editing?.noLocalCopy ?? false);
  const keepsNoLocalCopy = noLocalCopy && noLocalCopyBlocked(copyTo) === undefined;
  const { add, edit, closeForm, test, testDraft, forgetPassword } = useProfiles.getState();

  /** Checks the fields as a save would, then tries the connection as typed; nothing is saved. */
  async function tryConnection() {
    const found = validateDraft(draft);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setTested({ status: 'running' });
    const { password, ...profile } = draftToInput(draft);
    const result = await testDraft({ profile, ...(password ? { password } : {}), ...(editing ? { editing: editing.name } : {}) });
    setTested(result.ok ? { status: 'passed', report: result.value } : { status: 'failed', error: result.error });
  }

  async function forget() {
    if (!editing) return;
    setForgetting('running');
    const result = await forgetPassword(editing.name);
    setForgetting('idle');
    if (!result.ok) setFailure(result.error);
  }

  const update = (field: Exclude<keyof ProfileDraft, 'allDatabases'>) => (value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    // A result speaks for the connection as it was when tested.
    setTested(null);
    if (errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateDraft(draft);
    setErrors(found);
    setFailure(null);
    const first = Object.keys(found)[0];
    if (first) {
      document.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
      return;
    }
    setSaving(true);
    const input = draftToInput(draft);
    let result;
    if (editing) {
      const { password, ...fields } = input;
      const original = draftToInput(draftFrom(editing));
      const changes = Object.fromEntries(Object.entries(fields).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(original[key as keyof typeof original])));
      // Sent only when changed: choosing the encryption needs a super-admin, and an admin may edit the rest.
      const encryptTo = choiceToValue(encryption, 'profile');
      const encryptionChanged = JSON.stringify(encryptTo) !== JSON.stringify(editing.encryptTo ?? null);
      const copyToChanged = JSON.stringify(copyTo) !== JSON.stringify(editing.copyTo ?? []);
      const noLocalCopyChanged = keepsNoLocalCopy !== (editing.noLocalCopy ?? false);
      result = await edit(
        editing.name,
        { ...changes, ...(encryptionChanged ? { encryptTo } : {}), ...(copyToChanged ? { copyTo } : {}), ...(noLocalCopyChanged ? { noLocalCopy: keepsNoLocalCopy } : {}) },
        password,
      );
    } else {
      const encryptTo = choiceToValue(encryption, 'profile');
      result = await add({ ...input, ...(encryptTo === null ? {} : { encryptTo }), ...(copyTo.length ? { copyTo } : {}), ...(keepsNoLocalCopy ? { noLocalCopy: true } : {}) });
    }
    setSaving(false);
    if (result.ok) {
      closeForm();
      // A new connection is tested at once: the first thing anyone wants to know.
      if (!editing) void test(result.value.name);
      return;
    }
    const mapped = result.error.code === 'BAD_INPUT' ? fieldErrorsFromMessage(result.error.message) : {};
    if (Object.keys(mapped).length) setErrors(mapped);
    else setFailure(result.error);
  }

  const text = (field: Exclude<keyof ProfileDraft, 'allDatabases'>, label: string, options: { type?: string; hint?: string; placeholder?: string; autoComplete?: string; className?: string } = {}) => (
    <Field label={label} error={errors[field]} hint={options.hint} className={options.className}>
      {(control) => (
        <input
          {...control}
          data-field={field}
          className="input"
          type={options.type ?? 'text'}
          value={draft[field]}
          placeholder={options.placeholder}
          autoComplete={options.autoComplete ?? 'off'}
          spellCheck={false}
          onChange={(event) => update(field)(event.target.value)}
        />
      )}
    </Field>
  );

  return (
    <form onSubmit={submit} noValidate className="form" aria-label="Connection profile">
      {failure ? <ErrorNotice error={failure} onDismiss={() => setFailure(null)} /> : null}
      {text('name', 'Name', { placeholder: 'orders-prod', hint: 'How this connection is listed; also part of backup file names.' })}
      <div className="form__row">
        {text('host', 'Host', { placeholder: 'db.example.com', className: 'form__grow' })}
        {text('port', 'Port', { className: 'form__port' })}
      </div>
      <div className="form__row">
        {text('user', 'User', { className: 'form__grow' })}
        {draft.allDatabases
          ? text('dbname', 'Connect to database', { className: 'form__grow', placeholder: 'postgres', hint: 'Only where it lists the databases and saves the roles.' })
          : text('dbname', 'Database', { className: 'form__grow' })}
      </div>
      <Checkbox
        label="Back up every database on the server"
        checked={draft.allDatabases}
        onChange={(allDatabases) => setDraft((d) => ({ ...d, allDatabases }))}
        hint="A whole-server backup set: each database a backup of its own, taken together with the roles file (--all-databases)."
      />
      {draft.allDatabases ? (
        <div className="form__row">
          <Field label="Leave out databases" error={errors.excludeDatabases} hint="Names or patterns with * and ?, one a line." className="form__grow">
            {(control) => (
              <textarea
                {...control}
                data-field="excludeDatabases"
                className="input mono"
                rows={2}
                value={draft.excludeDatabases}
                placeholder="scratch_*"
                onChange={(event) => update('excludeDatabases')(event.target.value)}
              />
            )}
          </Field>
          {text('parallelDatabases', 'Parallel databases', { className: 'form__port', placeholder: 'auto', hint: '1–16 at once.' })}
        </div>
      ) : null}
      {text('password', 'Password', {
        type: 'password',
        autoComplete: 'new-password',
        hint: editing?.keychainPassword ? `Stored in ${secretStore}. Leave empty to keep it.` : `Optional. Stored only in ${secretStore}; without one, libpq reads ~/.pgpass.`,
      })}
      {editing?.keychainPassword ? (
        <div className="form__inline-action">
          {forgetting === 'confirm' ? (
            <>
              <span>
                Remove the stored password of {editing.name} from {secretStore}? Backups then need ~/.pgpass or a new password.
              </span>
              <button type="button" className="btn btn--small" onClick={() => setForgetting('idle')}>
                Keep it
              </button>
              <button type="button" className="btn btn--danger btn--small" onClick={() => void forget()}>
                Forget password
              </button>
            </>
          ) : (
            <button type="button" className="btn btn--ghost btn--small" disabled={forgetting === 'running'} onClick={() => setForgetting('confirm')}>
              {forgetting === 'running' ? <Spinner label="Forgetting" /> : null} Forget password…
            </button>
          )}
        </div>
      ) : null}
      <div className="form__row">
        <Field label="SSL mode" className="form__grow">
          {(control) => (
            <select {...control} className="input" value={draft.sslmode} onChange={(event) => update('sslmode')(event.target.value)}>
              <option value="">libpq default (prefer)</option>
              {SSL_MODES.map((mode) => (
                <option key={mode} value={mode}>
                  {mode}
                </option>
              ))}
            </select>
          )}
        </Field>
        {text('tags', 'Tags', { placeholder: 'production, eu', hint: '"production" asks for extra confirmation on restore.', className: 'form__grow' })}
      </div>
      <CopyToPicker defaults={editing?.copyTo ?? []} chosen={copyTo} onChange={setCopyTo} />
      <NoLocalCopyToggle checked={noLocalCopy} onChange={setNoLocalCopy} destinations={copyTo} />
      <Field label="Notes">{(control) => <textarea {...control} className="input" rows={2} value={draft.notes} onChange={(event) => update('notes')(event.target.value)} />}</Field>
      <EncryptToPicker level="profile" choice={encryption} onChange={setEncryption} above={{}} />
      {tested !== null && tested.status !== 'running' ? (
        <div ref={testOutcome}>
          {tested.status === 'passed' ? (
            <Notice tone="ok" title="Connected">
              <span data-testid="draft-test-result">
                {tested.report.currentUser}
                {tested.report.superuser ? ' (superuser)' : ''} on {tested.report.serverVersion}; password: {tested.report.passwordSource}.
                {tested.report.clientTools.compatible ? ` pg_dump ${tested.report.clientTools.version ?? ''} can back it up.` : ` ${tested.report.clientTools.problem ?? ''}`}
                {tested.report.unreadable.length > 0 ? ` ${plural(tested.report.unreadable.length, 'object is', 'objects are')} not readable by this role.` : ''} Nothing is saved until you{' '}
                {editing ? 'save the changes' : 'add the connection'}.
              </span>
              {tested.report.wholeServer ? <WholeServerSizesTable sizes={tested.report.wholeServer} /> : null}
            </Notice>
          ) : (
            <ErrorNotice title="The connection test failed" error={tested.error} onDismiss={() => setTested(null)} />
          )}
        </div>
      ) : null}
      <div className="form__actions">
        <button type="button" className="btn" onClick={closeForm}>
          Cancel
        </button>
        <button type="button" className="btn" disabled={tested?.status === 'running'} onClick={() => void tryConnection()}>
          {tested?.status === 'running' ? <Spinner label="Testing" /> : null} Test connection
        </button>
        <button type="submit" className="btn btn--primary" disabled={saving}>
          {saving ? 'Saving…' : editing ? 'Save changes' : 'Add connection'}
        </button>
      </div>
    </form>
  );
}
