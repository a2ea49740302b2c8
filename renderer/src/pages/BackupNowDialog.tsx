// "Back up now": choose what to dump, then watch it: phase, bytes written, elapsed time, an estimate
// from the previous backup's size, and Cancel (pg_dump is stopped and its partial file removed).
import { CopyToPicker } from './CopyToPicker.tsx';
import { NoLocalCopyToggle, noLocalCopyBlocked } from './NoLocalCopyToggle.tsx';
import { EncryptToPicker } from '../components/EncryptToPicker.tsx';
import { choiceToValue, type EncryptChoice } from '../lib/encrypt-choice.ts';
import { useEffect, useState, type FormEvent } from 'react';
import { describeLockWait } from '../../../main/core/model/lock-wait.ts';
import { useNow } from '../components/hooks.ts';
import { Modal } from '../components/Modal.tsx';
import { icons } from '../components/icons.tsx';
import { ErrorNotice, Facts, Field, Notice } from '../components/ui.tsx';
import { DEFAULT_BACKUP_DRAFT, draftToOptions, FORMAT_LABELS, PHASES, validateBackupDraft, withFormat, type BackupDraft, type BackupDraftErrors } from '../lib/backup-form.ts';
import { estimateRemainingMs, formatBytes, formatClock, formatDuration, plural, progressFraction } from '../lib/format.ts';
import { useBackupJob, writtenBytes } from '../stores/backup-job.ts';
import { useBackups } from '../stores/backups.ts';
import { useNav } from '../stores/nav.ts';
import { useOverview } from '../stores/overview.ts';
import { useProfiles } from '../stores/profiles.ts';
import { SetProgress, SetTaken } from './SetRun.tsx';

export function BackupNowDialog() {
  const dialog = useNav((s) => s.backupDialog);
  const status = useBackupJob((s) => s.status);
  const close = () => {
    useNav.getState().closeBackupDialog();
    useBackupJob.getState().reset();
  };
  return (
    <Modal open={dialog.open} title={status === 'running' ? 'Backing up…' : 'Back up now'} onClose={close} dismissable={status !== 'running'}>
      {dialog.open ? status === 'idle' ? <BackupForm initialProfile={dialog.profile} /> : <BackupRun onClose={close} /> : null}
    </Modal>
  );
}

