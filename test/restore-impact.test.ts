// Before a restore changes anything, the DBA sees what it will do; production targets and open
// sessions need an explicit word; --swap keeps the replaced database.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/types.ts';
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
  await target.query('CREATE DATABASE shop');
  await target.query('CREATE TABLE users (id int); INSERT INTO users SELECT generate_series(1, 7); CREATE TABLE legacy (v int); INSERT INTO legacy VALUES (1), (2);', 'shop');
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
        { table: 'public.users', backupRows: 300, targetRows: 7, action: 'replace' },
        { table: 'public.orders', backupRows: 600, targetRows: null, action: 'create' },
        { table: 'public.legacy', backupRows: null, targetRows: 2, action: 'lost' },
      ]),
    );
    expect(result.impact.missingRoles).toEqual(['auditor']);
    expect(result.impact.warnings.join('\n')).toMatch(/lacks roles .*auditor.*--no-owner --no-acl/);
    expect(result.impact.warnings.join('\n')).toContain('tagged production');
    expect(result.impact.confirmation).toBe('prod/shop');
    expect(await rowCount(target, 'shop', 'users')).toBe(7);
    expect(await target.query(`SELECT 1 FROM pg_database WHERE datname LIKE 'shop\\_\\_%'`)).toHaveLength(0);
  });

  test('without --clean the target\'s own tables are kept, not lost', async () => {
    const result = await holdfast.restore({ ...base, ref: backup.id, to: 'staging', dbname: 'fresh', create: true, dryRun: true });
    expect(result.impact.tables.every((t) => t.action === 'create')).toBe(true);
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

describe('--swap and open sessions', () => {
  test('an open session blocks the swap and leaves the original untouched; --terminate-connections ends it; the old database is kept', async () => {
    const session = new pg.Client({ host: target.host, port: target.port, user: target.user, database: 'shop' });
    await session.connect();
    session.on('error', () => undefined);
    const swap = { ...base, ref: backup.id, to: 'staging', swap: true, confirm: 'shop', noOwner: true, noAcl: true };
    const preview = await holdfast.restore({ ...swap, dryRun: true });
    expect(preview.impact.activeConnections).toBe(1);
    expect(preview.impact.warnings.join('\n')).toContain('--terminate-connections');
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
});
