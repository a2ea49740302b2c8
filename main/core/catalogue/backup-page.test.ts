// backup.page's rows come from SQL; the Backups table used to sort and filter the whole list in the
// page (renderer/src/lib/backup-rows.ts). Every order and filter the table offers must give, page after
// page, exactly the rows that code gives over the whole list, and a page must hold only its rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { filterRows, NO_FILTER, sortRows, toRow, type RowFilter, type SummaryListItem } from '../../../renderer/src/lib/backup-rows.ts';
import { BackupOptionsSchema } from '../backup/options.ts';
import { BACKUP_SORT_KEYS, BACKUP_STATUS_FILTERS } from '../model/backup-page.ts';
import type { BackupMetadata } from '../model/types.ts';
import { attemptEntry, BackupPageQuerySchema, selectBackupPage, type BackupPageQuery } from './backup-page.ts';
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

/** 60 backups of two profiles (some missing, verified, drilled, pinned) and failed, interrupted and running attempts among them. */
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
}

function query(change: Partial<BackupPageQuery> = {}): BackupPageQuery {
  return BackupPageQuerySchema.parse(change);
}

/** The whole list as backup.list (all, summary) gives it, through the table's own sort and filter. */
function expected(filter: RowFilter, sort: BackupPageQuery['sort'], direction: BackupPageQuery['direction']): string[] {
  const items: SummaryListItem[] = [...catalogue.listBackupSummaries(), ...catalogue.listRuns({ kind: 'backup', statuses: ['failed', 'interrupted', 'running'] }).map(attemptEntry)].sort((a, b) =>
    a.timestamp.localeCompare(b.timestamp),
  );
  return sortRows(filterRows(items.map(toRow), filter), sort, direction).map((row) => row.id);
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
    expect(page.total).toBe(64);
    expect(page.counts).toEqual({ backups: 60, attempts: 4 });
    expect(page.profiles).toEqual(['alpha', 'beta']);
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

  test.each(['schema only', 'PARTIAL', 'data-only', 'directory', 'beta_db', 'disk full', 'attempt-20', '00000000002', '2025-01-02', 'nothing like it'])(
    'search "%s": the same rows as the table’s search',
    (text) => {
      seed();
      for (const profile of ['', 'alpha']) {
        const { ids } = paged({ text, profile, sort: 'size' });
        expect(ids).toEqual(expected({ ...NO_FILTER, text, profile }, 'size', 'desc'));
      }
    },
  );

  test('a page past the end is empty, and the total still counts the matches', () => {
    seed();
    const page = selectBackupPage(catalogue.db, query({ offset: 500, profile: 'beta' }));
    expect(page.items).toEqual([]);
    expect(page.total).toBe(expected({ ...NO_FILTER, profile: 'beta' }, 'timestamp', 'desc').length);
  });

  test('an empty catalogue answers an empty page', () => {
    expect(selectBackupPage(catalogue.db, query())).toEqual({ items: [], total: 0, counts: { backups: 0, attempts: 0 }, profiles: [] });
  });

  test('bad queries are refused by name: a page too large, an unknown sort or status', () => {
    expect(BackupPageQuerySchema.safeParse({ limit: 501 }).error?.issues[0]?.message).toMatch(/at most 500 rows/);
    expect(BackupPageQuerySchema.safeParse({ sort: 'checksum' }).success).toBe(false);
    expect(BackupPageQuerySchema.safeParse({ status: 'deleted' }).success).toBe(false);
    expect(BackupPageQuerySchema.safeParse({ offset: -1 }).success).toBe(false);
    expect(BackupPageQuerySchema.safeParse({ page: 2 }).success).toBe(false);
  });
});