function BackupForm({ initialProfile }: { initialProfile: string | null }) {
  const profiles = useProfiles((s) => s.profiles);
  const [draft, setDraft] = useState<BackupDraft>(() => ({ ...DEFAULT_BACKUP_DRAFT, profile: initialProfile ?? (profiles.length === 1 ? profiles[0]!.name : '') }));
  // What the profile's pg_dump can write, as its last connection test found (engine: compressionMethodsFor);
  // untested, every method is listed and the engine refuses one its pg_dump cannot write.
  const tested = useProfiles((s) => s.tests[draft.profile]);
  const methods = tested?.status === 'passed' ? tested.report.clientTools.compressionMethods : undefined;
  const offered = (method: 'lz4' | 'zstd') => methods === undefined || methods.includes(method) || draft.compression === method;
  const [errors, setErrors] = useState<BackupDraftErrors>({});
  // Which destinations this backup is copied to; null: the connection's own defaults.
  const [copyTo, setCopyTo] = useState<string[] | null>(null);
  // Kept on those destinations only; null: the connection's own choice.
  const [noLocalCopy, setNoLocalCopy] = useState<boolean | null>(null);
  // Who this backup is encrypted to; inherit: the connection's choice, else the default recipients.
  const [encryption, setEncryption] = useState<EncryptChoice>({ mode: 'inherit' });
  const chosenProfile = profiles.find((p) => p.name === draft.profile);
  // What "default" compression means here depends on BACKUP_COMPRESSION; the settings say.
  const compressionDefault = useOverview((s) => s.settings.value?.compressionDefault);
  useEffect(() => {
    if (compressionDefault === undefined) void useOverview.getState().loadSettings();
  }, [compressionDefault]);
  // A set dumps whole databases and is not copied to destinations yet (the engine refuses both).
  const wholeServer = Boolean(chosenProfile?.wholeServer);
  const set = <K extends keyof BackupDraft>(field: K, value: BackupDraft[K]) => {
    setDraft((d) => ({ ...d, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateBackupDraft(draft);
    setErrors(found);
    if (Object.keys(found).length) return;
    const encryptTo = choiceToValue(encryption, 'backup');
    // Sent only when it differs from the connection's choice (a disabled box counts as unticked).
    const keeps = (noLocalCopy ?? chosenProfile?.noLocalCopy ?? false) && noLocalCopyBlocked(copyTo ?? chosenProfile?.copyTo ?? [], draft.format) === undefined;
    const local = keeps === (chosenProfile?.noLocalCopy ?? false) ? {} : { noLocalCopy: keeps };
    void useBackupJob.getState().start(draft.profile, { ...draftToOptions(draft), ...(encryptTo === undefined ? {} : { encryptTo }), ...local }, copyTo ?? undefined);
  }

  if (profiles.length === 0) {
    return (
      <Notice tone="info" title="No connections yet">
        Add a connection on the Connections page first.
      </Notice>
    );
  }

  const textarea = (field: 'tables' | 'excludeTables' | 'schemas' | 'excludeSchemas', label: string) => (
    <Field label={label} error={errors[field]}>
      {(control) => <textarea {...control} className="input mono" rows={2} value={draft[field]} placeholder="e.g. public.orders, sales.*" onChange={(event) => set(field, event.target.value)} />}
    </Field>
  );

  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Backup options">
      <Field label="Connection" error={errors.profile}>
        {(control) => (
          <select
            {...control}
            className="input"
            value={draft.profile}
            onChange={(event) => {
              set('profile', event.target.value);
              setCopyTo(null);
              setNoLocalCopy(null);
            }}
          >
            <option value="">Choose…</option>
            {profiles.map((p) => (
              <option key={p.id} value={p.name}>
                {p.name} — {p.wholeServer ? 'all databases' : p.dbname} on {p.host}
              </option>
            ))}
          </select>
        )}
      </Field>
      {wholeServer ? (
        <Notice tone="info" title="A whole-server backup set">
          Every database of the server (less the excluded ones) is backed up as one set, with the roles file.
        </Notice>
      ) : (
        <>
          <CopyToPicker defaults={chosenProfile?.copyTo ?? []} chosen={copyTo} onChange={setCopyTo} />
          <NoLocalCopyToggle checked={noLocalCopy ?? chosenProfile?.noLocalCopy ?? false} onChange={setNoLocalCopy} destinations={copyTo ?? chosenProfile?.copyTo ?? []} format={draft.format} />
        </>
      )}
      <EncryptToPicker level="backup" choice={encryption} onChange={setEncryption} above={{ profile: { value: chosenProfile?.encryptTo ?? null, label: `the connection “${draft.profile}”` } }} />
      <div className="form__row">
        <Field label="Format" className="form__grow">
          {(control) => (
            <select
              {...control}
              className="input"
              value={draft.format}
              onChange={(event) => {
                const format = event.target.value as BackupDraft['format'];
                setDraft((d) => withFormat(d, format));
                setErrors((e) => ({ ...e, format: undefined, compression: undefined, level: undefined }));
              }}
            >
              {Object.entries(FORMAT_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {draft.format === 'directory' ? (
          <Field label="Parallel jobs" error={errors.jobs} className="form__port">
            {(control) => <input {...control} className="input" inputMode="numeric" value={draft.jobs} onChange={(event) => set('jobs', event.target.value)} />}
          </Field>
        ) : null}
      </div>
      {draft.format !== 'tar' ? (
        <div className="form__row">
          <Field label="Compression" error={errors.compression} className="form__grow">
            {(control) => (
              <select {...control} className="input" value={draft.compression} onChange={(event) => set('compression', event.target.value as BackupDraft['compression'])}>
                <option value="">Default ({compressionDefault === false ? 'none' : 'gzip'})</option>
                <option value="gzip">gzip</option>
                {draft.format !== 'plain' && offered('lz4') ? <option value="lz4">lz4 (pg_dump 16+)</option> : null}
                {draft.format !== 'plain' && offered('zstd') ? <option value="zstd">zstd (pg_dump 16+)</option> : null}
                <option value="none">none</option>
              </select>
            )}
          </Field>
          <Field label="Level" error={errors.level} className="form__port">
            {(control) => <input {...control} className="input" inputMode="numeric" placeholder="auto" value={draft.level} onChange={(event) => set('level', event.target.value)} />}
          </Field>
        </div>
      ) : null}
      <fieldset className="segmented">
        <legend className="field__label">Content</legend>
        {(
          [
            ['all', 'Schema and data'],
            ['schema', 'Schema only'],
            ['data', 'Data only'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className={`segmented__option${draft.content === value ? ' is-checked' : ''}`}>
            <input type="radio" name="content" value={value} checked={draft.content === value} onChange={() => set('content', value)} />
            {label}
          </label>
        ))}
      </fieldset>
      <details className="disclosure" hidden={wholeServer}>
        <summary>Tables and schemas</summary>
        <div className="form__grid">
          {textarea('tables', 'Only these tables')}
          {textarea('excludeTables', 'Leave out tables')}
          {textarea('schemas', 'Only these schemas')}
          {textarea('excludeSchemas', 'Leave out schemas')}
        </div>
        <p className="field__hint">One pattern a line. Patterns follow pg_dump: unquoted names fold to lower case, so a schema called Sales is "Sales" in double quotes.</p>
      </details>
      <Field label="File name suffix" error={errors.suffix} hint="Optional, e.g. before-migration. Letters, digits, _ and -.">
        {(control) => <input {...control} className="input" value={draft.suffix} onChange={(event) => set('suffix', event.target.value)} />}
      </Field>
      <div className="form__actions">
        <button type="button" className="btn" onClick={() => useNav.getState().closeBackupDialog()}>
          Cancel
        </button>
        <button type="submit" className="btn btn--primary">
          {icons.play} Start backup
        </button>
      </div>
    </form>
  );
}

function BackupRun({ onClose }: { onClose: () => void }) {
  const job = useBackupJob();
  const now = useNow(500, job.status === 'running');
  const progress = job.progress;
  const elapsed = job.status === 'running' && job.startedAt ? now - job.startedAt : (progress?.elapsedMs ?? 0);
  const fraction = progress && progress.phase !== 'connecting' ? progressFraction(progress.bytes, progress.expectedBytes) : undefined;
  const eta = progress?.phase === 'dumping' ? estimateRemainingMs(progress) : undefined;
  const phaseIndex = PHASES.findIndex((p) => p.phase === (progress?.phase ?? 'connecting'));
  const wholeServer = useProfiles((s) => Boolean(s.profiles.find((p) => p.name === job.profile)?.wholeServer));

  // Focus the one button that matters in each state, so Enter does the expected thing.
  useEffect(() => {
    document.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, [job.status]);

  if (job.status === 'running') {
    return (
      <div className="run" aria-live="polite">
        <p className="run__title">
          Backing up <strong>{job.profile}</strong>
        </p>
        <ol className="phases" aria-label="Phases" hidden={wholeServer}>
          {PHASES.slice(0, -1).map((p, index) => (
            <li key={p.phase} className={`phases__item${index < phaseIndex ? ' is-done' : index === phaseIndex ? ' is-current' : ''}`} aria-current={index === phaseIndex ? 'step' : undefined}>
              {p.label}
            </li>
          ))}
        </ol>
        {wholeServer ? <SetProgress databases={job.databases} /> : <progress className="progress" max={1} aria-label="Backup progress" {...(fraction !== undefined ? { value: fraction } : {})} />}
        {progress?.lockWait ? (
          <Notice tone="warn" title="Waiting for a lock">
            <span data-testid="lock-wait">pg_dump is {describeLockWait(progress.lockWait)}.</span> It goes on by itself once that session commits or rolls back.
          </Notice>
        ) : null}
        <div className="run__figures">
          <Figure
            label="Written"
            value={formatBytes(writtenBytes(job))}
            detail={
              wholeServer
                ? `over ${plural(Object.keys(job.databases).length, 'database')} so far`
                : progress?.expectedBytes
                  ? `of about ${formatBytes(progress.expectedBytes)}`
                  : 'first backup: no estimate yet'
            }
          />
          <Figure label="Elapsed" value={formatClock(elapsed)} />
          <Figure label="Remaining" value={eta !== undefined ? `~${formatDuration(eta)}` : '—'} />
        </div>
        <div className="form__actions">
          <button type="button" className="btn btn--ghost" onClick={() => useNav.getState().closeBackupDialog()}>
            Run in background
          </button>
          <button type="button" className="btn btn--danger" data-autofocus onClick={() => job.cancel()}>
            Cancel backup
          </button>
        </div>
      </div>
    );
  }

  if (job.status === 'done' && job.result) {
    const r = job.result;
    const showInBackups = () => {
      onClose();
      if ('kind' in r) useBackups.getState().toggleExpanded(r.id, true);
      useBackups.getState().select(r.id);
      useNav.getState().navigate('backups');
    };
    return (
      <div className="run">
        {'kind' in r ? (
          <SetTaken set={r} />
        ) : (
          <>
            <div className="result-box result-box--ok" role="status">
              <p className="result-box__title">Backup completed</p>
              <p className="mono break">{r.filename}</p>
            </div>
            <Facts
              items={[
                ['Size', `${formatBytes(r.size)} (database ${formatBytes(r.databaseSize)})`],
                ['Duration', formatDuration(r.duration)],
                [
                  'Tables',
                  `${plural(r.tables.length, 'table')}, ${plural(
                    Object.values(r.rowCounts).reduce((a, b) => a + b, 0),
                    'row',
                  )} counted`,
                ],
                [
                  'Checksum',
                  <span key="c" className="mono break">
                    {r.checksum}
                  </span>,
                ],
              ]}
            />
          </>
        )}
        <div className="form__actions">
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
          <button type="button" className="btn btn--primary" data-autofocus onClick={showInBackups}>
            Show in Backups
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="run">
      {job.status === 'cancelled' ? (
        <Notice tone="info" title="Backup cancelled">
          pg_dump was stopped and its partial file removed. The attempt is recorded as interrupted.
        </Notice>
      ) : job.error ? (
        <ErrorNotice error={job.error} title="The backup failed" />
      ) : null}
      <div className="form__actions">
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
        <button type="button" className="btn btn--primary" data-autofocus onClick={() => useBackupJob.getState().reset()}>
          Back to options
        </button>
      </div>
    </div>
  );
}

function Figure({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div className="figure">
      <p className="figure__label">{label}</p>
      <p className="figure__value">{value}</p>
      {detail ? <p className="figure__detail">{detail}</p> : null}
    </div>
  );
}
