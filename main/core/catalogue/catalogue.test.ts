// The catalogue's two ways of listing backups: full records, and the summaries a table shows, which
// SQLite reads out of the metadata JSON. Both must agree on every field the summary has.
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BackupOptionsSchema, backupScope, type BackupScope } from '../backup/options.ts';
import type { BackupMetadata } from '../model/types.ts';
import { Catalogue, STALE_RUN_CANDIDATES } from './catalogue.ts';
import { migrations } from './migrations.ts';
import { explainFileCheckRows, selectFileCheckRows } from './backup-rows.ts';
import { newProfileRecord } from '../../../test/support/profile-record.ts';

let dir: string;
let catalogue: Catalogue;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-catalogue-'));
  catalogue = new Catalogue(join(dir, 'catalogue.sqlite'));
});

afterEach(() => {
  catalogue.close();
  rmSync(dir, { recursive: true, force: true });
});

function backup(n: number, profile: string, change: Partial<BackupMetadata> = {}): BackupMetadata {
  const timestamp = new Date(Date.UTC(2025, 0, 1, n)).toISOString();
  const filename = `backup-${timestamp.replace(/[:.]/g, '-')}-${profile}.dump`;
  return {
    id: n.toString(16).padStart(12, '0'),
    filename,
    timestamp,
    size: 1000 + n,
    compressed: true,
    encrypted: false,
    checksum: `sha256:${'a'.repeat(64)}`,
    databaseSize: 50_000,
    tables: ['public.users', 'public."odd ""name"""'],
    version: 'PostgreSQL 16.4',
    duration: 250 + n,
    profile,
    database: `${profile}_db`,
    path: join(dir, filename),
    format: 'custom',
    compression: 'zstd:3',
    status: 'completed',
    rowCounts: { 'public.users': 3, 'public."odd ""name"""': 1 },
    serverMajor: 16,
    clientVersion: 'pg_dump 16.4',
    options: BackupOptionsSchema.parse({}),
    globals: { filename: null, checksum: null, note: 'no roles file' },
    ...change,
  };
}

function insert(metadata: BackupMetadata): void {
  catalogue.insertBackup(metadata, catalogue.startRun({ kind: 'backup', profile: metadata.profile }));
}

describe('the start-up file check rows', () => {
  test('come from the backups_file_check index, never the rows and their metadata, first batch and later ones alike', () => {
    catalogue.addProfile(newProfileRecord('shop'));
    insert(backup(1, 'shop'));
    insert(backup(2, 'shop', { globals: { filename: 'backup-2-shop.globals.sql', checksum: `sha256:${'b'.repeat(64)}`, note: '' } }));
    insert(backup(3, 'shop', { options: BackupOptionsSchema.parse({ noLocalCopy: true }) }));
    catalogue.setBackupStatus(backup(2, 'shop').id, 'missing');
    const first = selectFileCheckRows(catalogue.db, { limit: 2 });
    for (const plan of [explainFileCheckRows(catalogue.db, { limit: 2 }), explainFileCheckRows(catalogue.db, { limit: 2, after: first.at(-1)!.cursor })]) {
      expect(plan).toHaveLength(1);
      expect(plan[0]).toMatch(/^(SCAN|SEARCH) backups USING COVERING INDEX backups_file_check\b/);
    }
    // What the index answers is what the metadata says.
    const rows = [...first, ...selectFileCheckRows(catalogue.db, { limit: 2, after: first.at(-1)!.cursor })];
    expect(rows.map(({ cursor: _cursor, ...row }) => row)).toEqual(
      catalogue.listBackups().map((full) => ({
        id: full.id,
        filename: full.filename,
        status: full.status,
        path: full.path,
        ...(full.location ? { location: full.location } : {}),
        globals: { filename: full.globals.filename },
        noLocalCopy: full.options.noLocalCopy === true,
      })),
    );
    expect(rows.map((row) => [row.status, row.globals.filename, row.noLocalCopy])).toEqual([
      ['completed', null, false],
      ['missing', 'backup-2-shop.globals.sql', false],
      ['completed', null, true],
    ]);
  });
});

