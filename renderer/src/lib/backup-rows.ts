// The Backups table's rows: catalogued backups and failed/interrupted/running attempts
// (backup.list with all: true, fields: 'summary') in one shape, and the sort and filter the table applies.
import type { BackupMetadata, BackupSet, BackupSortKey, BackupStatusFilter, BackupSummary, ChannelOutput } from '../api/types.ts';

/** What backup.list answers with fields: 'summary': summaries and attempts, never full records. */
export type SummaryListItem = Exclude<ChannelOutput<'backup.list'>[number], BackupMetadata>;
export type { BackupSummary };

type BackupScope = BackupSummary['scope'];

/** cancelled: an attempt the user ended (Cancel); it needs no attention and is not a failure. */
export type RowStatus = 'completed' | 'missing' | 'deleted' | 'failed' | 'interrupted' | 'cancelled' | 'running' | 'partial';

/** A whole-server set's row (lib/set-rows.ts). */
export interface SetInfo {
  record: BackupSet;
  /** Its databases in the set's order: a member backup's row, or a failed database's row with the reason. */
  members: BackupRow[];
}
/**
 * checksum-only: verified, but only the stored file's checksum (its key is not on this machine).
 * checked-at-import: an imported dump never verified since; its import read its structure (model/import-check-words.ts).
 */
export type VerifiedState = 'valid' | 'checksum-only' | 'invalid' | 'checked-at-import' | 'never';

export interface BackupRow {
  id: string;
  profile: string;
  database: string | null;
  status: RowStatus;
  timestamp: string;
  filename: string | null;
  format: string | null;
  compression: string | null;
  size: number | null;
  duration: number | null;
  /** null for attempts that produced no backup. */
  verified: VerifiedState | null;
  restoreTest: 'passed' | 'failed' | null;
  /** null for attempts that produced no backup. */
  scope: BackupScope | null;
  /** Kept whatever the retention policy; false for attempts. */
  pinned: boolean;
  error: string | null;
  /** A failed attempt's next step, as said when it failed (the app's words when they differ from the CLI's). */
  hint?: string;
  /** The list's summary; the details panel asks backup.show for the rest. */
  backup: BackupSummary | null;
  /** A whole-server set's row: the set and its members; null for backups and attempts. */
  set: SetInfo | null;
  /** A set member's row: the set's id. */
  memberOf: string | null;
}

/** A catalogued backup, not an attempt that produced none: only backups have a format. */
export function isBackup(item: SummaryListItem): item is BackupSummary {
  return 'format' in item;
}

const SCOPE_LABELS: Record<BackupScope, string | null> = { full: null, 'schema-only': 'Schema only', 'data-only': 'Data only', partial: 'Partial' };

/** The badge a backup that is not the whole database wears; null for full backups and attempts. */
export function scopeLabel(scope: BackupScope | null): string | null {
  return scope ? SCOPE_LABELS[scope] : null;
}

export function verifiedState(lastVerified: BackupSummary['lastVerified'], imported = false): VerifiedState {
  if (!lastVerified) return imported ? 'checked-at-import' : 'never';
  if (!lastVerified.valid) return 'invalid';
  return lastVerified.contentChecked === false ? 'checksum-only' : 'valid';
}

export function toRow(item: SummaryListItem): BackupRow {
  if (isBackup(item)) {
    return {
      id: item.id,
      profile: item.profile,
      database: item.database,
      status: item.status,
      timestamp: item.timestamp,
      filename: item.filename,
      format: item.format,
      compression: item.compression,
      size: item.size,
      duration: item.duration,
      verified: verifiedState(item.lastVerified, item.imported),
      restoreTest: item.restoreTest?.status ?? null,
      scope: item.scope,
      pinned: item.pinned,
      error: null,
      backup: item,
      set: null,
      memberOf: null,
    };
  }
  return {
    id: item.id,
    profile: item.profile ?? '—',
    database: null,
    status: item.status as RowStatus,
    timestamp: item.timestamp,
    filename: item.filename,
    format: null,
    compression: null,
    size: null,
    duration: null,
    verified: null,
    restoreTest: null,
    scope: null,
    pinned: false,
    error: item.error ?? null,
    ...((item.appHint ?? item.hint) ? { hint: item.appHint ?? item.hint } : {}),
    backup: null,
    set: null,
    memberOf: null,
  };
}

/** One verdict on what is proven about a backup; null for attempts that produced none. */
export type ProofState = 'invalid' | 'restore-tested' | VerifiedState;

