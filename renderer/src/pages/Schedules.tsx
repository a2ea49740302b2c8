// Schedules: when each profile is backed up, what happened last time and when it runs next, with the
// retention that applies, previewed before it is saved.
import { EncryptToPicker } from '../components/EncryptToPicker.tsx';
import { choiceFromValue, choiceToValue, type EncryptChoice } from '../lib/encrypt-choice.ts';
import { useEffect, useState, type FormEvent } from 'react';
import { describeLockWait } from '../../../main/core/model/lock-wait.ts';
import type { ErrorInfo } from '../api/types.ts';
import { useNow } from '../components/hooks.ts';
import { icons } from '../components/icons.tsx';
import { ConfirmDialog, Modal } from '../components/Modal.tsx';
import { SchedulingBanner } from '../components/SchedulingBanner.tsx';
import { Badge, Checkbox, EmptyState, ErrorNotice, Field, PageHeader, Spinner, StatusBadge } from '../components/ui.tsx';
import { describeOutput } from '../../../main/core/schedule/schedule-output.ts';
import { formatBytes, formatDateTime, formatInZone, formatRelative, plural, progressFraction } from '../lib/format.ts';
import { cadenceInSentence, scheduleErrorPlacement, scheduleTypeLabel } from '../lib/schedule-form.ts';
import { NOT_RUN_LABEL, schedulesRun } from '../lib/next-run.ts';
import { useNav } from '../stores/nav.ts';
import { useProfiles } from '../stores/profiles.ts';
import { useSchedules, type RetentionPreview, type RunNowState, type Schedule } from '../stores/schedules.ts';
import { CopyToPicker } from './CopyToPicker.tsx';
import { NoLocalCopyToggle, noLocalCopyBlocked } from './NoLocalCopyToggle.tsx';
import { ScheduleEncryptionMark } from './ScheduleEncryption.tsx';
import { drillWord } from '../../../main/core/model/drill-words.ts';

