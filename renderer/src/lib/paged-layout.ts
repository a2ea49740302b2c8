// The Backups table's lines over a paged list: backup.page numbers the top-level rows (a whole-server
// set is one), and an expanded set's members are lines after it that no page counts. This maps a
// line of the table to its page row or set member, and a range of lines back to the rows to load.
import type { BackupRow } from './backup-rows.ts';

/** What one line of the table shows: a top-level row (maybe not loaded yet) or a member of the expanded set above it. */
export type Line = { index: number; row: BackupRow | undefined; member: false } | { index: number; row: BackupRow; member: true };

export interface PagedLayout {
  /** Lines in the table: the matching rows plus the members of each expanded set that is loaded. */
  count: number;
  line(at: number): Line;
  /** The top-level row index a line belongs to (a member's is its set's). */
  indexOf(at: number): number;
}

/**
 * An expanded set whose page is not loaded shows no members (it has no row to show them from): its
 * lines come back with its page. Sets are few and their members a handful, so a walk is enough.
 */
export function pagedLayout(total: number, rowAt: (index: number) => BackupRow | undefined, pages: Record<number, BackupRow[]>, pageSize: number, expanded: ReadonlySet<string>): PagedLayout {
  const open: Array<{ index: number; row: BackupRow; members: BackupRow[] }> = [];
  if (expanded.size > 0) {
    for (const [page, rows] of Object.entries(pages)) {
      rows.forEach((row, offset) => {
        if (row.set && expanded.has(row.id) && row.set.members.length > 0) open.push({ index: Number(page) * pageSize + offset, row, members: row.set.members });
      });
    }
    open.sort((a, b) => a.index - b.index);
  }
  const count = total + open.reduce((sum, set) => sum + set.members.length, 0);
  const locate = (at: number): Line => {
    let shift = 0;
    for (const set of open) {
      const first = set.index + shift + 1;
      if (at < first) break;
      if (at < first + set.members.length) return { index: set.index, row: set.members[at - first]!, member: true };
      shift += set.members.length;
    }
    const index = at - shift;
    return { index, row: rowAt(index), member: false };
  };
  return { count, line: locate, indexOf: (at) => locate(at).index };
}