describe("every start's read of the runs left running", () => {
  test('comes from the runs_running index, never a scan of every run (10-30 ms cold at 10,000 runs, bench row 8)', () => {
    const finished = catalogue.startRun({ kind: 'backup', profile: null });
    catalogue.finishRun(finished, 'completed');
    const running = catalogue.startRun({ kind: 'backup', profile: null });
    const plan = (catalogue.db.prepare(`EXPLAIN QUERY PLAN ${STALE_RUN_CANDIDATES}`).all() as Array<{ detail: string }>).map((row) => row.detail);
    expect(plan).toEqual([expect.stringMatching(/^SEARCH runs USING INDEX runs_running\b/)]);
    expect((catalogue.db.prepare(STALE_RUN_CANDIDATES).all() as Array<{ id: string }>).map((row) => row.id)).toEqual([running]);
  });
});

describe('listBackupSummaries', () => {
  test('gives the same backups as listBackups, in the same order, with only the summary fields', () => {
    for (const profile of ['shop', 'crm']) catalogue.addProfile(newProfileRecord(profile));
    insert(backup(3, 'shop', { format: 'directory', compression: 'gzip:6', database: 'naïve "db"' }));
    insert(backup(1, 'crm', { format: 'plain', compression: 'none' }));
    insert(backup(2, 'shop'));
    insert(backup(4, 'shop'));
    // An imported dump enters pinned (backup/import-dump.ts).
    insert(backup(5, 'crm', { imported: { from: '/srv/old/crm.dump', at: '2025-03-01T00:00:00.000Z', pgRestore: 'ok' } }));
    catalogue.setBackupStatus(backup(2, 'shop').id, 'missing');
    catalogue.setBackupStatus(backup(4, 'shop').id, 'deleted');
    catalogue.recordVerification(backup(1, 'crm').id, false);
    catalogue.recordRestoreTest(backup(3, 'shop').id, true, '2025-02-01T00:00:00.000Z');
    catalogue.setBackupPinned(backup(1, 'crm').id, true);

    const keys = ['id', 'filename', 'timestamp', 'size', 'duration', 'profile', 'database', 'format', 'compression', 'status', 'lastVerified', 'restoreTest', 'pinned'] as const;
    const pick = (full: BackupMetadata) => ({
      ...Object.fromEntries(keys.map((key) => [key, full[key]])),
      scope: backupScope(full.options),
      encryptedTo: full.encryption?.recipients ?? null,
      imported: full.imported !== undefined,
    });
    for (const filter of [{}, { profile: 'shop' }, { statuses: ['completed' as const] }, { statuses: ['completed' as const, 'missing' as const, 'deleted' as const] }]) {
      const summaries = catalogue.listBackupSummaries(filter);
      expect(summaries).toEqual(catalogue.listBackups(filter).map(pick));
      for (const summary of summaries) expect(Object.keys(summary).sort()).toEqual([...keys, 'scope', 'encryptedTo', 'imported'].sort());
    }

    const [crm, shop, , imported] = catalogue.listBackupSummaries();
    expect(crm).toMatchObject({ profile: 'crm', format: 'plain', compression: 'none', lastVerified: { valid: false }, restoreTest: null, pinned: true, imported: false });
    expect(imported).toMatchObject({ profile: 'crm', pinned: true, imported: true });
    expect(shop).toMatchObject({ pinned: false });
    expect(shop).toMatchObject({ status: 'missing' });
    expect(catalogue.listBackupSummaries({ profile: 'shop' }).map((s) => s.database)).toEqual(['shop_db', 'naïve "db"']);
    expect(catalogue.listBackupSummaries({ profile: 'shop' })[1]).toMatchObject({ format: 'directory', restoreTest: { status: 'passed', at: '2025-02-01T00:00:00.000Z' } });
  });

  test('scope: schema-only, data-only and filtered backups never read as full, and SQL agrees with backupScope', () => {
    catalogue.addProfile(newProfileRecord('shop'));
    const cases: Array<[Record<string, unknown> | undefined, BackupScope]> = [
      [{}, 'full'],
      [{ schemaOnly: true }, 'schema-only'],
      [{ dataOnly: true }, 'data-only'],
      [{ tables: ['public.users'] }, 'partial'],
      [{ excludeTables: ['public.audit_*'] }, 'partial'],
      [{ schemas: ['sales'] }, 'partial'],
      [{ excludeSchemas: ['scratch'] }, 'partial'],
      // Having no rows at all is the bigger surprise than missing tables, so it names the badge.
      [{ schemaOnly: true, tables: ['public.users'] }, 'schema-only'],
      [{ dataOnly: true, excludeSchemas: ['scratch'] }, 'data-only'],
      // A sidecar adopted from an older version may carry no options at all: nothing was left out.
      [undefined, 'full'],
    ];
    cases.forEach(([options], n) => {
      const parsed = options === undefined ? undefined : BackupOptionsSchema.parse(options);
      insert(backup(n + 1, 'shop', { options: parsed as BackupMetadata['options'] }));
    });
    const summaries = catalogue.listBackupSummaries();
    expect(summaries.map((summary) => summary.scope)).toEqual(cases.map(([, scope]) => scope));
    expect(summaries.map((summary) => summary.scope)).toEqual(catalogue.listBackups().map((full) => backupScope(full.options)));
  });
});

