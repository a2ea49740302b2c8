// backup.page's rows come from SQL; the Backups table used to sort and filter the whole list in the
// page (renderer/src/lib/backup-rows.ts). Every order and filter the table offers must give, page after
// page, exactly the rows that code gives over the whole list, and a page must hold only its rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { filterRows, NO_FILTER, sortRows, type RowFilter, type SummaryListItem } from '../../../renderer/src/lib/backup-rows.ts';
import { listToRows } from '../../../renderer/src/lib/set-rows.ts';
import { BackupOptionsSchema } from '../backup/options.ts';
import { BACKUP_SORT_KEYS, BACKUP_STATUS_FILTERS } from '../model/backup-page.ts';
import type { BackupMetadata } from '../model/types.ts';
import { nestSets } from '../sets/backup-sets.ts';
import { setStatusOf, startingSet, type BackupSet, type SetMember } from '../sets/set-record.ts';
import { SetStore } from '../sets/set-rows.ts';
import { CopyRows } from '../storage/copy-rows.ts';
import { attemptEntry, BackupPageQuerySchema, explainBackupPage, selectBackupPage, type BackupPageQuery } from './backup-page.ts';
import { Catalogue } from './catalogue.ts';

let dir: string;
let catalogue: Catalogue;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-page-'));
  catalogue = new Catalogue(join(dir, 'catalogue.sqlite'));
});

afterEach(() => {
  catalogue.close();
  rmSync(dir, { recursive: true, force: true });
});

const at = (hour: number) => new Date(Date.UTC(2025, 0, 1, hour)).toISOString();

function backup(n: number, profile: string, change: Partial<BackupMetadata> = {}): BackupMetadata {
  const timestamp = at(n);
  const filename = `backup-${timestamp.replace(/[:.]/g, '-')}-${profile}.dump`;
  return {
    id: n.toString(16).padStart(12, '0'),
    filename,
    timestamp,
    size: 1000 + ((n * 7919) % 500),
    compressed: true,
    encrypted: false,
    checksum: `sha256:${'a'.repeat(64)}`,
    databaseSize: 50_000,
    tables: ['public.users'],
    version: 'PostgreSQL 16.4',
    duration: 250 + ((n * 31) % 40),
    profile,
    database: `${profile}_db`,
    path: join(dir, filename),
    format: n % 3 === 0 ? 'directory' : 'custom',
    compression: 'zstd:3',
    status: 'completed',
    rowCounts: { 'public.users': 3 },
    serverMajor: 16,
    clientVersion: 'pg_dump 16.4',
    options: BackupOptionsSchema.parse(n % 5 === 0 ? { schemaOnly: true } : n % 7 === 0 ? { tables: ['public.users'] } : n % 11 === 0 ? { dataOnly: true } : {}),
    globals: { filename: null, checksum: null, note: 'no roles file' },
    ...change,
  };
}

/**
 * 60 backups of two profiles (some missing, verified, drilled, pinned), failed, interrupted, cancelled
 * and running attempts among them, a --no-local-copy backup whose file is only on a destination, and
 * whole-server sets (completed, partial, cancelled, one with a failed drill, one deleted).
 */
function seed(): void {
  catalogue.db.transaction(seedRows)();
}

