// The promise Holdfast makes, tested end to end against a real server: a completed backup is complete,
// checksummed, private, and restores with the same rows — in every format.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, makeHome, openShop, profileFor, rowCount, runCli, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop());
});

afterAll(() => closeShop({ server, home, holdfast }));

const expectedCounts = {
  'public.users': 2000,
  'public.orders': 4000,
  'public."x; $(touch /tmp/p)"': 2,
  '"Sales"."Quarterly Totals"': 4,
  'public.events_2024': expect.any(Number),
  'public.events_2025': expect.any(Number),
  '"app.v2".users': 3,
};

async function restoreAndCompare(backup: BackupMetadata, dbname: string) {
  const result = await holdfast.restore({ ref: backup.id, to: 'shop', dbname, create: true, clean: false, noOwner: false, noAcl: false, dryRun: false });
  expect(result.ok).toBe(true);
  expect(result.tables.length).toBe(Object.keys(backup.rowCounts).length);
  for (const table of result.tables) expect(table.actual).toBe(table.expected);
  expect(await rowCount(server, dbname, 'users')).toBe(2000);
  expect(await rowCount(server, dbname, '"x; $(touch /tmp/p)"')).toBe(2);
  expect(await rowCount(server, dbname, 'pg_largeobject_metadata')).toBe(1);
}