describe('runningBackupOf', () => {
  test("a profile's live backup run holds it; an import into it does not (a long copy must not hold off its scheduled backups)", () => {
    const importing = catalogue.startRun({ kind: 'backup', profile: 'shop', detail: { importedFrom: '/srv/dumps/shop.dump', filename: 'backup-x-shop-imported.dump' } });
    expect(catalogue.runningBackupOf('shop')).toBeUndefined();
    const backing = catalogue.startRun({ kind: 'backup', profile: 'shop' });
    expect(catalogue.runningBackupOf('shop')?.id).toBe(backing);
    catalogue.finishRun(backing, 'completed');
    catalogue.finishRun(importing, 'completed');
  });
});

describe('libpq password files', () => {
  test('profiles from before the column keep using them; new ones store what they were given', () => {
    const file = join(dir, 'older.sqlite');
    const older = new Database(file);
    // The schema just before the column came (found by its SQL, so later migrations do not move it).
    const before = migrations.findIndex((migration) => typeof migration === 'string' && migration.includes('libpq_password_files'));
    for (const migration of migrations.slice(0, before)) older.exec(migration as string);
    older.pragma(`user_version = ${before}`);
    older.prepare(`INSERT INTO profiles (id, name, host, port, user, dbname, created_at, updated_at) VALUES ('p1', 'old', 'db', 5432, 'u', 'd', 'x', 'x')`).run();
    older.close();
    const upgraded = new Catalogue(file);
    try {
      expect(upgraded.requireProfile('old').libpqPasswordFiles).toBe(true);
      const fields = { host: 'db', user: 'u', dbname: 'd' };
      expect(upgraded.addProfile(newProfileRecord('api', { ...fields, libpqPasswordFiles: false })).libpqPasswordFiles).toBe(false);
      expect(upgraded.requireProfile('api').libpqPasswordFiles).toBe(false);
      const id = upgraded.requireProfile('api').id;
      expect(upgraded.updateProfile(id, newProfileRecord('api', { ...fields, libpqPasswordFiles: true })).libpqPasswordFiles).toBe(true);
    } finally {
      upgraded.close();
    }
  });
});

describe('file modes', () => {
  const mode = (path: string) => statSync(path).mode & 0o777;

  test('a new catalogue and its -wal and -shm are 0600 under umask 022', () => {
    const previous = process.umask(0o022);
    const file = join(dir, 'fresh.sqlite');
    try {
      const fresh = new Catalogue(file);
      try {
        fresh.audit('t', 'write', null);
        for (const path of [file, `${file}-wal`, `${file}-shm`]) expect([path, mode(path)]).toEqual([path, 0o600]);
      } finally {
        fresh.close();
      }
    } finally {
      process.umask(previous);
    }
  });

  test('an existing catalogue left 0644, with its -wal and -shm held open by another process, is made 0600 at open', () => {
    const file = join(dir, 'older.sqlite');
    const other = new Database(file);
    try {
      other.pragma('journal_mode = WAL');
      other.exec('CREATE TABLE t (x)');
      other.prepare('INSERT INTO t VALUES (1)').run();
      for (const path of [file, `${file}-wal`, `${file}-shm`]) {
        expect(existsSync(path)).toBe(true);
        chmodSync(path, 0o644);
      }
      const opened = new Catalogue(file);
      try {
        for (const path of [file, `${file}-wal`, `${file}-shm`]) expect([path, mode(path)]).toEqual([path, 0o600]);
      } finally {
        opened.close();
      }
    } finally {
      other.close();
    }
  });
});