export function Schedules() {
  const schedules = useSchedules((s) => s.schedules);
  const loaded = useSchedules((s) => s.loaded);
  const error = useSchedules((s) => s.error);
  const busy = useSchedules((s) => s.busy);
  const profiles = useProfiles((s) => s.profiles);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Schedule | null>(null);
  const runs = useSchedules((s) => s.runs);
  const willRun = useSchedules((s) => schedulesRun(s.hosts));
  const [removing, setRemoving] = useState<Schedule | null>(null);
  const now = useNow(30_000);

  useEffect(() => {
    void useSchedules.getState().load();
  }, []);

  const add = (
    <button type="button" className="btn btn--primary" onClick={() => setAdding(true)} disabled={profiles.length === 0}>
      {icons.plus} Add schedule
    </button>
  );

  return (
    <>
      <PageHeader
        title="Schedules"
        subtitle="Backups that run by themselves, in whichever Holdfast runs the schedules: the desktop app, the background service or the web server."
        actions={schedules.length ? add : undefined}
      />
      <SchedulingBanner />
      {error ? <ErrorNotice error={error} /> : null}
      {loaded && schedules.length === 0 ? (
        <EmptyState
          title="No schedules yet"
          action={
            profiles.length ? (
              add
            ) : (
              <button type="button" className="btn btn--primary" onClick={() => useNav.getState().navigate('connections')}>
                Add a connection first
              </button>
            )
          }
        >
          Without a schedule, backups run only when you press Back up now. A daily schedule with a retention policy keeps a rolling set of restore points.
        </EmptyState>
      ) : (
        <section className="card">
          <table className="table" aria-label="Schedules">
            <thead>
              <tr>
                <th scope="col">Profile</th>
                <th scope="col">When</th>
                <th scope="col">Next run</th>
                <th scope="col">Last run</th>
                <th scope="col">Retention</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {schedules.map((schedule) => (
                <tr key={schedule.id}>
                  <th scope="row">
                    {schedule.profile}
                    <div className="cell-secondary">
                      {scheduleTypeLabel(schedule.type)} · {describeOutput(schedule.output)}
                      {schedule.testRestore ? ' · restore drill' : ''}
                      {schedule.copyTo ? ` · copies to ${schedule.copyTo.join(', ') || 'none'}` : ''}
                      <ScheduleEncryptionMark schedule={schedule} />
                    </div>
                  </th>
                  <td>
                    {schedule.description}
                    <div className="cell-secondary mono">
                      {schedule.schedule} · {schedule.timeZone}
                    </div>
                  </td>
                  <td>
                    {!schedule.enabled ? (
                      <StatusBadge status="paused" />
                    ) : willRun ? (
                      <>
                        {formatRelative(schedule.nextRun, now)}
                        <div className="cell-secondary">{formatInZone(schedule.nextRun, schedule.timeZone)}</div>
                      </>
                    ) : (
                      <span className="muted">{NOT_RUN_LABEL}</span>
                    )}
                  </td>
                  <td>
                    {schedule.lastRun ? (
                      <>
                        <StatusBadge status={schedule.status === 'paused' ? 'paused' : schedule.status} /> <span className="cell-secondary">{formatRelative(schedule.lastRun, now)}</span>
                        {schedule.lastError ? <div className="cell-error">{schedule.lastError}</div> : null}
                      </>
                    ) : (
                      <span className="muted">never</span>
                    )}
                    <RunNowStatus run={runs[schedule.id]} />
                  </td>
                  <td className="mono">{schedule.retention ?? <span className="muted">default</span>}</td>
                  <td className="actions-cell actions-cell--wrap">
                    <button type="button" className="btn btn--small" disabled={runs[schedule.id]?.status === 'running'} onClick={() => void useSchedules.getState().runNow(schedule.id)}>
                      Run now
                    </button>
                    <button type="button" className="btn btn--small" onClick={() => setEditing(schedule)}>
                      Edit
                    </button>
                    <button type="button" className="btn btn--small" disabled={busy[schedule.id]} onClick={() => void useSchedules.getState().setEnabled(schedule.id, !schedule.enabled)}>
                      {schedule.enabled ? 'Pause' : 'Resume'}
                    </button>
                    <button type="button" className="btn btn--small btn--danger-ghost" onClick={() => setRemoving(schedule)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <Modal open={adding} title="Add a schedule" onClose={() => setAdding(false)}>
        {adding ? <ScheduleForm onDone={() => setAdding(false)} /> : null}
      </Modal>
      <Modal open={editing !== null} title="Edit the schedule" onClose={() => setEditing(null)}>
        {editing ? <ScheduleForm editing={editing} onDone={() => setEditing(null)} /> : null}
      </Modal>
      <ConfirmDialog
        open={removing !== null}
        title="Remove this schedule?"
        confirmLabel="Remove schedule"
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (removing) await useSchedules.getState().remove(removing.id);
          setRemoving(null);
        }}
      >
        <p>{removing ? `${removing.profile}: ${removing.description}. Backups already taken are kept.` : ''}</p>
      </ConfirmDialog>
    </>
  );
}

const PRESETS = [
  ['daily', 'Daily'],
  ['weekly', 'Weekly'],
  ['monthly', 'Monthly'],
  ['custom', 'Cron'],
] as const;

/** A Run now's progress in its row, then how it ended. */
function RunNowStatus({ run }: { run: RunNowState | undefined }) {
  if (!run) return null;
  if (run.status === 'running') {
    const fraction = run.progress ? progressFraction(run.progress.bytes, run.progress.expectedBytes) : undefined;
    return (
      <div className="run-now" role="status" aria-label="Run now">
        <Spinner /> Running now{run.progress ? ` · ${run.progress.lockWait ? describeLockWait(run.progress.lockWait) : `${run.progress.phase} · ${formatBytes(run.progress.bytes)}`}` : '…'}
        <progress className="progress" aria-label="Run now progress" {...(fraction === undefined ? {} : { value: fraction, max: 1 })} />
      </div>
    );
  }
  if (run.status === 'failed') return <ErrorNotice error={run.error} title="Run now failed" />;
  return (
    <div className="run-now" role="status" aria-label="Run now">
      <Badge tone={run.result.drill && !run.result.drill.ok ? 'bad' : 'ok'}>Ran now</Badge> <span className="mono">{run.result.backup.filename}</span>
      {run.result.drill ? <span className="cell-secondary"> · {run.result.drill.ok ? drillWord(run.result.drill) : `${drillWord(run.result.drill)}: ${run.result.drill.error}`}</span> : null}
    </div>
  );
}

function ScheduleForm({ onDone, editing }: { onDone: () => void; editing?: Schedule }) {
  const profiles = useProfiles((s) => s.profiles);
  const [profile, setProfile] = useState(editing?.profile ?? profiles[0]?.name ?? '');
  const [type, setType] = useState<(typeof PRESETS)[number][0]>(editing?.type ?? 'daily');
  const [cron, setCron] = useState(editing?.schedule ?? '0 2 * * *');
  const [timeZone, setTimeZone] = useState(() => editing?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [format, setFormat] = useState<'custom' | 'plain' | 'directory' | 'tar'>(editing?.options.format ?? 'custom');
  const [retention, setRetention] = useState(editing?.retention ?? '');
  const [testRestore, setTestRestore] = useState(editing?.testRestore ?? false);
  const [encryption, setEncryption] = useState<EncryptChoice>(() => choiceFromValue(editing?.options.encryptTo));
  // null: the connection's default destinations, whatever they become.
  const [copyTo, setCopyTo] = useState<string[] | null>(editing?.copyTo ?? null);
  // Its backups kept on those destinations only; null: the connection's choice, whatever it becomes.
  const [noLocalCopy, setNoLocalCopy] = useState<boolean | null>(editing?.options.noLocalCopy ?? null);
  const profileKeepsNoLocalCopy = profiles.find((p) => p.name === profile)?.noLocalCopy ?? false;
  const connectionCopyTo = profiles.find((p) => p.name === profile)?.copyTo ?? [];
  const destinations = copyTo ?? profiles.find((p) => p.name === profile)?.copyTo ?? [];
  const [preview, setPreview] = useState<RetentionPreview | null>(null);
  const [previewError, setPreviewError] = useState<ErrorInfo | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [cronError, setCronError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    setPreview(null);
    setPreviewError(null);
    if (!retention.trim()) return undefined;
    // Preview as the policy is typed, once typing pauses.
    const timer = setTimeout(async () => {
      const result = await useSchedules.getState().preview(retention.trim(), profile || undefined, { type, cron, timeZone });
      if (result.ok) setPreview(result.value);
      else setPreviewError(result.error);
    }, 350);
    return () => clearTimeout(timer);
  }, [retention, profile, type, cron, timeZone]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setError(null);
    setCronError(null);
    // The encryption is sent only when it changed: left out, the schedule keeps its own (and an admin,
    // who may not choose it under holdfast serve, can still edit the time). Back to inherit clears it.
    const { encryptTo: _keptByTheEngine, noLocalCopy: _sentBelow, ...editedOptions } = editing?.options ?? {};
    const encryptTo = choiceToValue(encryption, 'schedule');
    const encryptionChanged = JSON.stringify(encryptTo) !== JSON.stringify(editing?.options.encryptTo);
    // A disabled box counts as unticked; left as the connection's choice, nothing is sent.
    const keeps = (noLocalCopy ?? profileKeepsNoLocalCopy) && noLocalCopyBlocked(destinations, format) === undefined;
    const local = noLocalCopy === null && keeps === profileKeepsNoLocalCopy ? {} : { noLocalCopy: keeps };
    // Back to the connection's choice clears the schedule's own, so it follows later changes to the connection.
    const inheritLocal = editing?.options.noLocalCopy !== undefined && !('noLocalCopy' in local) ? { inheritNoLocalCopy: true as const } : {};
    const result = editing
      ? await useSchedules.getState().edit({
          id: editing.id,
          type,
          ...(type === 'custom' ? { cron } : {}),
          timeZone,
          options: { ...editedOptions, format, ...(encryptionChanged && encryptTo !== undefined ? { encryptTo } : {}), ...local },
          ...(encryptionChanged && encryptTo === undefined ? { inheritEncryption: true as const } : {}),
          ...inheritLocal,
          retention: retention.trim() || null,
          testRestore,
          copyTo,
        })
      : await useSchedules.getState().add({
          profile,
          type,
          ...(type === 'custom' ? { cron } : {}),
          timeZone,
          options: { format, ...(encryptTo === undefined ? {} : { encryptTo }), ...local },
          ...(retention.trim() ? { retention: retention.trim() } : {}),
          testRestore,
          ...(copyTo ? { copyTo } : {}),
        });
    setSaving(false);
    if (result.ok) return onDone();
    const placed = scheduleErrorPlacement(result.error, type);
    setError(placed.notice);
    setCronError(placed.cron);
  }

  const kept = preview?.existing.filter((d) => d.action === 'keep').length ?? 0;
  const deleting = preview?.existing.filter((d) => d.action === 'delete') ?? [];
  const pinned = preview?.existing.filter((d) => d.action === 'keep' && d.reasons.includes('pinned')) ?? [];
  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Schedule">
      {error ? <ErrorNotice error={error} onDismiss={() => setError(null)} /> : null}
      <Field label="Connection">
        {(control) => (
          <select {...control} className="input" value={profile} disabled={editing !== undefined} onChange={(event) => setProfile(event.target.value)}>
            {profiles.map((p) => (
              <option key={p.id} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <fieldset className="segmented">
        <legend className="field__label">How often</legend>
        {PRESETS.map(([value, label]) => (
          <label key={value} className={`segmented__option${type === value ? ' is-checked' : ''}`}>
            <input type="radio" name="type" checked={type === value} onChange={() => setType(value)} />
            {label}
          </label>
        ))}
      </fieldset>
      {type === 'custom' ? (
        <Field label="Cron expression" error={cronError ?? undefined} hint="minute hour day-of-month month day-of-week; e.g. 0 */6 * * * is every six hours.">
          {(control) => (
            <input
              {...control}
              className="input mono"
              value={cron}
              onChange={(event) => {
                setCron(event.target.value);
                setCronError(null);
              }}
            />
          )}
        </Field>
      ) : (
        <p className="field__hint">The {type} preset runs at the time the settings give (Settings → Schedules).</p>
      )}
      <div className="form__row">
        <Field label="Time zone" className="form__grow">
          {(control) => <input {...control} className="input" value={timeZone} onChange={(event) => setTimeZone(event.target.value)} />}
        </Field>
        <Field label="Format" className="form__grow">
          {(control) => (
            <select {...control} className="input" value={format} onChange={(event) => setFormat(event.target.value as typeof format)}>
              <option value="custom">custom</option>
              <option value="directory">directory</option>
              <option value="plain">plain</option>
              <option value="tar">tar</option>
            </select>
          )}
        </Field>
      </div>
      <EncryptToPicker
        level="schedule"
        choice={encryption}
        onChange={setEncryption}
        above={{ profile: { value: profiles.find((p) => p.name === profile)?.encryptTo ?? null, label: `the connection “${profile}”` } }}
      />
      <Field label="Retention" hint="Empty keeps the default. 30d keeps 30 days; gfs:7d,4w,12m keeps 7 daily, 4 weekly and 12 monthly backups.">
        {(control) => <input {...control} className="input mono" placeholder="e.g. gfs:7d,4w,12m" value={retention} onChange={(event) => setRetention(event.target.value)} />}
      </Field>
      {previewError ? <ErrorNotice error={previewError} title="This policy is not valid" /> : null}
      {preview ? (
        <div className="result-box" role="status" aria-label="Retention preview">
          <p className="result-box__title">{preview.policy}</p>
          <p>
            Of the {plural(preview.existing.length, 'existing backup')}
            {profile ? ` of ${profile}` : ''}, it keeps <strong>{kept}</strong> and would delete <strong>{preview.existing.length - kept}</strong>.
          </p>
          {deleting.length ? (
            <ul className="retention-files" aria-label="Backups it would delete">
              {deleting.map((d) => (
                <li key={d.id}>
                  <span className="mono">{d.filename}</span>{' '}
                  <span className="muted">
                    · {formatBytes(d.size)} · {d.reasons.join('; ')}
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
          {pinned.length ? (
            <p>
              Kept (pinned): <span className="mono">{pinned.map((d) => d.filename).join(', ')}</span>
            </p>
          ) : null}
          <p>
            After a year of this schedule&apos;s backups ({cadenceInSentence(preview.simulated.cadence)}, {preview.simulated.backups.toLocaleString('en-US')} in all) it keeps{' '}
            <strong>{preview.simulated.keptCount}</strong>, the oldest from {formatDateTime(preview.simulated.kept.at(-1)?.at)}.
          </p>
        </div>
      ) : null}
      <CopyToPicker defaults={connectionCopyTo} chosen={copyTo} onChange={setCopyTo} />
      {/* Bordered, and naming what they go back to: as bare bold lines they read as the next box's heading. */}
      {copyTo ? (
        <button type="button" className="btn btn--small form__reset" onClick={() => setCopyTo(null)}>
          {`Use the connection's destinations (${connectionCopyTo.join(', ') || 'none'})`}
        </button>
      ) : null}
      <NoLocalCopyToggle checked={noLocalCopy ?? profileKeepsNoLocalCopy} onChange={setNoLocalCopy} destinations={destinations} format={format} />
      {noLocalCopy !== null ? (
        <button type="button" className="btn btn--small form__reset" onClick={() => setNoLocalCopy(null)}>
          {`Use the connection's local-copy choice (${profileKeepsNoLocalCopy ? 'no local copy' : 'keep a local copy'})`}
        </button>
      ) : null}
      <Checkbox
        label="Prove each backup with a restore drill"
        checked={testRestore}
        onChange={setTestRestore}
        hint="Restores into a scratch server after each backup and compares every table's row count."
      />
      <div className="form__actions">
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn btn--primary" disabled={saving || !profile}>
          {saving ? 'Saving…' : editing ? 'Save changes' : 'Add schedule'}
        </button>
      </div>
      <p className="field__hint">
        <Badge tone="info">Note</Badge> Schedules run wherever Holdfast runs the schedules: the desktop app, the background service or the web server. The banner on this page says whether one is
        running them now.
      </p>
    </form>
  );
}