function seedRows(): void {
  for (let n = 1; n <= 60; n += 1) {
    const profile = n % 2 ? 'alpha' : 'beta';
    const metadata = backup(n, profile);
    const run = catalogue.startRun({ kind: 'backup', profile });
    catalogue.insertBackup(metadata, run);
    catalogue.finishRun(run, 'completed', { backupId: metadata.id });
    if (n % 4 === 0) catalogue.setBackupStatus(metadata.id, 'missing');
    if (n % 6 === 0) catalogue.recordVerification(metadata.id, n % 12 !== 0);
    if (n % 9 === 0) catalogue.recordRestoreTest(metadata.id, n % 18 !== 0, at(n + 1));
    if (n % 10 === 0) catalogue.setBackupPinned(metadata.id, true);
  }
  const deletedRun = catalogue.startRun({ kind: 'backup', profile: 'alpha' });
  catalogue.insertBackup(backup(61, 'alpha'), deletedRun);
  catalogue.finishRun(deletedRun, 'completed');
  catalogue.setBackupStatus((61).toString(16).padStart(12, '0'), 'deleted');
  const attempts: Array<[number, 'failed' | 'interrupted' | 'running', string]> = [
    [5.5, 'failed', 'pg_dump: connection refused'],
    [20.5, 'interrupted', 'Holdfast stopped'],
    [33.5, 'failed', 'disk full'],
    [59.5, 'running', ''],
  ];
  for (const [hour, status, error] of attempts) {
    const id = catalogue.startRun({ kind: 'backup', profile: hour > 30 ? 'beta' : 'alpha', detail: { filename: `attempt-${hour}.dump` } });
    if (status !== 'running') catalogue.finishRun(id, status, { error });
    catalogue.db.prepare('UPDATE runs SET started_at = ? WHERE id = ?').run(new Date(Date.UTC(2025, 0, 1, 0, hour * 60)).toISOString(), id);
  }
  // A verify run that failed is not a backup attempt: never listed.
  catalogue.finishRun(catalogue.startRun({ kind: 'verify', profile: 'alpha' }), 'failed', { error: 'checksum mismatch' });
  // The user's Cancel: an interrupted run listed as cancelled, not as a problem.
  const cancelled = catalogue.startRun({ kind: 'backup', profile: 'beta', detail: { filename: 'attempt-cancelled.dump' } });
  catalogue.finishRun(cancelled, 'interrupted', { error: 'Cancelled by the user.', cancelled: true });
  catalogue.db.prepare('UPDATE runs SET started_at = ? WHERE id = ?').run(atMinute(44 * 60 + 10), cancelled);
  // Kept on a destination only: completed, with its one verified copy.
  const offsite = backup(0x7f, 'beta', { timestamp: atMinute(51 * 60 + 30), filename: 'backup-offsite-only.dump', options: BackupOptionsSchema.parse({ noLocalCopy: true }) });
  const offsiteRun = catalogue.startRun({ kind: 'backup', profile: 'beta' });
  catalogue.insertBackup(offsite, offsiteRun);
  catalogue.finishRun(offsiteRun, 'completed', { backupId: offsite.id });
  new CopyRows(catalogue.db).record(offsite, 'offsite', 'verified');
  seedSet(0xa0, 12 * 60 + 15, 'completed', ['app', 'crm']);
  seedSet(0xb0, 25 * 60 + 30, 'partial', ['app', 'crm', 'billing']);
  seedSet(0xc0, 41 * 60 + 15, 'cancelled', ['app', 'crm']);
  seedSet(0xd0, 47 * 60 + 45, 'drill-failed', ['app', 'crm']);
  seedSet(0xe0, 53 * 60 + 20, 'deleted', ['app']);
}

const atMinute = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();

/**
 * A whole-server set of profile 'server' as take-set.ts leaves it: its own run, a backup (and run) per
 * member that was taken and a failed run per member that was not; a partial set's last database fails.
 */
function seedSet(n: number, minute: number, kind: 'completed' | 'partial' | 'cancelled' | 'drill-failed' | 'deleted', databases: string[]): void {
  const sets = new SetStore(catalogue.db);
  const id = n.toString(16).padStart(12, '0');
  const timestamp = atMinute(minute);
  const setRun = catalogue.startRun({ kind: 'backup', profile: 'server', detail: { filename: `set-${id}.set.json`, wholeServerSet: true } });
  catalogue.db.prepare('UPDATE runs SET started_at = ? WHERE id = ?').run(timestamp, setRun);
  const set: BackupSet = { ...startingSet({ id, profile: 'server', timestamp, parallelDatabases: 2 }), expected: databases, version: 'PostgreSQL 16.4', serverMajor: 16 };
  sets.start(set, setRun);
  const taken = kind === 'cancelled' ? databases.slice(0, 1) : databases;
  taken.forEach((database, index) => {
    const at = atMinute(minute + index + 1);
    const fails = kind === 'partial' && index === databases.length - 1;
    const run = catalogue.startRun({ kind: 'backup', profile: 'server', detail: { filename: `member-${id}-${database}.dump`, set: id } });
    catalogue.db.prepare('UPDATE runs SET started_at = ? WHERE id = ?').run(at, run);
    if (fails) {
      catalogue.finishRun(run, 'failed', { error: `pg_dump: database "${database}" does not exist` });
      set.databases.push({ database, id: null, filename: null, checksum: null, status: 'failed', error: `pg_dump: database "${database}" does not exist`, rowCounts: {}, size: 0 });
      return;
    }
    const member = backup(n + index + 1, 'server', { timestamp: at, database, filename: `member-${id}-${database}.dump`, set: id, size: 2000 + n + index });
    catalogue.insertBackup(member, run);
    catalogue.finishRun(run, 'completed', { backupId: member.id });
    if (kind === 'completed' || kind === 'drill-failed') catalogue.recordVerification(member.id, true);
    if (kind === 'drill-failed' && index === 0) catalogue.recordRestoreTest(member.id, false, at);
    if (kind === 'deleted') catalogue.setBackupStatus(member.id, 'deleted');
    const entry: SetMember = { database, id: member.id, filename: member.filename, checksum: member.checksum, status: 'completed', error: null, rowCounts: {}, size: member.size };
    set.databases.push(entry);
  });
  if (kind === 'cancelled') {
    Object.assign(set, { status: 'interrupted', problems: ['The backup set was cancelled'], durationMs: 90_000 });
    sets.finish(set);
    catalogue.finishRun(setRun, 'interrupted', { error: 'The backup set was cancelled.', cancelled: true });
    return;
  }
  set.globals = { filename: `set-${id}.globals.sql`, checksum: `sha256:${'b'.repeat(64)}`, note: null };
  Object.assign(set, setStatusOf(set), { durationMs: 240_000, manifest: { filename: `set-${id}.set.json`, checksum: `sha256:${'c'.repeat(64)}` } });
  sets.finish(set);
  catalogue.finishRun(setRun, set.status === 'completed' ? 'completed' : 'failed', { detail: { filename: `set-${id}.set.json`, setId: id } });
  if (kind === 'deleted') sets.setStatus(id, 'deleted');
}

