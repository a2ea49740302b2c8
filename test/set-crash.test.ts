// Holdfast killed (SIGKILL) while it takes a whole-server set, by the built CLI against a real server:
// the next start, whatever the command, marks the set interrupted (never completed, never partial as
// a good copy), removes every temp file, keeps the members that finished as the catalogue records
// them (file, sidecar, checksum) and lists them with the set; the next set then succeeds. A lock held
// on a member's table, or on the shared comments catalogue the roles file reads, stops the kill at a known
// point instead of a guessed sleep.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sha256File } from '../main/core/fsutil/durable.ts';
import type { BackupSet } from '../main/core/sets/set-record.ts';
import { makeHome, processesMatching, runCli, seedDatabase, startCli, waitFor, type TestHome } from './support/holdfast-env.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';

let server: PgServer;
const DATABASES = ['alpha', 'bravo', 'charlie'];

beforeAll(async () => {
  server = await startPgServer();
  for (const name of DATABASES) await seedDatabase(server, name, 20_000);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

async function serverProfile(home: TestHome): Promise<void> {
  const added = await runCli(['profile', 'add', 'whole', '--host', server.host, '--port', String(server.port), '--user', server.user, '--all-databases', '--parallel-databases', '1'], home.env);
  expect(added.code, added.stderr).toBe(0);
}

const backupFiles = (home: TestHome) => readdirSync(join(home.home, 'backups'));

/** SIGKILLs the CLI once `blocked` finds its work waiting on the lock; its children die with it (their lifeline). */
async function killWhenBlocked(home: TestHome, lock: pg.Client, blocked: () => Promise<boolean>, evidence: (files: string[]) => boolean): Promise<void> {
  try {
    const cli = startCli(['backup', 'whole'], home.env);
    await waitFor('the set to block on the lock', async () => ((await blocked()) ? true : undefined), 60_000);
    await waitFor('its temp file', () => evidence(backupFiles(home)) || undefined);
    cli.kill('SIGKILL');
    await new Promise((resolve) => cli.once('close', resolve));
    await waitFor('its pg tools to die with it', () => (processesMatching(join(home.home, 'backups')).length === 0 ? true : undefined));
  } finally {
    await lock.end();
  }
}

/** After the next start: the one set, its members as the catalogue has them, and no file the catalogue does not account for. */
async function expectSettled(home: TestHome): Promise<BackupSet> {
  // Any command settles what the killed Holdfast left: here `list`.
  const listed = await runCli(['list', '--json'], home.env);
  expect(listed.code, listed.stderr).toBe(0);
  const holdfast = await home.open();
  try {
    const [set, ...others] = holdfast.sets.list('whole');
    expect(others).toEqual([]);
    expect(set!.status).toBe('interrupted');
    expect(set!.problems.join('\n')).toMatch(/stopped/);
    expect(backupFiles(home).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const members = holdfast.sets.members(set!);
    const accounted = new Set<string>();
    for (const member of members) {
      expect(existsSync(member.path)).toBe(true);
      expect(`sha256:${await sha256File(member.path)}`).toBe(member.checksum);
      accounted.add(member.filename).add(`${member.filename}.json`);
      expect(set!.databases.find((m) => m.database === member.database)).toMatchObject({ id: member.id, status: 'completed', checksum: member.checksum });
    }
    for (const database of set!.databases) if (database.status !== 'completed') expect(database).toMatchObject({ id: null, status: 'interrupted' });
    expect(set!.databases.map((m) => m.database)).toEqual(set!.expected);
    if (set!.globals.filename) accounted.add(set!.globals.filename);
    expect(backupFiles(home).filter((name) => !accounted.has(name))).toEqual([]);
    // Verify says whether the files the set holds are intact (backup-sets.ts); that the set is not complete is its own fact.
    const verified = await holdfast.sets.verify(set!.id);
    expect(verified).toMatchObject({ status: 'interrupted', complete: false });
    expect(verified.valid).toBe(members.length > 0);
    return set!;
  } finally {
    holdfast.close();
  }
}

async function expectNextSetCompletes(home: TestHome): Promise<void> {
  const taken = await runCli(['backup', 'whole', '--json'], home.env);
  expect(taken.code, taken.stderr).toBe(0);
  expect(JSON.parse(taken.stdout)).toMatchObject({ kind: 'set', status: 'completed' });
}

describe('Holdfast killed mid-set', () => {
  test('while a member dumps: the finished members stay, the rest are interrupted, no temp is left, the next set completes', async () => {
    const home = makeHome();
    try {
      await serverProfile(home);
      // One at a time, in name order: alpha finishes, bravo waits on its table, charlie and postgres never start.
      const lock = await server.lockTable('bravo', 'users');
      await killWhenBlocked(
        home,
        lock,
        async () => (await server.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = 'bravo' AND query ILIKE 'LOCK TABLE%'`)).length > 0,
        (files) => files.some((name) => name.endsWith('-bravo.dump.tmp')),
      );
      const set = await expectSettled(home);
      expect(set.databases.map((m) => [m.database, m.status])).toEqual([
        ['alpha', 'completed'],
        ['bravo', 'interrupted'],
        ['charlie', 'interrupted'],
        ['postgres', 'interrupted'],
      ]);
      await expectNextSetCompletes(home);
    } finally {
      home.cleanup();
    }
  }, 180_000);

  test('while the roles file is written: no roles file or temp is left, the set is interrupted, the next set completes', async () => {
    const home = makeHome();
    try {
      await serverProfile(home);
      // pg_dumpall reads role comments (pg_shdescription) for the roles file, and pg_dump its database's comment: both wait.
      const lock = await server.lockTable('postgres', 'pg_catalog.pg_shdescription');
      await killWhenBlocked(
        home,
        lock,
        async () => (await server.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%rolname, rolsuper%'`)).length > 0,
        (files) => files.some((name) => name.endsWith('.globals.sql.tmp')),
      );
      const set = await expectSettled(home);
      expect(set.globals.filename).toBeNull();
      expect(set.databases.every((m) => m.status === 'interrupted')).toBe(true);
      await expectNextSetCompletes(home);
    } finally {
      home.cleanup();
    }
  }, 180_000);
});