/**
 * A failed check outranks a passed one, whichever came last: a drill that passed in January says
 * nothing about a file that fails its checksum today, so such a backup never wears a green badge.
 */
export function proofOf(row: Pick<BackupRow, 'verified' | 'restoreTest'>): ProofState | null {
  if (row.verified === null) return null;
  if (row.verified === 'invalid' || row.restoreTest === 'failed') return 'invalid';
  return row.restoreTest === 'passed' ? 'restore-tested' : row.verified;
}

/** The badge a row wears for what is proven: a failed drill says so, rather than "Verify failed" on a file whose checksum held. */
export function proofBadge(row: Pick<BackupRow, 'verified' | 'restoreTest'>): 'restore-tested' | VerifiedState | 'drill-failed' {
  const proof = proofOf(row) ?? 'never';
  return proof === 'invalid' && row.verified !== 'invalid' ? 'drill-failed' : proof;
}

/** What the "problems" filter and the Overview's attention list show: runs that failed, files gone, checks failed. */
export function isProblem(row: BackupRow): boolean {
  return row.status === 'failed' || row.status === 'interrupted' || row.status === 'missing' || row.status === 'partial' || proofOf(row) === 'invalid';
}

/** The columns the table sorts by: backup.page sorts by the same ones (main/core/model/backup-page.ts). */
export type SortKey = BackupSortKey;
export type SortDirection = 'asc' | 'desc';

// An import's check ranks with 'never', as backup.page's SQL ranks it: it is not a verify.
const proofRank: Record<ProofState, number> = { invalid: 0, never: 1, 'checked-at-import': 1, 'checksum-only': 1.5, valid: 2, 'restore-tested': 3 };

function sortValue(row: BackupRow, key: SortKey): string | number | null {
  switch (key) {
    case 'timestamp':
      return Date.parse(row.timestamp) || 0;
    case 'verified': {
      const proof = proofOf(row);
      return proof === null ? null : proofRank[proof];
    }
    default:
      return row[key];
  }
}

/** Stable; rows without a value (failed attempts have no size) sort last in either direction. */
export function sortRows(rows: readonly BackupRow[], key: SortKey, direction: SortDirection): BackupRow[] {
  const sign = direction === 'asc' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: sortValue(row, key) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) return a.value === b.value ? a.index - b.index : a.value === null ? 1 : -1;
      const order = typeof a.value === 'number' && typeof b.value === 'number' ? a.value - b.value : String(a.value).localeCompare(String(b.value));
      return order === 0 ? a.index - b.index : sign * order;
    })
    .map(({ row }) => row);
}

export interface RowFilter {
  /** Matches file name, profile, database, format, scope ("schema only", "partial"…) and error text, case-insensitively. */
  text: string;
  profile: string;
  status: BackupStatusFilter;
}

export const NO_FILTER: RowFilter = { text: '', profile: '', status: 'all' };

export function matchesFilter(row: BackupRow, filter: RowFilter): boolean {
  if (filter.profile && row.profile !== filter.profile) return false;
  if (filter.status === 'good' && !isUsable(row)) return false;
  if (filter.status === 'problems' && !isProblem(row)) return false;
  if (filter.status !== 'all' && filter.status !== 'good' && filter.status !== 'problems' && row.status !== filter.status) return false;
  const needle = filter.text.trim().toLowerCase();
  if (!needle) return true;
  const memberDatabases = row.set?.members.map((member) => member.database) ?? [];
  return [row.filename, row.profile, row.database, row.format, scopeLabel(row.scope), row.scope === 'full' ? null : row.scope, row.error, row.id, ...memberDatabases].some((field) =>
    field?.toLowerCase().includes(needle),
  );
}

export function filterRows(rows: readonly BackupRow[], filter: RowFilter): BackupRow[] {
  return rows.filter((row) => matchesFilter(row, filter));
}

/** A backup one could restore: completed, and not found damaged by its last verify or drill. */
export function isUsable(row: BackupRow): boolean {
  return row.status === 'completed' && proofOf(row) !== 'invalid';
}

/**
 * The only usable backup of its profile's database: deleting it leaves nothing to restore, so it keeps
 * the typed confirmation; any other backup is deleted after a plain one.
 */
export function isLastUsableBackup(row: BackupRow, rows: readonly BackupRow[]): boolean {
  if (!isUsable(row)) return false;
  return !rows.some((other) => other.id !== row.id && other.profile === row.profile && other.database === row.database && isUsable(other));
}
