// A whole-server backup set in full: what it holds (its members, the roles file, the manifest's
// checksum), what failed if it is partial, and its actions — verify every member, the whole-set
// drill, restore (target, databases, create or replace), and delete, which deletes the set whole.
import { useState } from 'react';
import { DeleteDialog } from '../components/DeleteDialog.tsx';
import { icons } from '../components/icons.tsx';
import { ErrorNotice, Facts, Notice, Spinner, StatusBadge } from '../components/ui.tsx';
import { drillWord } from '../../../main/core/model/drill-words.ts';
import type { BackupRow } from '../lib/backup-rows.ts';
import { formatBytes, formatDateTime, formatDuration, formatRelative, plural } from '../lib/format.ts';
import { heldLabel } from '../lib/set-rows.ts';
import { useBackups } from '../stores/backups.ts';
import { useSetRestore } from '../stores/set-restore.ts';
import { useSets, type SetActionState } from '../stores/sets.ts';
import { VerifiedBadge } from './BackupDetails.tsx';
import { SetRestoreDialog } from './SetRestoreDialog.tsx';
import { RESTORE_TOOLS, ToolOutput } from './ToolOutput.tsx';
import { shown, shownOr } from '../lib/shown.ts';

export function SetDetails({ row, onClose }: { row: BackupRow; onClose: () => void }) {
  const action = useSets((s) => s.actions[row.id]);
  const [deleting, setDeleting] = useState(false);
  const [restoring, setRestoring] = useState(false);
  if (!row.set) return null;
  const { record, members } = row.set;
  const running = action?.status === 'running';
  const completed = record.status === 'completed';
  const { verify, testRestore, cancel } = useSets.getState();
  const held = members.filter((member) => member.backup).map((member) => member.database ?? '');
  const drillRefusal = completed ? null : drillRefusalText(record.status);
  const nextSteps = record.databases.filter((member) => member.status === 'failed' && (member.appHint ?? member.hint));
  const openRestore = () => {
    useSetRestore.getState().begin({ setId: record.id, targetProfile: '', only: held, mode: 'create', terminateConnections: false });
    setRestoring(true);
  };

  return (
    <aside className="card details" aria-label="Backup set details">
      <header className="details__header">
        <div>
          <h2 className="details__title">Whole-server set {record.id}</h2>
          <p className="details__subtitle">
            {record.profile} · {formatDateTime(record.timestamp)} ({formatRelative(record.timestamp)})
          </p>
        </div>
        <button type="button" className="btn btn--ghost btn--icon" onClick={onClose} aria-label="Close details">
          {icons.cross}
        </button>
      </header>
      <div className="details__actions">
        <button type="button" className="btn" disabled={running || held.length === 0} onClick={() => void verify(record.id)}>
          {running && action.kind === 'verify' ? <Spinner label="Verifying" /> : icons.check} Verify
        </button>
        <button type="button" className="btn" disabled={running || !completed} aria-describedby={drillRefusal ? 'set-drill-refusal' : undefined} onClick={() => void testRestore(record.id)}>
          {running && action.kind === 'drill' ? <Spinner label="Test restoring" /> : icons.refresh} Test restore
        </button>
        <button type="button" className="btn" disabled={held.length === 0} onClick={openRestore}>
          {icons.restore} Restore…
        </button>
        <button type="button" className="btn btn--danger-ghost" disabled={running || record.status === 'running'} onClick={() => setDeleting(true)}>
          Delete
        </button>
        {running ? (
          <button type="button" className="btn btn--ghost" onClick={() => cancel(record.id)}>
            Cancel
          </button>
        ) : null}
      </div>
      {drillRefusal ? (
        <p id="set-drill-refusal" className="details__reason">
          {drillRefusal}
        </p>
      ) : null}
      {!completed && record.status !== 'running' ? (
        <Notice tone="warn" title={`This set is ${record.status}: it is not a whole-server backup`}>
          <ul aria-label="What is missing">
            {record.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
          {nextSteps.length ? (
            <>
              <p className="notice__hint">What to do:</p>
              <ul aria-label="What to do">
                {nextSteps.map((member) => (
                  <li key={member.database} data-database={member.database}>
                    <span className="mono">{shown(member.database)}</span>: {shownOr(member.appHint ?? member.hint, null)}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </Notice>
      ) : null}
      {action ? <SetActionResult action={action} /> : null}

      <h3 className="details__section">Members</h3>
      <table className="table table--compact set-members" aria-label="Members">
        <thead>
          <tr>
            <th scope="col" className="set-members__name">
              Database
            </th>
            <th scope="col">Status</th>
            <th scope="col" className="num set-members__size">
              Size
            </th>
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <tr key={member.id}>
              <td className="mono">
                {member.backup ? (
                  <button type="button" className="link-button set-members__name-text" title={shownOr(member.database, undefined)} onClick={() => useBackups.getState().select(member.id)}>
                    {shownOr(member.database, null)}
                  </button>
                ) : (
                  <span className="set-members__name-text" title={shownOr(member.database, undefined)}>
                    {shownOr(member.database, null)}
                  </span>
                )}
              </td>
              <td>
                <StatusBadge status={member.status} />
                {member.error ? <span className="cell-secondary set-members__why">{member.error}</span> : null}
              </td>
              <td className="num">{member.backup ? formatBytes(member.size) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="details__section">Set</h3>
      <Facts
        items={[
          ['Status', <StatusBadge key="s" status={record.status} />],
          ['Databases', heldLabel(record)],
          ['Proven', row.verified === null ? <span className="muted">—</span> : <VerifiedBadge key="v" row={row} />],
          ['Roles file', record.globals.filename ? <span className="mono break">{record.globals.filename}</span> : <span className="muted">{record.globals.note ?? 'none'}</span>],
          [
            'Manifest',
            record.manifest ? (
              <span key="m" className="mono break">
                {record.manifest.filename}
                <br />
                {record.manifest.checksum}
              </span>
            ) : (
              <span className="muted">not written (the set did not finish)</span>
            ),
          ],
          ['Server', record.version ?? '—'],
          ['Size', formatBytes(row.size)],
          ['Duration', formatDuration(record.durationMs)],
          ['Parallel', `${plural(record.parallelDatabases, 'database')} at once`],
          ...(record.excluded.length ? [['Excluded', record.excluded.join(', ')] satisfies [string, string]] : []),
          ...(record.added.length ? [['New since last set', record.added.join(', ')] satisfies [string, string]] : []),
          ...(record.dropped.length ? [['Gone since last set', record.dropped.join(', ')] satisfies [string, string]] : []),
          [
            'Id',
            <span key="i" className="mono">
              {record.id}
            </span>,
          ],
        ]}
      />
      <SetRestoreDialog set={record} open={restoring} onClose={() => setRestoring(false)} />
      <DeleteSetDialog row={row} open={deleting} onClose={() => setDeleting(false)} />
    </aside>
  );
}

/** Why Test restore is off for a set that is not completed: said beside the button, not only in a tooltip. */
function drillRefusalText(status: string): string {
  if (status === 'running') return 'Test restore waits until the set has finished.';
  return `Test restore drills a completed set whole; this one is ${status}. Test restore a database alone from its name under Members.`;
}

type CheckState = 'ok' | 'failed' | 'skipped';
const CHECK_MARKS: Record<CheckState, string> = { ok: '✓', failed: '✗', skipped: '–' };

function SetActionResult({ action }: { action: SetActionState }) {
  if (action.status === 'running') {
    return (
      <p className="details__running" role="status">
        <Spinner /> {action.kind === 'verify' ? 'Verifying every member, the roles file and the manifest…' : 'Restoring the whole set into a scratch server and comparing every table…'}
      </p>
    );
  }
  if (action.status === 'failed') return <ErrorNotice error={action.error} title={action.kind === 'verify' ? 'Verify could not run' : 'Test restore could not run'} />;
  const ok = action.kind === 'verify' ? action.result.valid : action.result.ok;
  const lines: Array<{ name: string; state: CheckState; detail: string }> =
    action.kind === 'verify'
      ? [
          ...action.result.checks.map((check) => ({ name: check.name === 'globals' ? 'roles file' : 'manifest', state: check.status, detail: check.detail })),
          ...action.result.databases.map((d) => ({
            name: d.database,
            // A database the set lacks is not a failed check of a file it holds: the set's notice above says what to do.
            state: !d.held ? ('skipped' as const) : d.result?.valid === true ? ('ok' as const) : ('failed' as const),
            detail: !d.held
              ? `not in this set (${d.error})`
              : (d.error ??
                (d.result?.valid
                  ? 'verified'
                  : (d.result?.checks
                      .filter((c) => c.status === 'failed')
                      .map((c) => c.detail)
                      .join('; ') ?? ''))),
          })),
        ]
      : action.result.databases.map((d) => ({
          name: d.database,
          state: d.ok ? ('ok' as const) : ('failed' as const),
          detail: d.error ?? `${d.tables.filter((t) => t.actual === t.expected).length} of ${plural(d.tables.length, 'table')} with matching row counts`,
        }));
  // Verify judges the files the set holds; an incomplete set whose files are intact is said to be both.
  const intactButIncomplete = action.kind === 'verify' && ok && !action.result.complete;
  const title =
    action.kind === 'verify'
      ? intactButIncomplete
        ? `Every database this set holds is intact; the set is ${action.result.status}`
        : ok
          ? 'Backup set verified'
          : 'Verification failed'
      : drillWord({ ok });
  const tone = intactButIncomplete ? 'warn' : ok ? 'ok' : 'bad';
  return (
    <div className={`result-box result-box--${tone}`} role="status" aria-label={action.kind === 'verify' ? 'Verify result' : 'Test restore result'}>
      <p className="result-box__title">
        {title} {action.kind === 'drill' ? <span className="muted">in {formatDuration(action.result.durationMs)}</span> : null}
      </p>
      {action.kind === 'drill' && action.result.error ? <p>{action.result.error}</p> : null}
      <ul className="checks">
        {lines.map((line) => (
          <li key={line.name} className={`checks__item checks__item--${line.state}`}>
            <span className="checks__mark" aria-hidden="true">
              {CHECK_MARKS[line.state]}
            </span>
            <span className="checks__name mono">{line.name}</span>
            <span className="checks__detail">{line.detail}</span>
          </li>
        ))}
      </ul>
      {/* Each member's pg_restore stderr, as a single backup's drill shows its own. */}
      {action.kind === 'drill'
        ? action.result.databases.map((d) =>
            d.runId ? (
              <ToolOutput
                key={d.runId}
                runOrBackupId={d.runId}
                tools={RESTORE_TOOLS}
                title={
                  <>
                    Tool output: <span className="tool-output__name mono">{shown(d.database)}</span>
                  </>
                }
              />
            ) : null,
          )
        : null}
    </div>
  );
}

function DeleteSetDialog({ row, open, onClose }: { row: BackupRow; open: boolean; onClose: () => void }) {
  const set = row.set!.record;
  const held = row.set!.members.filter((member) => member.backup);
  return (
    <DeleteDialog
      open={open}
      title="Delete this whole backup set?"
      confirmLabel="Delete the whole set"
      confirm={set.id}
      typed={{ what: "the set's id" }}
      remove={(confirm) => useSets.getState().remove(set.id, confirm)}
      onClose={onClose}
    >
      <p>
        A set is deleted whole: the backups of all {held.length} of its databases ({held.map((member) => member.database).join(', ')}), its roles file and its manifest are removed from disk (
        {formatBytes(row.size)}). The catalogue keeps a record that they were deleted, and by whom. This cannot be undone.
      </p>
    </DeleteDialog>
  );
}
