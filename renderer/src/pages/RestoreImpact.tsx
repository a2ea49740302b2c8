// What a restore would do to its target's tables, as a dry run worked it out (core/restore/impact.ts):
// counts by effect, and each table with its rows in the backup and on the target now. One backup's
// restore wizard and a whole-server set's restore dialog (once per database) both show it.
import { Badge } from '../components/ui.tsx';
import { formatCount, plural } from '../lib/format.ts';
import type { RestoreResult } from '../stores/restore.ts';
import { shown } from '../lib/shown.ts';

type Impact = RestoreResult['impact'];

const ACTION_TONES = { replace: 'warn', create: 'ok', lost: 'bad', kept: 'muted' } as const;
const ACTION_LABELS = { replace: 'replaced', create: 'created', lost: 'lost', kept: 'kept' } as const;

/** "2 tables created", "1 table lost", the open sessions: the impact at a glance. */
export function ImpactSummary({ impact, label = 'Impact summary' }: { impact: Pick<Impact, 'tables' | 'activeConnections'>; label?: string }) {
  const counts = impact.tables.reduce<Record<string, number>>((acc, t) => ({ ...acc, [t.action]: (acc[t.action] ?? 0) + 1 }), {});
  return (
    <ul className="impact-summary" aria-label={label}>
      {(['create', 'replace', 'lost', 'kept'] as const).map((action) =>
        counts[action] ? (
          <li key={action}>
            <Badge tone={ACTION_TONES[action]}>
              {plural(counts[action], 'table')} {ACTION_LABELS[action]}
            </Badge>
          </li>
        ) : null,
      )}
      {impact.activeConnections ? (
        <li>
          <Badge tone="warn">{impact.activeConnections} open sessions</Badge>
        </li>
      ) : null}
    </ul>
  );
}

/** Every table the restore touches or leaves: open by default when the list is short. */
export function ImpactTable({ tables, label = 'Restore impact' }: { tables: Impact['tables']; label?: string }) {
  return (
    <details className="disclosure" open={tables.length <= 12}>
      <summary>Tables ({tables.length})</summary>
      <table className="table table--compact" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Table</th>
            <th scope="col" className="num">
              Rows in backup
            </th>
            <th scope="col" className="num">
              Rows in target now
            </th>
            <th scope="col">Effect</th>
          </tr>
        </thead>
        <tbody>
          {tables.map((t) => (
            <tr key={t.table}>
              <td className="mono">{shown(t.table)}</td>
              <td className="num">{formatCount(t.backupRows)}</td>
              <td className="num">{t.targetRows === null ? <span className="muted">—</span> : formatCount(t.targetRows)}</td>
              <td>
                <Badge tone={ACTION_TONES[t.action]}>{ACTION_LABELS[t.action]}</Badge>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
