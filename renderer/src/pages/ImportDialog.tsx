// Backups › Import…: a dump made elsewhere, named by its path on the host Holdfast runs on (the
// desktop's own disk, or the server's under `holdfast serve`), listed under a connection. The engine
// copies it into the backup directory, checks it as it checks a backup, and keeps it pinned.
import { useState, type FormEvent } from 'react';
import { Modal } from '../components/Modal.tsx';
import { ErrorNotice, Facts, Field, Notice, Spinner } from '../components/ui.tsx';
import { formatBytes } from '../lib/format.ts';
import { useImportDump, type ImportedBackup } from '../stores/import-dump.ts';
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

function ImportForm({ onClose }: { onClose: () => void }) {
  const profiles = useProfiles((s) => s.profiles).filter((p) => !p.wholeServer);
  const state = useImportDump((s) => s.state);
  const [file, setFile] = useState('');
  const [profile, setProfile] = useState(() => (profiles.length === 1 ? profiles[0]!.name : ''));
  const [errors, setErrors] = useState<{ file?: string; profile?: string }>({});
  const running = state.status === 'running';

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = { ...(file.trim() === '' ? { file: 'Give the path of the dump file or directory.' } : {}), ...(profile === '' ? { profile: 'Choose the connection it belongs to.' } : {}) };
    setErrors(found);
    if (Object.keys(found).length === 0) void useImportDump.getState().start(file.trim(), profile);
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
      <Field label="File on this host" error={errors.file} hint="The full path, as the machine Holdfast runs on sees it.">
        {(control) => <input {...control} className="input mono" value={file} placeholder="/srv/dumps/sales.dump" disabled={running} onChange={(event) => setFile(event.target.value)} />}
      </Field>
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
        <button type="button" className="btn" onClick={onClose} disabled={running}>
          Cancel
        </button>
        <button type="submit" className="btn btn--primary" disabled={running}>
          {running ? <Spinner label="Importing" /> : null} Import
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
              {backup.imported?.from}
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
