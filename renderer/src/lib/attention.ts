// The Overview's "Needs attention": failed and interrupted runs, files gone, and backups that failed
// verification or their restore drill, newest problem first and capped. Routine failures must not
// hide a backup that may not restore, so the latest failed check of every profile always shows,
// past the cap if need be; the rest fill what room is left. A partial whole-server set is a run that
// did not get every database, said as such (it had no drill to fail).
import { isProblem, type BackupRow } from './backup-rows.ts';
import { formatRelative } from './format.ts';

export interface AttentionItem {
  row: BackupRow;
  kind: 'run' | 'partial' | 'missing' | 'verify' | 'drill';
  /** When it went wrong: a failed check's own time (a verify today of a backup from January), else the backup's or run's. */
  at: string;
}

function itemOf(row: BackupRow): AttentionItem {
  if (row.status === 'failed' || row.status === 'interrupted') return { row, kind: 'run', at: row.timestamp };
  if (row.status === 'partial') return { row, kind: 'partial', at: row.timestamp };
  if (row.status === 'missing') return { row, kind: 'missing', at: row.timestamp };
  if (row.verified === 'invalid') return { row, kind: 'verify', at: row.backup?.lastVerified?.at ?? row.timestamp };
  return { row, kind: 'drill', at: row.backup?.restoreTest?.at ?? row.timestamp };
}

const isFailedCheck = (item: AttentionItem) => item.kind !== 'run' && item.kind !== 'partial';

export function attentionItems(rows: readonly BackupRow[], limit = 6): AttentionItem[] {
  const items = rows
    .filter(isProblem)
    .map(itemOf)
    .sort((a, b) => (Date.parse(b.at) || 0) - (Date.parse(a.at) || 0));
  const always = new Set<AttentionItem>();
  const profiles = new Set<string>();
  for (const item of items) {
    if (!isFailedCheck(item) || profiles.has(item.row.profile)) continue;
    profiles.add(item.row.profile);
    always.add(item);
  }
  const room = Math.max(0, limit - always.size);
  const chosen = new Set([...always, ...items.filter((item) => !always.has(item)).slice(0, room)]);
  return items.filter((item) => chosen.has(item));
}

/** The Overview's line for an item: what went wrong, in a DBA's words. */
export function attentionDetail({ row, kind }: AttentionItem, now: number): string {
  const taken = `taken ${formatRelative(row.timestamp, now)}`;
  switch (kind) {
    case 'run':
      return row.error ?? 'The backup did not complete.';
    case 'partial':
      // row.database is the set's "1 of 2 databases"; row.error names each database that failed and why.
      return `The whole-server backup ${row.filename ?? row.id} (${taken}) is partial, ${row.database}${row.error ? `: ${row.error}` : ''}.`;
    case 'missing':
      return `${row.filename} is no longer on disk.`;
    case 'verify':
      return `${row.filename} (${taken}) failed verification: it may not restore.`;
    case 'drill':
      return `The restore drill of ${row.filename} (${taken}) failed.`;
  }
}