describe.each([
  { format: 'custom' as const, ext: '.dump', extra: {} },
  { format: 'plain' as const, ext: '.sql.gz', extra: {} },
  { format: 'directory' as const, ext: '.dir', extra: { jobs: 2 } },
  { format: 'tar' as const, ext: '.tar', extra: {} },
])('$format backups', ({ format, ext, extra }) => {
  let backup: BackupMetadata;

  test('complete, checksummed, private, with exact row counts', async () => {
    const previousUmask = process.umask(0o022);
    try {
      backup = await holdfast.backup('shop', { format, suffix: 'manual', ...extra });
    } finally {
      process.umask(previousUmask);
    }
    expect(backup.status).toBe('completed');
    expect(backup.filename).toMatch(new RegExp(`^backup-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z-shop-manual${ext.replace('.', '\\.')}$`));
    expect(backup.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(backup.rowCounts).toEqual(expectedCounts);
    expect(backup.tables).toEqual(expect.arrayContaining(['public.users', '"Sales"."Quarterly Totals"', 'public."x; $(touch /tmp/p)"']));
    expect(backup.version).toMatch(/^PostgreSQL 15\./);
    expect(backup.clientVersion).toMatch(/^pg_dump 15\./);
    expect(backup.databaseSize).toBeGreaterThan(1_000_000);
    expect(backup.globals.filename).toBe(`${backup.filename}.globals.sql`);

    const mode = statSync(backup.path).mode & 0o777;
    expect(mode).toBe(format === 'directory' ? 0o700 : 0o600);
    expect(statSync(`${backup.path}.json`).mode & 0o777).toBe(0o600);
    expect(statSync(`${backup.path}.globals.sql`).mode & 0o777).toBe(0o600);
    expect(statSync(home.home).mode & 0o777).toBe(0o700);
    expect(statSync(`${home.home}/backups`).mode & 0o777).toBe(0o700);
    expect(existsSync(`${backup.path}.tmp`)).toBe(false);
  });

  test('verifies', async () => {
    const result = await holdfast.verify(backup.filename);
    expect(result.valid).toBe(true);
    expect(result.checks.map((c) => c.status)).not.toContain('failed');
  });

  test('restores into a new database with the same rows', async () => {
    await restoreAndCompare(backup, `restored_${format}`);
    expect(existsSync('/tmp/p')).toBe(false);
  });
});

describe('restore safety', () => {
  let backup: BackupMetadata;
  beforeAll(async () => {
    backup = await holdfast.backup('shop', {});
  });

  test('dry run says what would happen and changes nothing', async () => {
    const result = await holdfast.restore({ ref: backup.id, to: 'shop', dbname: 'dry_target', create: true, clean: false, noOwner: false, noAcl: false, dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.target.exists).toBe(false);
    expect(result.actions[0]).toContain('create database "dry_target"');
    const rows = await server.query(`SELECT 1 FROM pg_database WHERE datname = 'dry_target'`);
    expect(rows).toHaveLength(0);
  });

  test('a non-empty target is refused without --clean, and with a wrong --confirm, and left untouched', async () => {
    await server.query('CREATE DATABASE occupied');
    await server.query('CREATE TABLE keep_me (v int); INSERT INTO keep_me VALUES (42);', 'occupied');
    const base = { ref: backup.id, to: 'shop', dbname: 'occupied', create: false, noOwner: false, noAcl: false, dryRun: false };
    await expect(holdfast.restore({ ...base, clean: false })).rejects.toMatchObject({ code: 'RESTORE_REFUSED', message: expect.stringContaining('not empty') });
    await expect(holdfast.restore({ ...base, clean: true, confirm: 'wrong' })).rejects.toMatchObject({ code: 'RESTORE_REFUSED', message: expect.stringContaining('--confirm=occupied') });
    expect(await rowCount(server, 'occupied', 'keep_me')).toBe(1);
  });

  test.each([
    { what: 'only a view', sql: 'CREATE VIEW answer AS SELECT 42 AS n', check: 'SELECT n FROM answer' },
    { what: 'only a sequence', sql: "CREATE SEQUENCE ticket_no; SELECT nextval('ticket_no')", check: 'SELECT last_value AS n FROM ticket_no' },
  ])('a target holding $what is not empty: refused without --clean and left as it was', async ({ what, sql, check }) => {
    const dbname = `holds_${what.split(' ')[2]}`;
    await server.query(`CREATE DATABASE ${dbname}`);
    await server.query(sql, dbname);
    const before = await server.query(check, dbname);
    await expect(holdfast.restore({ ref: backup.id, to: 'shop', dbname, create: false, clean: false, noOwner: false, noAcl: false, dryRun: false })).rejects.toMatchObject({
      code: 'RESTORE_REFUSED',
      message: expect.stringContaining(`"${dbname}" on ${server.host}:${server.port} is not empty (1 table, view or sequence)`),
    });
    expect(await server.query(check, dbname)).toEqual(before);
    expect(await server.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public'`, dbname)).toHaveLength(0);
  });

  test('--clean --confirm replaces the database only after the restored copy checks out', async () => {
    await server.query('CREATE DATABASE replace_me');
    await server.query('CREATE TABLE old_stuff (v int)', 'replace_me');
    const result = await holdfast.restore({ ref: backup.id, to: 'shop', dbname: 'replace_me', create: false, clean: true, confirm: 'replace_me', noOwner: false, noAcl: false, dryRun: false });
    expect(result.ok).toBe(true);
    expect(await rowCount(server, 'replace_me', 'users')).toBe(2000);
    const old = await server.query(`SELECT 1 FROM pg_tables WHERE tablename = 'old_stuff'`, 'replace_me');
    expect(old).toHaveLength(0);
    const leftovers = await server.query(`SELECT datname FROM pg_database WHERE datname LIKE 'replace_me__holdfast%'`);
    expect(leftovers).toHaveLength(0);
  });

  test("issue 17 item 3: a restore keeps pg_restore's stderr with its run, the failure's whole message readable by the run's id", async () => {
    await server.query('CREATE DATABASE owned_elsewhere');
    await server.query('CREATE ROLE gone_owner NOLOGIN');
    await server.query('CREATE TABLE ledger (v int); ALTER TABLE ledger OWNER TO gone_owner; INSERT INTO ledger VALUES (1);', 'owned_elsewhere');
    await holdfast.addProfile(profileFor(server, 'owned', 'owned_elsewhere'));
    const owned = await holdfast.backup('owned', {});
    await server.query('DROP DATABASE owned_elsewhere');
    await server.query('DROP ROLE gone_owner');

    await expect(holdfast.restore({ ref: owned.id, to: 'owned', dbname: 'owned_again', create: true, clean: false, noOwner: false, noAcl: false, dryRun: false })).rejects.toMatchObject({
      code: 'RESTORE_FAILED',
      // The next step as a command to copy, not a file's name.
      hint: expect.stringMatching(/or create them from the backup's roles file first: psql -X -h \S+ -p \d+ -U \S+ -d postgres -f \S+\.globals\.sql\.$/),
    });
    const failedRun = holdfast.catalogue.listRuns({ kind: 'restore', profile: 'owned' }).at(-1)!;
    expect(failedRun.status).toBe('failed');
    const kept = holdfast.toolOutput(failedRun.id);
    expect(kept?.text).toMatch(/^── pg_restore ──\npg_restore: error: .*role "gone_owner" does not exist/m);
    // The CLI reads it by the run's id.
    const cli = await runCli(['runs', 'log', failedRun.id], home.env);
    expect(cli).toMatchObject({ code: 0, stdout: expect.stringMatching(/^── pg_restore ──\n[\s\S]*role "gone_owner" does not exist/) });
    // ...with the statement that failed, which a DBA needs beside the error.
    expect(cli.stdout).toMatch(/role "gone_owner" does not exist\nCommand was: ALTER TABLE public\.ledger OWNER TO gone_owner;/);

    // A restore that worked tells its run, so its output can be read too (here: none written).
    const restored = await holdfast.restore({ ref: owned.id, to: 'owned', dbname: 'owned_again', create: true, clean: false, noOwner: true, noAcl: false, dryRun: false });
    expect(restored.runId).toEqual(expect.any(String));
    expect(holdfast.catalogue.getRun(restored.runId!)?.kind).toBe('restore');
  });

  test('a database that does not exist needs --create', async () => {
    await expect(holdfast.restore({ ref: backup.id, to: 'shop', dbname: 'nowhere', create: false, clean: false, noOwner: false, noAcl: false, dryRun: false })).rejects.toMatchObject({
      code: 'RESTORE_REFUSED',
      hint: expect.stringContaining('--create'),
    });
  });
});

describe('selective backups', () => {
  test('--table keeps only matching tables; --schema-only has no row counts', async () => {
    const onlyUsers = await holdfast.backup('shop', { tables: ['users'] });
    expect(onlyUsers.tables).toEqual(['public.users']);
    expect(onlyUsers.rowCounts).toEqual({ 'public.users': 2000 });
    const schemaOnly = await holdfast.backup('shop', { schemaOnly: true, format: 'plain' });
    expect(schemaOnly.rowCounts).toEqual({});
    expect(schemaOnly.tables).toEqual(expect.arrayContaining(['public.users', 'public.orders']));
    const dataOnly = await holdfast.backup('shop', { dataOnly: true, tables: ['orders'] });
    expect(dataOnly.rowCounts).toEqual({ 'public.orders': 4000 });
    const excluded = await holdfast.backup('shop', { excludeSchemas: ['"Sales"'], excludeTables: ['orders'] });
    expect(excluded.tables).not.toContain('public.orders');
    expect(excluded.tables).not.toContain('"Sales"."Quarterly Totals"');
    expect((await holdfast.verify(excluded.id)).valid).toBe(true);
  });

  test('--schema keeps only matching schemas', async () => {
    const sales = await holdfast.backup('shop', { schemas: ['"Sales"'] });
    expect(sales.tables).toEqual(['"Sales"."Quarterly Totals"']);
    expect(sales.rowCounts).toEqual({ '"Sales"."Quarterly Totals"': 4 });
  });

  test('compression levels and none are honoured; lz4 with a pg_dump 15 is refused before dumping', async () => {
    const fast = await holdfast.backup('shop', { compression: { method: 'gzip', level: 1 }, suffix: 'gzip1' });
    const none = await holdfast.backup('shop', { compression: { method: 'none' }, suffix: 'none' });
    expect(fast).toMatchObject({ compression: 'gzip:1', compressed: true });
    expect(none).toMatchObject({ compression: 'none', compressed: false });
    expect(none.size).toBeGreaterThan(fast.size * 2);
    // Both archives' counts come from their own COPY data, the gzip one's inflated: the same numbers as the server's (the describe above).
    expect(Object.keys(none.rowCounts).length).toBeGreaterThan(3);
    expect(none.rowCounts).toEqual(fast.rowCounts);
    for (const backup of [fast, none]) expect((await holdfast.verify(backup.id)).valid).toBe(true);
    const runs = holdfast.catalogue.listRuns({ kind: 'backup' }).length;
    await expect(holdfast.backup('shop', { compression: { method: 'lz4' }, suffix: 'lz4' })).rejects.toMatchObject({
      code: 'VERSION_MISMATCH',
      message: expect.stringContaining('lz4 compression needs pg_dump 16 or newer'),
    });
    expect(holdfast.catalogue.listRuns({ kind: 'backup' })).toHaveLength(runs + 1);
    expect(holdfast.catalogue.listRuns({ kind: 'backup' }).at(-1)).toMatchObject({ status: 'failed' });
    expect(readdirSync(`${home.home}/backups`).filter((f) => f.includes('-lz4'))).toEqual([]);
  });

  test("a custom backup's counts cost the server no scan of its own: each table is read once, by pg_dump's COPY; a tar backup's are counted on the server", async () => {
    // Every read of a table, sequential or by index, as the server's statistics have them once the backup's sessions ended.
    const reads = async () => {
      const rows = await server.query<{ relname: string; reads: string }>(
        `SELECT pg_stat_clear_snapshot(), schemaname || '.' || relname AS relname, (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::text AS reads FROM pg_stat_user_tables`,
        'shop',
      );
      return new Map(rows.map((row) => [row.relname, Number(row.reads)]));
    };
    const scansOf = async (take: () => Promise<BackupMetadata>) => {
      const before = await reads();
      const backup = await take();
      await new Promise((resolve) => setTimeout(resolve, 600)); // the backends' last statistics are sent as they exit
      const after = await reads();
      return { backup, users: after.get('public.users')! - before.get('public.users')!, orders: after.get('public.orders')! - before.get('public.orders')! };
    };
    const custom = await scansOf(() => holdfast.backup('shop', { suffix: 'scans' }));
    expect(custom.backup.compression).toBe('gzip');
    expect(custom.backup.rowCounts).toEqual(expectedCounts);
    expect({ users: custom.users, orders: custom.orders }).toEqual({ users: 1, orders: 1 });
    // The check that can fail: a tar archive is not counted from its data, so the server reads each table twice.
    const tar = await scansOf(() => holdfast.backup('shop', { format: 'tar', suffix: 'scans' }));
    expect(tar.backup.rowCounts).toEqual(expectedCounts);
    expect({ users: tar.users, orders: tar.orders }).toEqual({ users: 2, orders: 2 });
  });

  test('BACKUP_COMPRESSION=false writes an uncompressed .sql that restores', async () => {
    const plainHome = makeHome({ BACKUP_COMPRESSION: 'false' });
    const other = await plainHome.open();
    try {
      await other.addProfile(profileFor(server, 'shop', 'shop'));
      const backup = await other.backup('shop', { format: 'plain' });
      expect(backup.filename.endsWith('.sql')).toBe(true);
      expect(backup.compressed).toBe(false);
      expect((await other.verify(backup.id)).valid).toBe(true);
      const result = await other.restore({ ref: backup.id, to: 'shop', dbname: 'from_uncompressed', create: true, clean: false, noOwner: false, noAcl: false, dryRun: false });
      expect(result.ok).toBe(true);
    } finally {
      other.close();
      plainHome.cleanup();
    }
  });
});
