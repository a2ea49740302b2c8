// Backups › Import…: a dump made elsewhere, picked on this computer and uploaded (in a browser against
// `holdfast serve`), or named by its path on the host Holdfast runs on (the desktop's own disk, or the
// server's), listed under a connection. The engine puts it in the backup directory, checks it as it
// checks a backup, and keeps it pinned.
import { useState, type FormEvent } from 'react';
import { Modal } from '../components/Modal.tsx';
import { ErrorNotice, Facts, Field, Notice, Spinner } from '../components/ui.tsx';
import { formatBytes } from '../lib/format.ts';
import { shownOr } from '../lib/shown.ts';
import { MAX_UPLOAD_BYTES } from '../../../main/core/model/upload.ts';
import { uploadTooLarge, useImportDump, type ImportedBackup } from '../stores/import-dump.ts';
import { useProfiles } from '../stores/profiles.ts';

export function ImportDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const state = useImportDump((s) => s.state);
  const close = () => {
    useImportDump.getState().reset();
    onClose();
  };
  return (
    <Modal open={open} title="Import a dump" onClose={close} dismissable={state.status !== 'running'}>
      {open ? state.status === 'done' ? <Imported backup={state.backup} onClose={close} /> : <ImportForm onClose={close} /> : null}
    </Modal>
  );
}

type Source = 'upload' | 'path';

function ImportForm({ onClose }: { onClose: () => void }) {
  const profiles = useProfiles((s) => s.profiles).filter((p) => !p.wholeServer);
  const state = useImportDump((s) => s.state);
  const canUpload = useImportDump((s) => s.canUpload);
  const [source, setSource] = useState<Source>(canUpload ? 'upload' : 'path');
  const [file, setFile] = useState('');
  const [picked, setPicked] = useState<File | undefined>(undefined);
  const [profile, setProfile] = useState(() => (profiles.length === 1 ? profiles[0]!.name : ''));
  const [errors, setErrors] = useState<{ file?: string; picked?: string; profile?: string }>({});
  const running = state.status === 'running';
  const uploading = running && state.uploading !== undefined;

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = {
      ...(source === 'path' && file.trim() === '' ? { file: 'Give the path of the dump file or directory.' } : {}),
      ...(source === 'upload' && !picked ? { picked: 'Choose the dump file to upload.' } : {}),
      ...(source === 'upload' && picked && uploadTooLarge(picked) ? { picked: uploadTooLarge(picked) } : {}),
      ...(profile === '' ? { profile: 'Choose the connection it belongs to.' } : {}),
    };
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    if (source === 'upload' && picked) void useImportDump.getState().upload(picked, profile);
    else void useImportDump.getState().start(file.trim(), profile);
  }

  if (profiles.length === 0) {
    return (
      <Notice tone="info" title="No connections yet">
        Add a connection on the Connections page first: an imported dump is listed under one.
      </Notice>
    );
  }
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Import a dump">
      <p className="muted">
        A pg_dump output made elsewhere — custom (.dump), tar, directory, or a plain .sql / .sql.gz script. It is copied into the backup directory (the original stays where it is), checked as a backup
        is, and kept pinned, so retention never deletes it until you unpin it.
      </p>
      {canUpload ? (
        <fieldset className="segmented">
          <legend className="field__label">Where the dump is</legend>
          {(
            [
              ['upload', 'On this computer'],
              ['path', 'On the server'],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className={`segmented__option${source === value ? ' is-checked' : ''}`}>
              <input type="radio" name="source" value={value} checked={source === value} disabled={running} onChange={() => setSource(value)} />
              {label}
            </label>
          ))}
        </fieldset>
      ) : null}
      {source === 'upload' ? (
        <Field
          label="Dump file"
          error={errors.picked}
          hint={`Uploaded to the server Holdfast runs on (at most ${formatBytes(MAX_UPLOAD_BYTES)}, and no more than its backup directory has free). A directory-format dump is imported by its path on the server.`}
        >
          {(control) => <input {...control} type="file" className="input" disabled={running} onChange={(event) => setPicked(event.target.files?.[0])} />}
        </Field>
      ) : (
        <Field label={canUpload ? 'Path on the server' : 'File on this host'} error={errors.file} hint="The full path, as the machine Holdfast runs on sees it.">
          {(control) => <input {...control} className="input mono" value={file} placeholder="/srv/dumps/sales.dump" disabled={running} onChange={(event) => setFile(event.target.value)} />}
        </Field>
      )}
      <Field label="Connection" error={errors.profile} hint="It is listed under this connection and restored to it by default.">
        {(control) => (
          <select {...control} className="input" value={profile} disabled={running} onChange={(event) => setProfile(event.target.value)}>
            <option value="">Choose…</option>
            {profiles.map((p) => (
              <option key={p.id} value={p.name}>
                {p.name} — {p.dbname} on {p.host}
              </option>
            ))}
          </select>
        )}
      </Field>
      {state.status === 'failed' ? <ErrorNotice error={state.error} title="Not imported" /> : null}
      <div className="form__actions">
        <button type="button" className="btn" onClick={uploading ? () => useImportDump.getState().cancel() : onClose} disabled={running && !uploading}>
          {uploading ? 'Cancel upload' : 'Cancel'}
        </button>
        <button type="submit" className="btn btn--primary" disabled={running}>
          {running ? <Spinner label={uploading ? 'Uploading' : 'Importing'} /> : null} {uploading ? 'Uploading and checking…' : 'Import'}
        </button>
      </div>
    </form>
  );
}

function Imported({ backup, onClose }: { backup: ImportedBackup; onClose: () => void }) {
  return (
    <>
      <Notice tone="ok" title="Imported">
        Kept as <span className="mono">{backup.filename}</span>, pinned. Verify it, or run a test restore, from its details.
      </Notice>
      <Facts
        items={[
          [
            'From',
            <span className="mono" key="f">
              {shownOr(backup.imported?.from, null)}
            </span>,
          ],
          ['Format', `${backup.format}${backup.compression === 'none' ? '' : `, ${backup.compression}`}`],
          ['Made by', `${backup.clientVersion} from ${backup.version}`],
          ['Size', formatBytes(backup.size)],
          ['Tables', String(backup.tables.length)],
          ['pg_restore', backup.pgRestore?.detail ?? 'not used for plain scripts (psql restores them)'],
          ['Roles', 'none came with it: create them on the target, or restore without owners'],
        ]}
      />
      <div className="form__actions">
        <button type="button" className="btn btn--primary" onClick={onClose}>
          Done
        </button>
      </div>
    </>
  );
}
