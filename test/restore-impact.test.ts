// Before a restore changes anything, the DBA sees what it will do; production targets and open
// sessions need an explicit word; --swap keeps the replaced database.
import { userInfo } from 'node:os';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, profileFor, rowCount, seedDatabase, type TestHome } from './support/holdfast-env.ts';

let source: PgServer;
let target: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let backup: BackupMetadata;

const base = { noOwner: false, noAcl: false, create: false, clean: false, dryRun: false };

beforeAll(async () => {
  [source, target] = await Promise.all([startPgServer(), startPgServer()]);
  await seedDatabase(source, 'shop', 300);
  await source.query('CREATE ROLE auditor NOLOGIN; CREATE TABLE audit_trail (v int); ALTER TABLE audit_trail OWNER TO auditor;', 'shop');
  // A partitioned table on both sides: its parent holds no rows of its own, its partition does.
  const partitioned = `CREATE TABLE measurements (id int, at date) PARTITION BY RANGE (at); CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`;
  await source.query(`${partitioned} INSERT INTO measurements VALUES (1, '2024-03-01'), (2, '2024-04-01'), (3, '2024-05-01');`, 'shop');
  await target.query('CREATE DATABASE shop');
  await target.query('CREATE TABLE users (id int); INSERT INTO users SELECT generate_series(1, 7); CREATE TABLE legacy (v int); INSERT INTO legacy VALUES (1), (2);', 'shop');
  await target.query(`${partitioned} INSERT INTO measurements VALUES (9, '2024-06-01');`, 'shop');
  home = makeHome();
  holdfast = await home.open();
  await holdfast.addProfile(profileFor(source, 'source', 'shop'));
  await holdfast.addProfile({ ...profileFor(target, 'prod', 'shop'), tags: ['production'] });
  await holdfast.addProfile(profileFor(target, 'staging', 'shop'));
  backup = await holdfast.backup('source', {});
});

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await Promise.all([source?.stop(), target?.stop()]);
});

describe('restore impact preview', () => {
  test('--dry-run lists replaced, created and lost tables with row counts, missing roles and the confirmation, and changes nothing', async () => {
    const result = await holdfast.restore({ ...base, ref: backup.id, to: 'prod', clean: true, dryRun: true });
    expect(result.impact.tables).toEqual(
      expect.arrayContaining([
        { table: 'public.users', backupRows: 300, targetRows: 7, partitioned: false, action: 'replace' },
        { table: 'public.orders', backupRows: 600, targetRows: null, partitioned: false, action: 'create' },
        { table: 'public.legacy', backupRows: null, targetRows: 2, partitioned: false, action: 'lost' },
        // The parent exists on the target: replaced, not "created" (issue 12's DBA review); its rows are its
        // partition's, and it says so rather than "? rows" (stop 28's DBA review).
        { table: 'public.measurements', backupRows: null, targetRows: 0, partitioned: true, action: 'replace' },
        { table: 'public.measurements_2024', backupRows: 3, targetRows: 1, partitioned: false, action: 'replace' },
      ]),
    );
    expect(result.impact.missingRoles).toEqual(['auditor']);
    expect(result.impact.blockers).toContainEqual(
      expect.objectContaining({ kind: 'missing-roles', message: expect.stringContaining('"auditor"'), hint: expect.stringMatching(/; or use --no-owner\.$/) }),
    );
    expect(result.ok).toBe(false);
    expect(result.impact.warnings.join('\n')).toContain('tagged production');
    expect(result.impact.confirmation).toBe('prod/shop');
    expect(await rowCount(target, 'shop', 'users')).toBe(7);
    expect(await target.query(`SELECT 1 FROM pg_database WHERE datname LIKE 'shop\\_\\_%'`)).toHaveLength(0);
  });

  test("without --clean the target's own tables are kept, not lost", async () => {
    const result = await holdfast.restore({ ...base, ref: backup.id, to: 'staging', dbname: 'fresh', create: true, dryRun: true });
    expect(result.impact.tables.every((t) => t.action === 'create')).toBe(true);
    // A new database: only the backup can say which tables are partitioned (the seeded events, and measurements).
    expect(result.impact.tables.filter((t) => t.partitioned).map((t) => t.table)).toEqual(['public.events', 'public.measurements']);
    expect(result.impact.confirmation).toBeNull();
  });

  test('a production profile needs --confirm=<profile>/<database>, even to create a new database', async () => {
    const attempt = { ...base, ref: backup.id, to: 'prod', dbname: 'prod_copy', create: true, noOwner: true, noAcl: true };
    await expect(holdfast.restore(attempt)).rejects.toMatchObject({ code: 'RESTORE_REFUSED', message: expect.stringContaining('--confirm=prod/prod_copy') });
    await expect(holdfast.restore({ ...attempt, confirm: 'prod_copy' })).rejects.toMatchObject({ code: 'RESTORE_REFUSED' });
    expect(await target.query(`SELECT 1 FROM pg_database WHERE datname = 'prod_copy'`)).toHaveLength(0);
    const done = await holdfast.restore({ ...attempt, confirm: 'prod/prod_copy' });
    expect(done.ok).toBe(true);
  });
});

