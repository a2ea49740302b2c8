// Whole-server backup sets in the Backups table: a set is one row (set.list nests its members under
// it), which expands to its members, each the row a single backup is. A set's failed databases are
// rows too, so a partial set says which ones failed and why; the attempts its own run and its failed
// members left in the run log are folded into it by the set's id (set.list nests them), never shown loose beside it.
import type { BackupSet, ChannelOutput, SetListEntry } from '../api/types.ts';
import { groupedCount, plural } from './format.ts';
import { isBackup, toRow, type BackupRow, type SummaryListItem, type VerifiedState } from './backup-rows.ts';
export type { SetInfo } from './backup-rows.ts';

/** What set.list answers with fields: 'summary': summaries, attempts, and sets with their members' summaries. */
export type SetListItem = SummaryListItem | SetListEntry<SummaryListItem>;

export function isSetEntry(item: SetListItem): item is SetListEntry<SummaryListItem> {
  return 'kind' in item && item.kind === 'set';
}

/** "2 of 3 databases": what the set holds against what the server had. */
export function heldLabel(set: Pick<BackupSet, 'databases' | 'expected'>): string {
  const held = set.databases.filter((member) => member.status === 'completed').length;
  return `${held} of ${plural(Math.max(set.expected.length, set.databases.length), 'database')}`;
}

/**
 * A set is as proven as its least proven member. A partial or interrupted set shows what verify found
 * in the files it holds, as `holdfast verify` says it; its status and Partial badge say it is not the
 * whole server, and it never counts as a good copy (isUsable, retention).
 */
function setProof(members: readonly BackupRow[]): Pick<BackupRow, 'verified' | 'restoreTest'> {
  if (members.length === 0) return { verified: null, restoreTest: null };
  const verified: VerifiedState = members.some((m) => m.verified === 'invalid')
    ? 'invalid'
    : members.every((m) => m.verified === 'valid')
      ? 'valid'
      : members.every((m) => m.verified === 'valid' || m.verified === 'checksum-only')
        ? 'checksum-only'
        : 'never';
  const restoreTest = members.some((m) => m.restoreTest === 'failed') ? 'failed' : members.every((m) => m.restoreTest === 'passed') ? 'passed' : null;
  return { verified, restoreTest };
}

function failedMemberRow(set: BackupSet, member: BackupSet['databases'][number]): BackupRow {
  return {
    ...toRow({ id: `${set.id}/${member.database}`, status: member.status, profile: set.profile, timestamp: set.timestamp, filename: null, error: member.error ?? 'not backed up' }),
    database: member.database,
    memberOf: set.id,
  };
}

export function setToRow(entry: SetListEntry<SummaryListItem>): BackupRow {
  const { members: listed, ...record } = entry;
  const byId = new Map(listed.filter(isBackup).map((member) => [member.id, { ...toRow(member), memberOf: record.id }]));
  const members = record.databases.map((member) => (member.id && byId.get(member.id)) || failedMemberRow(record, member));
  const held = members.filter((member) => member.backup);
  return {
    id: record.id,
    profile: record.profile,
    database: heldLabel(record),
    status: record.status === 'deleted' ? 'deleted' : record.status,
    timestamp: record.timestamp,
    filename: record.manifest?.filename ?? null,
    format: 'whole server',
    compression: null,
    size: held.reduce((sum, member) => sum + (member.size ?? 0), 0),
    duration: record.durationMs || null,
    ...setProof(held),
    // A set that is not complete is not a copy of the server: it wears the Partial badge.
    scope: record.status === 'completed' ? 'full' : 'partial',
    pinned: held.some((member) => member.pinned),
    error: record.problems.length ? record.problems.join('; ') : null,
    backup: null,
    set: { record, members },
    memberOf: null,
  };
}

/** A backup.page item as the table's row: a whole-server set is one row holding its members (backup.page never lists them loose). */
export function pageItemToRow(item: ChannelOutput<'backup.page'>['items'][number] | SetListItem): BackupRow {
  const listed = item as SetListItem;
  return isSetEntry(listed) ? setToRow(listed) : toRow(listed);
}

/**
 * The table's top-level rows: single backups, attempts that belong to no set, and one row per set.
 * set.list already put a set's own run and its members' attempts under it, by the set's id; an
 * attempt of a set that is not listed (deleted) is not a row either.
 */
export function listToRows(items: readonly SetListItem[]): BackupRow[] {
  return items.flatMap((item) => {
    if (isSetEntry(item)) return [setToRow(item)];
    if (!isBackup(item) && item.set !== undefined) return [];
    return [toRow(item)];
  });
}

/** A row by id, a set's member rows included (the details panel shows either). */
export function findRow(rows: readonly BackupRow[], id: string): BackupRow | undefined {
  for (const row of rows) {
    if (row.id === id) return row;
    const member = row.set?.members.find((m) => m.id === id);
    if (member) return member;
  }
  return undefined;
}

/** The rows as the table shows them: each expanded set followed by its members. */
export function withExpandedMembers(rows: readonly BackupRow[], expanded: ReadonlySet<string>): BackupRow[] {
  return rows.flatMap((row) => (row.set && expanded.has(row.id) ? [row, ...row.set.members] : [row]));
}

/** The Backups page's header: loose backups and the sets' members are all backups; a set says how many it holds. */
/**
 * ", 2 of them in sets" after a count of failures: a set's failed member is a database that was not
 * backed up, counted with the others and said to be in a set, whose row lists it. The Backups header
 * and the Overview say it alike.
 */
export function ofThemInSets(failed: number, inSets: number): string {
  if (inSets === 0) return '';
  if (inSets === failed) return failed === 1 ? ', in a set' : ', all in sets';
  return `, ${groupedCount(inSets)} of them in ${inSets === 1 ? 'a set' : 'sets'}`;
}

export function backupsHeader(counts: ChannelOutput<'backup.page'>['counts']): string {
  // The list's count is of rows (backup-columns.ts countText), and a set is one row: said here, so the two never seem to disagree.
  const inSets = counts.sets ? ` (${groupedCount(counts.setMembers)} in ${plural(counts.sets, 'whole-server set')}, ${counts.sets === 1 ? 'one row' : 'a row each'})` : '';
  const running = counts.running ? ` · ${groupedCount(counts.running)} running` : '';
  const failed = counts.attempts + counts.failedInSets;
  return `${plural(counts.backups + counts.setMembers, 'backup')}${inSets}${running} · ${plural(failed, 'failed or unfinished attempt')}${ofThemInSets(failed, counts.failedInSets)}`;
}