function query(change: Partial<BackupPageQuery> = {}): BackupPageQuery {
  return BackupPageQuerySchema.parse(change);
}

/** The whole list as set.list (all, summary) gives it, through the table's own rows (a set is one), sort and filter. */
function expected(filter: RowFilter, sort: BackupPageQuery['sort'], direction: BackupPageQuery['direction']): string[] {
  const setOfRun = new SetStore(catalogue.db).setsOfRuns();
  const items: SummaryListItem[] = [
    ...catalogue.listBackupSummaries(),
    ...catalogue.listRuns({ kind: 'backup', statuses: ['failed', 'interrupted', 'running'] }).map((run) => attemptEntry(run, setOfRun.get(run.id))),
  ].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  const rows = listToRows(nestSets(items, new SetStore(catalogue.db).list()));
  return sortRows(filterRows(rows, filter), sort, direction).map((row) => row.id);
}

/** Every page of 7, concatenated: whatever the page size, the rows come once each, in order. */
function paged(change: Partial<BackupPageQuery>): { ids: string[]; total: number } {
  const ids: string[] = [];
  let total = -1;
  for (let offset = 0; offset === 0 || offset < total; offset += 7) {
    const page = selectBackupPage(catalogue.db, query({ ...change, offset, limit: 7 }));
    total = page.total;
    expect(page.items.length).toBeLessThanOrEqual(7);
    ids.push(...page.items.map((item) => item.id));
  }
  return { ids, total };
}

