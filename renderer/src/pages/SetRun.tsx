// A whole-server backup set as "Back up now" takes it: each database's state while its members run
// (several at once), then the set as it ended — completed, or partial naming each database that failed
// and why, never shown as a good whole-server backup.
import { Spinner, StatusBadge, Facts } from '../components/ui.tsx';
import { PHASES } from '../lib/backup-form.ts';
import { formatBytes, formatDuration } from '../lib/format.ts';
import { heldLabel } from '../lib/set-rows.ts';
import type { BackupSet } from '../api/types.ts';
import type { BackupProgress } from '../stores/backup-job.ts';

const phaseLabel = (phase: BackupProgress['phase']) => (phase === 'failed' ? 'Failed' : (PHASES.find((p) => p.phase === phase)?.label ?? phase));

/** One line per database that has started: its phase and bytes written, a mark when done or failed. */
export function SetProgress({ databases }: { databases: Record<string, BackupProgress> }) {
  const names = Object.keys(databases).sort();
  if (names.length === 0) {
    return (
      <p className="muted" role="status">
        <Spinner /> Listing the server&apos;s databases…
      </p>
    );
  }
  return (
    <ol className="phase-list" aria-label="Databases">
      {names.map((name) => {
        const progress = databases[name]!;
        const state = progress.phase === 'done' ? 'is-done' : progress.phase === 'failed' ? 'is-failed' : 'is-current';
        return (
          <li key={name} className={`phase-list__item ${state}`} data-database={name}>
            <span className="phase-list__mark" aria-hidden="true">
              {progress.phase === 'done' ? '✓' : progress.phase === 'failed' ? '✗' : <Spinner />}
            </span>
            <span className="mono">{name}</span>
            <span className="muted">
              {' '}
              · {phaseLabel(progress.phase)}
              {progress.bytes ? ` · ${formatBytes(progress.bytes)}` : ''}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** The set as it ended: a partial set is a warning with its reasons, never the green box. */
export function SetTaken({ set }: { set: BackupSet }) {
  const completed = set.status === 'completed';
  const size = set.databases.reduce((sum, member) => sum + member.size, 0);
  return (
    <>
      <div className={`result-box ${completed ? 'result-box--ok' : 'result-box--bad'}`} role="status">
        <p className="result-box__title">{completed ? 'Backup set completed' : 'Backup set is partial: not a whole-server backup'}</p>
        <p>
          {heldLabel(set)} of <span className="mono">{set.profile}</span>, and {set.globals.filename ? 'the roles file' : 'no roles file'}
        </p>
        {set.problems.length ? (
          <ul aria-label="What failed">
            {set.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        ) : null}
      </div>
      <Facts
        items={[
          ['Databases', set.databases.map((member) => member.database).join(', ') || '—'],
          ['Size', formatBytes(size)],
          ['Duration', formatDuration(set.durationMs)],
          ['Status', <StatusBadge key="s" status={set.status} />],
        ]}
      />
    </>
  );
}
