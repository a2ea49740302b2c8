// Restore drills against real scratch servers: a backup is restored into a PostgreSQL of its own
// major in a temp directory, every table's rows are compared with the manifest, and the server and
// its directory are gone afterwards, also when the drill fails.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { cleanEnv } from './support/clean-env.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { closeShop, openShop, processesMatching, profileFor, projectRoot, runCli, type TestHome, usePrivateTmpdir, waitFor } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
// Drills of suites running at the same time must not show up in the left-behind checks.
const privateTmp = usePrivateTmpdir();
const scratchDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('holdfast-scratch-'));

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(500, (s) => s.query('CREATE ROLE reporting NOLOGIN; GRANT SELECT ON users TO reporting; ALTER TABLE orders OWNER TO reporting;', 'shop')));
});

afterAll(async () => {
  await closeShop({ server, home, holdfast });
  privateTmp.remove();
});

describe('verify --test-restore', () => {
  test.each(['custom', 'plain', 'directory', 'tar'] as const)('a %s backup restores into a scratch server with every row (roles applied first)', async (format) => {
    const before = scratchDirs();
    const backup = await holdfast.backup('shop', { format });
    const result = await holdfast.testRestore(backup.id);
    expect(result.error).toBeNull();
    expect(result).toMatchObject({ ok: true, server: expect.stringMatching(/^PostgreSQL 15 \(installed/) });
    expect(result.tables).toEqual(
      expect.arrayContaining([
        { table: 'public.users', expected: 500, actual: 500 },
        { table: 'public."x; $(touch /tmp/p)"', expected: 2, actual: 2 },
      ]),
    );
    expect(result.tables.every((t) => t.actual === t.expected)).toBe(true);
    expect(holdfast.catalogue.findBackup(backup.id)?.restoreTest).toEqual({ status: 'passed', at: result.at });
    expect(scratchDirs()).toEqual(before);
  });

  test.each(['postgres', 'template1'])("a backup of the %s database restores into the scratch server's own", async (dbname) => {
    await server.query('CREATE TABLE drill_probe (v int); INSERT INTO drill_probe SELECT generate_series(1, 3);', dbname);
    try {
      await holdfast.addProfile(profileFor(server, `db-${dbname}`, dbname));
      const backup = await holdfast.backup(`db-${dbname}`, {});
      const result = await holdfast.testRestore(backup.id);
      expect(result.error).toBeNull();
      expect(result.tables).toEqual([{ table: 'public.drill_probe', expected: 3, actual: 3 }]);
    } finally {
      await server.query('DROP TABLE drill_probe', dbname);
    }
  });

  test("the profile's drill checks run in the restored database: true passes, false or an error fails the drill", async () => {
    const backup = await holdfast.backup('shop', {});
    await holdfast.editProfile('shop', { drillChecks: ['SELECT count(*) = 500 FROM users', "SELECT EXISTS (SELECT 1 FROM users WHERE email = 'user1@example.com')"] });
    const passed = await holdfast.testRestore(backup.id);
    expect(passed.ok).toBe(true);
    expect(passed.checks.filter((c) => c.name === 'userCheck').map((c) => c.status)).toEqual(['ok', 'ok']);
    await holdfast.editProfile('shop', { drillChecks: ['SELECT count(*) > 1000 FROM users', 'SELECT * FROM no_such_table'] });
    const failed = await holdfast.testRestore(backup.id);
    expect(failed.ok).toBe(false);
    expect(failed.error).toContain("2 of the profile's drill checks failed");
    expect(failed.checks.filter((c) => c.name === 'userCheck').map((c) => c.detail)).toEqual([expect.stringContaining('→ false'), expect.stringContaining('does not exist')]);
    await holdfast.editProfile('shop', { drillChecks: [] });
  });

  test('row counts that differ from the manifest fail the drill, and the scratch server is still removed', async () => {
    const backup = await holdfast.backup('shop', { suffix: 'miscounted' });
    holdfast.catalogue.db.prepare(`UPDATE backups SET metadata = json_set(metadata, '$.rowCounts."public.users"', 501) WHERE id = ?`).run(backup.id);
    const before = scratchDirs();
    const result = await holdfast.testRestore(backup.id);
    expect(result).toMatchObject({ ok: false, server: expect.stringMatching(/^PostgreSQL 15 /), error: expect.stringContaining('row counts differ from the manifest for public.users') });
    expect(result.tables).toEqual(expect.arrayContaining([{ table: 'public.users', expected: 501, actual: 500 }]));
    expect(scratchDirs()).toEqual(before);
    expect(holdfast.catalogue.findBackup(backup.id)?.restoreTest).toEqual({ status: 'failed', at: result.at });
  });

  test('Ctrl-C during a drill stops it at once: the CLI exits 1, the scratch server and its directory are gone', async () => {
    const backup = await holdfast.backup('shop', {});
    // A check that would hold the drill for ten minutes (past the test's own timeout), so the interrupt lands while the server runs.
    await holdfast.editProfile('shop', { drillChecks: ['SELECT pg_sleep(600) IS NOT NULL'] });
    const before = scratchDirs();
    try {
      const child = spawn(process.execPath, [join(projectRoot, 'bin', 'holdfast.mjs'), 'verify', backup.id, '--test-restore', '--json'], {
        env: cleanEnv(home.env),
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so the signal goes to the group as a terminal's Ctrl-C does.
        detached: true,
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
      // The sandbox has no TCP port to probe: its backends' process titles say what they run.
      const dir = await waitFor(
        "the drill's check to be running",
        () => {
          const fresh = scratchDirs().find((name) => !before.includes(name));
          if (!fresh) return undefined;
          let postmaster: number;
          try {
            postmaster = Number(readFileSync(join(tmpdir(), fresh, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
          } catch {
            return undefined;
          }
          const checking = readdirSync('/proc').some((pid) => {
            try {
              const parent = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
              return parent === postmaster && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('SELECT');
            } catch {
              return false;
            }
          });
          return checking ? fresh : undefined;
        },
        30_000,
      );
      // "At once": well before the check's 600 s sleep would end (the test's own timeout would fail first).
      process.kill(-child.pid!, 'SIGINT');
      expect(await exited).toBe(1);
      expect(JSON.parse(stdout)).toMatchObject({ ok: false, error: expect.stringContaining('cancelled') });
      expect(scratchDirs()).toEqual(before);
      expect(processesMatching(dir)).toEqual([]);
    } finally {
      await holdfast.editProfile('shop', { drillChecks: [] });
    }
  });

  test('a damaged backup fails the drill before anything is restored (the server started beside the checksum is removed); the CLI exits 1 and list shows it', async () => {
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

describe('drills that could not run, and how many run at once', () => {
  test("a drill that never ran (no server binaries of that major, a cancel) leaves the backup's last verdict as it was", async () => {
    const backup = await holdfast.backup('shop', { suffix: 'verdict' });
    const passed = await holdfast.testRestore(backup.id);
    expect(passed).toMatchObject({ ok: true, verdict: 'passed' });
    const stored = holdfast.catalogue.findBackup(backup.id)?.restoreTest;
    expect(stored).toEqual({ status: 'passed', at: passed.at });

    const noServer = await holdfast.testRestore(backup.id, { major: 99 });
    expect(noServer).toMatchObject({ ok: false, verdict: 'not-run', error: expect.stringContaining('No PostgreSQL 99 server binaries') });
    expect(holdfast.catalogue.findBackup(backup.id)?.restoreTest).toEqual(stored);

    const controller = new AbortController();
    controller.abort();
    const cancelled = await holdfast.testRestore(backup.id, { signal: controller.signal }).catch((error: unknown) => error);
    expect(cancelled).toMatchObject({ code: 'CANCELLED' });
    expect(holdfast.catalogue.findBackup(backup.id)?.restoreTest).toEqual(stored);
  });

  test('HOLDFAST_DRILL_CONCURRENCY (default 1): three drills asked for at once run one after another, never two servers at a time', async () => {
    const backup = await holdfast.backup('shop', { suffix: 'concurrent' });
    const before = new Set(scratchDirs());
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, scratchDirs().filter((name) => !before.has(name)).length);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    try {
      const results = await Promise.all([1, 2, 3].map(() => holdfast.testRestore(backup.id)));
      expect(results.map((r) => r.verdict)).toEqual(['passed', 'passed', 'passed']);
    } finally {
      sampling = false;
      await sampler;
    }
    expect(most).toBe(1);
  });
});

describe('verify --test-restore --on-profile (a scratch server the DBA designates)', () => {
  const drillDatabases = () => server.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'shop\\_\\_holdfast\\_drill\\_%'`);

  test.each(['custom', 'plain'] as const)('a %s backup restores into a throwaway database on that server, which is dropped afterwards', async (format) => {
    await holdfast.addProfile({ ...profileFor(server, `scratchpad-${format}`, 'postgres'), tags: ['drill-target'] });
    const backup = await holdfast.backup('shop', { format });
    const before = scratchDirs();
    const result = await holdfast.testRestore(backup.id, { onProfile: `scratchpad-${format}` });
    expect(result.error).toBeNull();
    expect(result).toMatchObject({ ok: true, server: expect.stringMatching(new RegExp(`^PostgreSQL 15\\.\\d+ \\(profile "scratchpad-${format}", database "shop__holdfast_drill_\\d{14}"\\)$`)) });
    expect(result.tables.length).toBe(Object.keys(backup.rowCounts).length);
    expect(result.tables.every((t) => t.actual === t.expected)).toBe(true);
    expect(await drillDatabases()).toEqual([]);
    expect(scratchDirs()).toEqual(before);
    expect(holdfast.catalogue.findBackup(backup.id)?.restoreTest).toEqual({ status: 'passed', at: result.at });
    expect(holdfast.catalogue.auditEntries(1)[0]).toMatchObject({
      action: 'backup.testRestore',
      target: backup.filename,
      detail: { result: 'ok', onProfile: `scratchpad-${format}`, server: result.server },
    });
  });

  test('a failing drill drops its database too; a production profile is refused before anything is recorded', async () => {
    const backup = await holdfast.backup('shop', { suffix: 'onprofile' });
    holdfast.catalogue.db.prepare(`UPDATE backups SET metadata = json_set(metadata, '$.rowCounts."public.orders"', 1) WHERE id = ?`).run(backup.id);
    const failed = await holdfast.testRestore(backup.id, { onProfile: 'scratchpad-custom' });
    expect(failed).toMatchObject({ ok: false, error: expect.stringContaining('row counts differ from the manifest for public.orders') });
    expect(await drillDatabases()).toEqual([]);

    await holdfast.addProfile({ ...profileFor(server, 'prodpad', 'postgres'), tags: ['production'] });
    const refused = await runCli(['verify', backup.id, '--test-restore', '--on-profile', 'prodpad', '--json'], home.env);
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('tagged production') } });
    expect(holdfast.catalogue.findBackup(backup.id)?.restoreTest).toEqual({ status: 'failed', at: failed.at });
    expect((await runCli(['verify', backup.id, '--test-restore', '--on-profile', 'scratchpad-custom', '--on-major', '16'], home.env)).code).toBe(2);
  });

  test('only a profile tagged drill-target (and not production) takes a drill; anything else is refused before anything is recorded', async () => {
    const backup = await holdfast.backup('shop', { suffix: 'undesignated' });
    await holdfast.addProfile(profileFor(server, 'untagged', 'postgres'));
    await holdfast.addProfile({ ...profileFor(server, 'both', 'postgres'), tags: ['drill-target', 'production'] });
    const runs = () => holdfast.catalogue.listRuns({ kind: 'verify' }).length;
    const before = runs();
    await expect(holdfast.testRestore(backup.id, { onProfile: 'untagged' })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('not tagged drill-target'),
      hint: expect.stringContaining('holdfast profile edit untagged --tag drill-target'),
    });
    await expect(holdfast.testRestore(backup.id, { onProfile: 'both' })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('tagged production') });
    const refused = await runCli(['verify', backup.id, '--test-restore', '--on-profile', 'untagged', '--json'], home.env);
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', hint: expect.stringContaining('leave --on-profile out') } });
    expect(runs()).toBe(before);
    expect(holdfast.catalogue.findBackup(backup.id)?.restoreTest).toBeNull();
    expect(await drillDatabases()).toEqual([]);
  });

  test('a drill database that cannot be dropped is said loudly: its own audit entry, an error in the log, a notification', async () => {
    // DROP DATABASE refuses a database with a subscription, even WITH (FORCE); pg_dump carries it
    // (as connect = false) into the drill's copy.
    await server.query('CREATE DATABASE stuck');
    await server.query(`CREATE SUBSCRIPTION stuck CONNECTION 'host=127.0.0.1 port=1 dbname=none' PUBLICATION nothing WITH (connect = false)`, 'stuck');
    const leftBehind = () => server.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'stuck\\_\\_holdfast\\_drill\\_%'`);
    const notify = vi.spyOn(holdfast.notifier, 'notify');
    try {
      await holdfast.addProfile(profileFor(server, 'stuck', 'stuck'));
      const backup = await holdfast.backup('stuck', {});
      const result = await holdfast.testRestore(backup.id, { onProfile: 'scratchpad-custom' });
      const [left] = await leftBehind();
      expect(left).toBeDefined();
      expect(result.checks).toContainEqual({ name: 'cleanup', status: 'failed', detail: expect.stringContaining(left!.datname) });
      const [cleanupEntry, drillEntry] = holdfast.catalogue.auditEntries(2);
      expect(drillEntry).toMatchObject({ action: 'backup.testRestore', target: backup.filename });
      expect(cleanupEntry).toMatchObject({
        action: 'drill.cleanupFailed',
        target: 'scratchpad-custom',
        detail: { database: left!.datname, filename: backup.filename, error: expect.stringContaining('subscription') },
      });
      const log = readFileSync(join(home.home, 'logs', 'holdfast.log'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: number; msg: string; database?: string });
      expect(log).toContainEqual(expect.objectContaining({ level: 50, msg: expect.stringContaining('could not be dropped'), database: left!.datname }));
      expect(notify).toHaveBeenCalledWith(expect.objectContaining({ kind: 'drill.cleanupFailed', profile: 'scratchpad-custom', database: left!.datname, filename: backup.filename }), 'drill');
    } finally {
      notify.mockRestore();
      for (const { datname } of [...(await leftBehind()), { datname: 'stuck' }]) {
        await server.query('ALTER SUBSCRIPTION stuck DISABLE; ALTER SUBSCRIPTION stuck SET (slot_name = NONE); DROP SUBSCRIPTION stuck', datname);
        await server.query(`DROP DATABASE "${datname}"`);
      }
    }
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

  test('a restore preview into an older server (14) warns, and names an extension it cannot provide', async () => {
    // pg_walinspect is new in PostgreSQL 15: the 14 server has no such extension.
    await server.query('CREATE EXTENSION pg_walinspect', 'shop');
    const older = await startPgServer({ major: 14 });
    try {
      const backup = await holdfast.backup('shop', {});
      await holdfast.addProfile(profileFor(older, 'old', 'postgres'));
      const preview = await holdfast.restore({ ref: backup.id, to: 'old', dbname: 'shop', create: true, clean: false, noOwner: true, noAcl: true, dryRun: true });
      expect(preview.impact.targetServer).toMatch(/^PostgreSQL 14\./);
      expect(preview.impact.warnings.join('\n')).toMatch(/older than the backup's source \(PostgreSQL 15/);
      expect(preview.impact.unavailableExtensions).toEqual(['pg_walinspect']);
      expect(preview.impact.blockers).toContainEqual(expect.objectContaining({ kind: 'unavailable-extensions', message: expect.stringContaining('cannot provide these extensions: pg_walinspect') }));
      expect(await older.query(`SELECT 1 FROM pg_database WHERE datname = 'shop'`)).toEqual([]);
    } finally {
      await older.stop();
      await server.query('DROP EXTENSION pg_walinspect', 'shop');
    }
  });
});
