// Restore drills against real scratch servers: a backup is restored into a PostgreSQL of its own
// major in a temp directory, every table's rows are compared with the manifest, and the server and
// its directory are gone afterwards, also when the drill fails.
import { closeSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { closeShop, openShop, profileFor, runCli, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
const scratchDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('holdfast-scratch-'));

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(500, (s) => s.query('CREATE ROLE reporting NOLOGIN; GRANT SELECT ON users TO reporting; ALTER TABLE orders OWNER TO reporting;', 'shop')));
});

afterAll(() => closeShop({ server, home, holdfast }));

describe('verify --test-restore', () => {
  test.each(['custom', 'plain', 'directory', 'tar'] as const)('a %s backup restores into a scratch server with every row (roles applied first)', async (format) => {
    const before = scratchDirs();
    const backup = await holdfast.backup('shop', { format });
    const result = await holdfast.testRestore(backup.id);
    expect(result.error).toBeNull();
    expect(result).toMatchObject({ ok: true, server: expect.stringMatching(/^PostgreSQL 15 \(installed/) });
    expect(result.tables).toEqual(expect.arrayContaining([{ table: 'public.users', expected: 500, actual: 500 }, { table: 'public.x; $(touch /tmp/p)', expected: 2, actual: 2 }]));
    expect(result.tables.every((t) => t.actual === t.expected)).toBe(true);
    expect(holdfast.catalogue.findBackup(backup.id)?.restoreTest).toEqual({ status: 'passed', at: result.at });
    expect(scratchDirs()).toEqual(before);
  });

  test('the profile\'s drill checks run in the restored database: true passes, false or an error fails the drill', async () => {
    const backup = await holdfast.backup('shop', {});
    await holdfast.editProfile('shop', { drillChecks: ['SELECT count(*) = 500 FROM users', "SELECT EXISTS (SELECT 1 FROM users WHERE email = 'user1@example.com')"] });
    const passed = await holdfast.testRestore(backup.id);
    expect(passed.ok).toBe(true);
    expect(passed.checks.filter((c) => c.name === 'userCheck').map((c) => c.status)).toEqual(['ok', 'ok']);
    await holdfast.editProfile('shop', { drillChecks: ['SELECT count(*) > 1000 FROM users', 'SELECT * FROM no_such_table'] });
    const failed = await holdfast.testRestore(backup.id);
    expect(failed.ok).toBe(false);
    expect(failed.error).toContain('2 of the profile\'s drill checks failed');
    expect(failed.checks.filter((c) => c.name === 'userCheck').map((c) => c.detail)).toEqual([expect.stringContaining('→ false'), expect.stringContaining('does not exist')]);
    await holdfast.editProfile('shop', { drillChecks: [] });
  });

  test('a damaged backup fails the drill without starting a server; the CLI exits 1 and list shows it', async () => {
    const backup = await holdfast.backup('shop', { suffix: 'damaged' });
    const fd = openSync(backup.path, 'r+');
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, 100);
    byte[0] = byte[0]! ^ 0xff;
    writeSync(fd, byte, 0, 1, 100);
    closeSync(fd);
    const before = scratchDirs();
    const drill = await runCli(['verify', backup.id, '--test-restore', '--json'], home.env);
    expect(drill.code).toBe(1);
    const result = JSON.parse(drill.stdout);
    expect(result).toMatchObject({ ok: false, server: null, tables: [], error: expect.stringContaining('failed verification') });
    expect(scratchDirs()).toEqual(before);
    const listed = JSON.parse((await runCli(['list', '--json'], home.env)).stdout) as Array<{ id: string; restoreTest: unknown }>;
    expect(listed.find((b) => b.id === backup.id)?.restoreTest).toEqual({ status: 'failed', at: result.at });
  });
});

// The version matrix lives here too: drills in one file run one after another, so the checks above
// that no scratch directory is left behind never see another file's drill.
describe('version matrix', () => {
  test.each([16, 17, 18])('PostgreSQL 15 backups restore into %i with equal row counts', async (major) => {
    for (const format of ['custom', 'plain'] as const) {
      const backup = await holdfast.backup('shop', { format });
      const result = await holdfast.testRestore(backup.id, { major });
      expect(result.error, `${format} into ${major}`).toBeNull();
      expect(result.server).toMatch(new RegExp(`^PostgreSQL ${major} `));
      expect(result.tables.length).toBe(Object.keys(backup.rowCounts).length);
      expect(result.tables.every((t) => t.actual === t.expected)).toBe(true);
    }
  });

  test('a restore preview into an older server (14) warns', async () => {
    const backup = await holdfast.backup('shop', {});
    const older = await startPgServer({ major: 14 });
    try {
      await holdfast.addProfile(profileFor(older, 'old', 'postgres'));
      const preview = await holdfast.restore({ ref: backup.id, to: 'old', dbname: 'shop', create: true, clean: false, noOwner: true, noAcl: true, dryRun: true });
      expect(preview.impact.targetServer).toMatch(/^PostgreSQL 14\./);
      expect(preview.impact.warnings.join('\n')).toMatch(/older than the backup's source \(PostgreSQL 15/);
    } finally {
      await older.stop();
    }
  });
});
