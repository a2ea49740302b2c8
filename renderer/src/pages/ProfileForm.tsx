// Add or edit a connection profile. Fields are checked as you submit; the engine's own errors land
// on the field they name, anything else above the form with its hint.
import { useState, type FormEvent } from 'react';
import type { ErrorInfo } from '../api/types.ts';
import { Modal } from '../components/Modal.tsx';
import { ErrorNotice, Field } from '../components/ui.tsx';
import { draftToInput, EMPTY_DRAFT, fieldErrorsFromMessage, SSL_MODES, validateDraft, type DraftErrors, type ProfileDraft } from '../lib/profile-form.ts';
import { useProfiles, type Profile } from '../stores/profiles.ts';
import { CopyToPicker } from './CopyToPicker.tsx';

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
  const [errors, setErrors] = useState<DraftErrors>({});
  const [failure, setFailure] = useState<ErrorInfo | null>(null);
  const [saving, setSaving] = useState(false);
  // Where its backups (scheduled ones too) are copied when a backup or schedule names none.
  const [copyTo, setCopyTo] = useState<string[]>(editing?.copyTo ?? []);
  const { add, edit, closeForm, test } = useProfiles.getState();

  const update = (field: keyof ProfileDraft) => (value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
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
      const copyToChanged = JSON.stringify(copyTo) !== JSON.stringify(editing.copyTo ?? []);
      result = await edit(editing.name, { ...changes, ...(copyToChanged ? { copyTo } : {}) }, password);
    } else {
      result = await add({ ...input, ...(copyTo.length ? { copyTo } : {}) });
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

  const text = (field: keyof ProfileDraft, label: string, options: { type?: string; hint?: string; placeholder?: string; autoComplete?: string; className?: string } = {}) => (
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
        {text('dbname', 'Database', { className: 'form__grow' })}
      </div>
      {text('password', 'Password', {
        type: 'password',
        autoComplete: 'new-password',
        hint: editing?.keychainPassword ? 'Stored in the OS keychain. Leave empty to keep it.' : 'Optional. Stored only in the OS keychain; without one, libpq reads ~/.pgpass.',
      })}
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
      <Field label="Notes">{(control) => <textarea {...control} className="input" rows={2} value={draft.notes} onChange={(event) => update('notes')(event.target.value)} />}</Field>
      <div className="form__actions">
        <button type="button" className="btn" onClick={closeForm}>
          Cancel
        </button>
        <button type="submit" className="btn btn--primary" disabled={saving}>
          {saving ? 'Saving…' : editing ? 'Save changes' : 'Add connection'}
        </button>
      </div>
    </form>
  );
}