describe('backup.page', () => {
  test('the first page is the newest rows, with the whole list counted and every profile named', () => {
    seed();
    const page = selectBackupPage(catalogue.db, query({ limit: 5 }));
    expect(page.items.map((item) => item.timestamp)).toEqual([at(60), new Date(Date.UTC(2025, 0, 1, 59, 30)).toISOString(), at(59), at(58), at(57)]);
    expect(page.items[1]).toEqual({ id: expect.any(String), status: 'running', profile: 'beta', timestamp: expect.any(String), filename: 'attempt-59.5.dump', error: null });
    // A summary row, as backup.list gives it with fields: 'summary' (the row shape the table renders).
    expect(page.items[0]).toEqual(catalogue.listBackupSummaries().find((summary) => summary.id === page.items[0]!.id));
    expect(page.total).toBe(70);
    // The sets' held members count as backups too (issue 17: the header counted them as nothing).
    // A running backup is counted apart: it has neither failed nor been left unfinished (yet).
    // A set's failed member is a failed database backup: counted apart (issue 27: the header folded it into its set).
    expect(page.counts).toEqual({ backups: 61, attempts: 4, running: 1, sets: 4, setMembers: 7, failedInSets: 1 });
    expect(page.profiles).toEqual(['alpha', 'beta', 'server']);
  });

  test.each(BACKUP_SORT_KEYS.flatMap((sort) => (['asc', 'desc'] as const).map((direction) => [sort, direction] as const)))(
    'sorted by %s %s: the pages are the table’s own order',
    (sort, direction) => {
      seed();
      const { ids, total } = paged({ sort, direction });
      expect(ids).toEqual(expected(NO_FILTER, sort, direction));
      expect(total).toBe(ids.length);
    },
  );

  test.each(BACKUP_STATUS_FILTERS)('status filter %s: the same rows as the table’s filter', (status) => {
    seed();
    const { ids, total } = paged({ status });
    expect(ids).toEqual(expected({ ...NO_FILTER, status }, 'timestamp', 'desc'));
    expect(total).toBe(ids.length);
  });

  test.each([
    'schema only',
    'PARTIAL',
    'data-only',
    'directory',
    'beta_db',
    'disk full',
    'attempt-20',
    '00000000002',
    '2025-01-02',
    'nothing like it',
    'billing',
    'whole server',
    '2 of 3',
    'cancelled',
  ])('search "%s": the same rows as the table’s search', (text) => {
    seed();
    for (const profile of ['', 'alpha', 'server']) {
      const { ids } = paged({ text, profile, sort: 'size' });
      expect(ids).toEqual(expected({ ...NO_FILTER, text, profile }, 'size', 'desc'));
    }
  });

  test('a set is one row holding its members, never loose; a cancelled attempt says so; a backup kept only on a destination is completed', () => {
    seed();
    const { items } = selectBackupPage(catalogue.db, query({ limit: 500 }));
    const sets = items.filter((item) => 'members' in item);
    expect(sets.map((set) => [set.id, set.status, set.members.map((member) => member.database)])).toEqual([
      ['0000000000d0', 'completed', ['app', 'crm']],
      ['0000000000c0', 'interrupted', ['app']],
      ['0000000000b0', 'partial', ['app', 'crm']],
      ['0000000000a0', 'completed', ['app', 'crm']],
    ]);
    const memberIds = sets.flatMap((set) => set.members.map((member) => member.id));
    expect(items.filter((item) => memberIds.includes(item.id) || (item.profile === 'server' && !('members' in item)))).toEqual([]);
    expect(items.find((item) => 'filename' in item && item.filename === 'attempt-cancelled.dump')?.status).toBe('cancelled');
    expect(items.find((item) => 'filename' in item && item.filename === 'backup-offsite-only.dump')?.status).toBe('completed');
    expect(paged({ status: 'partial' }).ids).toEqual(['0000000000b0']);
    expect(paged({ status: 'cancelled' }).ids).toHaveLength(1);
    expect(paged({ status: 'problems' }).ids).toEqual(expect.arrayContaining(['0000000000b0', '0000000000c0', '0000000000d0']));
    expect(paged({ status: 'good' }).ids).toContain('0000000000a0');
  });

  test('a page past the end is empty, and the total still counts the matches', () => {
    seed();
    const page = selectBackupPage(catalogue.db, query({ offset: 500, profile: 'beta' }));
    expect(page.items).toEqual([]);
    expect(page.total).toBe(expected({ ...NO_FILTER, profile: 'beta' }, 'timestamp', 'desc').length);
  });

  // Issue 17's first render: at 10,000 backups the first page cost ~135 ms of server time, as SQLite
  // took the set_id index for "not in a set", read every row (metadata JSON and all) and sorted them.
  test('the default first page and every count read an index, never every backup row', () => {
    seed();
    const plans = explainBackupPage(catalogue.db, query());
    // The backups arm walks the index in order (no sort of its own follows it); runs and sets are few.
    const backupsArm = plans.keys.findIndex((line) => line.startsWith('SEARCH backups'));
    expect(plans.keys[backupsArm]).toMatch(/^SEARCH backups USING COVERING INDEX backups_unset_newest/);
    expect(plans.keys[backupsArm + 1]).not.toMatch(/TEMP B-TREE/);
    for (const plan of [plans.total, plans.counts]) {
      const backupsLines = plan.filter((line) => /\bbackups\b/.test(line));
      expect(backupsLines.length).toBeGreaterThan(0);
      for (const line of backupsLines) expect(line).toMatch(/^SEARCH backups USING COVERING INDEX backups_unset_newest/);
    }
  });

  test('an empty catalogue answers an empty page', () => {
    expect(selectBackupPage(catalogue.db, query())).toEqual({ items: [], total: 0, counts: { backups: 0, attempts: 0, running: 0, sets: 0, setMembers: 0, failedInSets: 0 }, profiles: [] });
  });

  test('bad queries are refused by name: a page too large, an unknown sort or status', () => {
    expect(BackupPageQuerySchema.safeParse({ limit: 501 }).error?.issues[0]?.message).toMatch(/at most 500 rows/);
    expect(BackupPageQuerySchema.safeParse({ sort: 'checksum' }).success).toBe(false);
    expect(BackupPageQuerySchema.safeParse({ status: 'deleted' }).success).toBe(false);
    expect(BackupPageQuerySchema.safeParse({ offset: -1 }).success).toBe(false);
    expect(BackupPageQuerySchema.safeParse({ page: 2 }).success).toBe(false);
  });
});