describe('a restore that fails leaves the target as it was', () => {
  test('pg_restore failing mid-way (an owner role the target lacks) under --clean: the original is untouched, the scratch copy dropped, the failure recorded', async () => {
    const attempt = { ...base, ref: backup.id, to: 'staging', clean: true, confirm: 'shop' };
    await expect(holdfast.restore(attempt)).rejects.toMatchObject({ code: 'RESTORE_FAILED', message: expect.stringMatching(/pg_restore failed .*role "auditor" does not exist/s) });
    expect(await rowCount(target, 'shop', 'users')).toBe(7);
    expect(await rowCount(target, 'shop', 'legacy')).toBe(2);
    expect(await target.query(`SELECT datname FROM pg_database WHERE datname LIKE 'shop\\_\\_%'`)).toEqual([]);
    expect(holdfast.catalogue.listRuns({ kind: 'restore' }).at(-1)).toMatchObject({ status: 'failed', error: expect.stringContaining('auditor') });
    expect(holdfast.catalogue.auditEntries(1)[0]).toMatchObject({
      actor: userInfo().username,
      action: 'restore',
      target: backup.filename,
      detail: expect.objectContaining({ result: 'failed', profile: 'staging', database: 'shop' }),
    });
  });

  test('row counts that differ from the manifest fail the restore: a new database is dropped again, a replaced one is untouched', async () => {
    const miscounted = await holdfast.backup('source', { suffix: 'miscounted' });
    // The manifest says one row more than the archive holds.
    holdfast.catalogue.db.prepare(`UPDATE backups SET metadata = json_set(metadata, '$.rowCounts."public.users"', 301) WHERE id = ?`).run(miscounted.id);
    const attempt = { ...base, ref: miscounted.id, to: 'staging', noOwner: true, noAcl: true };
    await expect(holdfast.restore({ ...attempt, dbname: 'miscounted', create: true })).rejects.toMatchObject({
      code: 'RESTORE_FAILED',
      message: expect.stringContaining('public.users expected 301, got 300'),
    });
    expect(await target.query(`SELECT 1 FROM pg_database WHERE datname = 'miscounted'`)).toEqual([]);
    await expect(holdfast.restore({ ...attempt, clean: true, confirm: 'shop' })).rejects.toMatchObject({ code: 'RESTORE_FAILED', hint: expect.stringContaining('"shop" was left as it was') });
    expect(await rowCount(target, 'shop', 'users')).toBe(7);
    expect(await target.query(`SELECT datname FROM pg_database WHERE datname LIKE 'shop\\_\\_%'`)).toEqual([]);
  });

  test('a restore that succeeds is audited with the OS user', async () => {
    const done = await holdfast.restore({ ...base, ref: backup.id, to: 'staging', dbname: 'audited', create: true, noOwner: true, noAcl: true });
    expect(done.ok).toBe(true);
    expect(holdfast.catalogue.auditEntries(1)[0]).toMatchObject({
      actor: userInfo().username,
      action: 'restore',
      target: backup.filename,
      detail: expect.objectContaining({ result: 'ok', profile: 'staging', database: 'audited' }),
    });
  });
});

describe('--swap and open sessions', () => {
  test('an open session blocks the swap and leaves the original untouched; --terminate-connections ends it; the old database is kept', async () => {
    const session = new pg.Client({ host: target.host, port: target.port, user: target.user, database: 'shop' });
    await session.connect();
    session.on('error', () => undefined);
    const swap = { ...base, ref: backup.id, to: 'staging', swap: true, confirm: 'shop', noOwner: true, noAcl: true };
    const preview = await holdfast.restore({ ...swap, dryRun: true });
    expect(preview.impact.activeConnections).toBe(1);
    expect(preview.impact.blockers).toContainEqual(expect.objectContaining({ kind: 'other-sessions', action: 'terminate-connections', hint: expect.stringContaining('--terminate-connections') }));
    await expect(holdfast.restore(swap)).rejects.toMatchObject({ code: 'RESTORE_FAILED', message: expect.stringContaining('"shop"') });
    expect(await rowCount(target, 'shop', 'users')).toBe(7);
    expect(await target.query(`SELECT datname FROM pg_database WHERE datname LIKE 'shop\\_\\_%'`)).toEqual([]);

    const result = await holdfast.restore({ ...swap, terminateConnections: true });
    await session.end().catch(() => undefined);
    expect(result.keptAs).toMatch(/^shop__before_\d{14}$/);
    expect(await rowCount(target, 'shop', 'users')).toBe(300);
    expect(await rowCount(target, result.keptAs!, 'users')).toBe(7);
    expect(await rowCount(target, result.keptAs!, 'legacy')).toBe(2);
  });

  test('two swaps of one database within a second, or an old kept copy with the same stamp, never collide on a scratch name', async () => {
    // The names are to the second: take the next few seconds' __before_ names, as kept copies would.
    const stamp = (offset: number) =>
      new Date(Date.now() + offset * 1000)
        .toISOString()
        .replace(/[-:TZ.]/g, '')
        .slice(0, 14);
    const taken = [0, 1, 2, 3].map((offset) => `shop__before_${stamp(offset)}`);
    const existing = new Set((await target.query<{ datname: string }>(`SELECT datname FROM pg_database`)).map((row) => row.datname));
    const made = taken.filter((name) => !existing.has(name));
    for (const name of made) await target.query(`CREATE DATABASE "${name}"`);
    try {
      const swap = { ...base, ref: backup.id, to: 'staging', swap: true, confirm: 'shop', noOwner: true, noAcl: true, terminateConnections: true };
      const first = await holdfast.restore(swap);
      const second = await holdfast.restore(swap);
      expect(taken).not.toContain(first.keptAs);
      expect(second.keptAs).not.toBe(first.keptAs);
      expect(await rowCount(target, 'shop', 'users')).toBe(300);
      for (const kept of [first.keptAs!, second.keptAs!]) await target.query(`DROP DATABASE "${kept}"`);
    } finally {
      for (const name of made) await target.query(`DROP DATABASE IF EXISTS "${name}"`);
    }
  });
});
