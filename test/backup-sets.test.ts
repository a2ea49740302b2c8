// Whole-server backup sets against a real server (issue 16): every database and the roles as one
// set, each member through the ordinary backup path; new databases picked up; a database the role
// may not connect to makes the set partial with the reason; never more members at once than asked.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatRestoreOrSet } from '../main/cli/format-sets.ts';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupSet } from '../main/core/sets/set-record.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, runCli, seedDatabase, type TestHome } from './support/holdfast-env.ts';
import { availableServerMajors } from '../main/core/drill/scratch-server.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
const ODD = 'odd "name" db';

beforeAll(async () => {
  server = await startPgServer();
  await seedDatabase(server, 'shop', 300);
  await server.query(`CREATE DATABASE "odd ""name"" db"`);
  await server.query(`CREATE TABLE "we ird" (id int); INSERT INTO "we ird" SELECT generate_series(1, 7)`, ODD);
  await server.query(`CREATE DATABASE latin ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
  await server.query(`CREATE TABLE names (n text); INSERT INTO names VALUES ('Größe'), ('café')`, 'latin');
  await server.query(`CREATE DATABASE tuned`);
  await server.query(`ALTER DATABASE tuned SET work_mem = '8MB'`);
  await server.query(`CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 42)`, 'tuned');
  await server.query(`CREATE TABLE kept_in_postgres (id int); INSERT INTO kept_in_postgres VALUES (1), (2), (3)`);
  await server.query(`CREATE ROLE app_readers NOLOGIN; CREATE ROLE alice LOGIN IN ROLE app_readers; GRANT SELECT ON t TO app_readers`, 'tuned');
  home = makeHome();
  holdfast = await home.open();
  await holdfast.addProfile({ name: 'whole', host: server.host, port: server.port, user: server.user, dbname: 'postgres', wholeServer: { excludeDatabases: [], parallelDatabases: 2 } });
}, 120_000);

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await server?.stop();
});

/** The most member runs of a set that were running at the same moment, from the catalogue's runs. */
function peakParallel(set: BackupSet): number {
  const runs = holdfast.catalogue.listRuns({ kind: 'backup' }).filter((run) => run.detail?.set === set.id);
  const edges = runs.flatMap((run) => [
    { at: run.startedAt, delta: 1 },
    { at: run.finishedAt!, delta: -1 },
  ]);
  edges.sort((a, b) => a.at.localeCompare(b.at) || a.delta - b.delta);
  let running = 0;
  let peak = 0;
  for (const edge of edges) peak = Math.max(peak, (running += edge.delta));
  return peak;
}

describe('a whole-server backup set', () => {
  let first: BackupSet;

  test('holds every connectable database (templates left out, postgres in) and the roles, each a complete backup', async () => {
    first = await holdfast.sets.take('whole', {});
    expect(first.status).toBe('completed');
    expect(first.problems).toEqual([]);
    expect(first.expected).toEqual(['latin', ODD, 'postgres', 'shop', 'tuned']);
    expect(first.databases.map((m) => [m.database, m.status])).toEqual(first.expected.map((db) => [db, 'completed']));
    const byName = Object.fromEntries(first.databases.map((m) => [m.database, m]));
    expect(byName.tuned!.rowCounts).toEqual({ 'public.t': 42 });
    expect(byName[ODD]!.rowCounts).toEqual({ 'public."we ird"': 7 });
    expect(byName.latin!.rowCounts).toEqual({ 'public.names': 2 });
    expect(byName.postgres!.rowCounts).toEqual({ 'public.kept_in_postgres': 3 });
    expect(byName.shop!.rowCounts['public.users']).toBe(300);
    // Each member is an ordinary catalogued backup, linked to its set, with its own sidecar.
    for (const member of holdfast.sets.members(first)) {
      expect(member.set).toBe(first.id);
      expect(member.format).toBe('custom');
      expect(existsSync(member.path) && existsSync(`${member.path}.json`)).toBe(true);
    }
    // The roles file is the set's own: roles, memberships.
    const roles = readFileSync(join(home.home, 'backups', first.globals.filename!), 'utf8');
    expect(roles).toContain('CREATE ROLE alice');
    expect(roles).toMatch(/GRANT app_readers TO alice/);
    // The manifest is the record as written, and its checksum is the one kept.
    const manifest = readFileSync(join(home.home, 'backups', first.manifest!.filename));
    expect(`sha256:${createHash('sha256').update(manifest).digest('hex')}`).toBe(first.manifest!.checksum);
    expect(JSON.parse(manifest.toString()).databases).toHaveLength(5);
  }, 120_000);

  test('never dumps more databases at once than --parallel-databases', () => {
    expect(first.parallelDatabases).toBe(2);
    const peak = peakParallel(first);
    expect(peak).toBeGreaterThanOrEqual(1);
    expect(peak).toBeLessThanOrEqual(2);
  });

  test('verify reads every member back, and the manifest and roles file', async () => {
    const result = await holdfast.sets.verify(first.id);
    expect(result.valid).toBe(true);
    expect(result.databases.map((d) => d.result?.valid)).toEqual([true, true, true, true, true]);
    // The set's own roles file is read back too (the DBA review asked): one changed byte fails the set, naming the file.
    const rolesPath = join(home.home, 'backups', first.globals.filename!);
    const roles = readFileSync(rolesPath);
    try {
      writeFileSync(rolesPath, Buffer.concat([roles, Buffer.from('\n')]));
      const damaged = await holdfast.sets.verify(first.id);
      expect(damaged.valid).toBe(false);
      expect(damaged.checks.find((check) => check.name === 'globals')).toMatchObject({ status: 'failed', detail: expect.stringContaining(first.globals.filename!) });
    } finally {
      writeFileSync(rolesPath, roles);
    }
  }, 120_000);

  test('a drill restores the whole set into one scratch server: roles, every database, every count', async () => {
    const drill = await holdfast.sets.testRestore(first.id);
    expect(drill.error).toBeNull();
    expect(drill.ok).toBe(true);
    expect(drill.databases.map((d) => [d.database, d.ok])).toEqual(first.expected.map((db) => [db, true]));
    const tuned = drill.databases.find((d) => d.database === 'tuned')!;
    expect(tuned.tables).toEqual([{ table: 'public.t', expected: 42, actual: 42 }]);
    for (const member of holdfast.sets.members(first)) expect(holdfast.showBackup(member.id).restoreTest?.status).toBe('passed');
    // Each member's drill is a run of its own, as a single drill is, whose pg_restore stderr is kept with it.
    for (const member of drill.databases) {
      const run = holdfast.catalogue.db.prepare('SELECT kind, status, backup_id FROM runs WHERE id = ?').get(member.runId) as { kind: string; status: string; backup_id: string } | undefined;
      expect(run).toMatchObject({ kind: 'verify', status: 'completed' });
      expect(holdfast.sets.members(first).map((m) => m.id)).toContain(run!.backup_id);
      const output = holdfast.toolOutput(member.runId!);
      if (output) expect(output.text).toMatch(/^── pg_restore/);
    }
  }, 240_000);

  test('a database created between two runs is in the next set', async () => {
    await server.query(`CREATE DATABASE later`);
    await server.query(`CREATE TABLE x (id int); INSERT INTO x VALUES (1)`, 'later');
    const second = await holdfast.sets.take('whole', {});
    expect(second.status).toBe('completed');
    expect(second.expected).toContain('later');
    expect(second.added).toEqual(['later']);
    expect(second.dropped).toEqual([]);
    await server.query(`DROP DATABASE later`);
    const third = await holdfast.sets.take('whole', {});
    expect(third.dropped).toEqual(['later']);
  }, 180_000);

  test('list nests the members under their set', async () => {
    const { invoke } = await import('../main/contract.ts');
    const listed = await invoke(holdfast, 'set.list', {});
    expect(listed.ok).toBe(true);
    if (!listed.ok) return;
    const sets = listed.value.filter((entry) => 'kind' in entry && entry.kind === 'set');
    expect(sets).toHaveLength(3);
    expect(listed.value.filter((entry) => !('kind' in entry))).toEqual([]);
  });

  test('one member cannot be deleted on its own: the set would still say it holds that database', async () => {
    const member = holdfast.sets.members(first).find((m) => m.database === 'tuned')!;
    await expect(holdfast.deleteBackup(member.id, member.filename)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(`backup set ${first.id}`),
      hint: expect.stringContaining('whole set'),
    });
    expect(existsSync(member.path)).toBe(true);
    expect(holdfast.catalogue.requireBackup(member.id).status).toBe('completed');
    expect((await holdfast.sets.verify(first.id)).valid).toBe(true);
  });

  test('restores into a fresh server: roles first, then every database with its rows, encoding, grants and settings', async () => {
    const fresh = await startPgServer();
    try {
      await holdfast.addProfile({ name: 'fresh', host: fresh.host, port: fresh.port, user: fresh.user, dbname: 'postgres' });
      const preview = await holdfast.sets.restore({ ref: first.id, to: 'fresh', create: true, clean: false, dryRun: true });
      expect(preview.ok).toBe(true);
      expect(await fresh.query(`SELECT datname FROM pg_database WHERE datname = 'tuned'`)).toEqual([]);
      const restored = await holdfast.sets.restore({ ref: first.id, to: 'fresh', create: true, clean: false, dryRun: false });
      expect(restored.databases.map((d) => [d.database, d.error])).toEqual(first.expected.map((db) => [db, null]));
      expect(restored.ok).toBe(true);
      // Each database this restore created says so among its steps, as a single restore's --create does.
      expect(restored.databases.filter((d) => d.created).map((d) => d.database)).toContain('tuned');
      for (const database of restored.databases.filter((d) => d.created))
        expect(database.result!.actions[0]).toBe(`create database "${database.database}" with the encoding and collation the backup had`);
      expect(formatRestoreOrSet(restored)).toContain('\n    - create database "tuned" with the encoding and collation the backup had\n');
      expect(restored.roles!.created).toEqual(expect.arrayContaining(['alice', 'app_readers']));
      for (const database of restored.databases) for (const table of database.result!.tables) expect(table.actual).toBe(table.expected);
      expect(await fresh.query(`SELECT pg_has_role('alice', 'app_readers', 'MEMBER') AS member`)).toEqual([{ member: true }]);
      expect(await fresh.query(`SELECT has_table_privilege('app_readers', 'public.t', 'SELECT') AS granted`, 'tuned')).toEqual([{ granted: true }]);
      expect(await fresh.query(`SELECT pg_encoding_to_char(encoding) AS encoding, datcollate FROM pg_database WHERE datname = 'latin'`)).toEqual([{ encoding: 'LATIN1', datcollate: 'C' }]);
      expect(await fresh.query(`SELECT current_setting('work_mem') AS work_mem`, 'tuned')).toEqual([{ work_mem: '8MB' }]);
      // Collation C orders by byte: "G" before "c" (a restored en_US database would say café first).
      expect(await fresh.query(`SELECT n FROM names ORDER BY n`, 'latin')).toEqual([{ n: 'Größe' }, { n: 'café' }]);
      expect(await fresh.query(`SELECT count(*)::int AS n FROM "we ird"`, ODD)).toEqual([{ n: 7 }]);
      // Restored again without --clean: every database now has tables, so nothing is changed.
      await expect(holdfast.sets.restore({ ref: first.id, to: 'fresh', create: true, clean: false, dryRun: false })).rejects.toThrow(/Nothing was restored/);
    } finally {
      await fresh.stop();
    }
  }, 240_000);

  test('a database the role may not connect to makes the set partial, naming it and why', async () => {
    await server.query(`CREATE DATABASE secret`);
    await server.query(`REVOKE CONNECT ON DATABASE secret FROM PUBLIC`);
    await server.query(`CREATE ROLE backup_reader LOGIN IN ROLE pg_read_all_data`);
    await holdfast.addProfile({
      name: 'limited',
      host: server.host,
      port: server.port,
      user: 'backup_reader',
      dbname: 'postgres',
      wholeServer: { excludeDatabases: ['sho?', 'lat*'], parallelDatabases: 1 },
    });
    const reports: Array<{ database?: string; phase: string }> = [];
    const set = await holdfast.sets.take('limited', {}, { onProgress: (progress) => reports.push(progress) });
    expect(set.status).toBe('partial');
    // Each report names its database (members run at once), and a failed member says so as it fails.
    expect(reports.every((report) => report.database !== undefined)).toBe(true);
    expect(reports.filter((report) => report.database === 'secret').at(-1)?.phase).toBe('failed');
    expect(reports.filter((report) => report.database === 'tuned').at(-1)?.phase).toBe('done');
    expect(set.excluded).toEqual(['latin', 'shop']);
    const secret = set.databases.find((m) => m.database === 'secret')!;
    expect(secret.status).toBe('failed');
    expect(secret.error).toMatch(/permission denied for database "?secret"?/);
    expect(set.problems.join('\n')).toMatch(/^secret: .*permission denied/m);
    expect(set.databases.filter((m) => m.status === 'completed').map((m) => m.database)).toEqual([ODD, 'postgres', 'tuned']);
    expect(peakParallel(set)).toBe(1);
    // Verify answers whether the files it holds are intact; that it lacks secret is said beside that.
    const verified = await holdfast.sets.verify(set.id);
    expect(verified).toMatchObject({ valid: true, complete: false, status: 'partial', missing: [expect.objectContaining({ database: 'secret', hint: expect.stringContaining('GRANT CONNECT') })] });

    // Deleted by hand, a set goes whole, and only when its id is typed.
    const { invoke } = await import('../main/contract.ts');
    const members = holdfast.sets.members(set);
    const wrong = await invoke(holdfast, 'backup.delete', { ref: set.id, confirm: members[0]!.filename });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', hint: `Confirm with exactly "${set.id}".` } });
    expect(members.every((member) => existsSync(member.path))).toBe(true);
    const deleted = await invoke(holdfast, 'backup.delete', { ref: set.id, confirm: set.id });
    expect(deleted).toMatchObject({ ok: true, value: { kind: 'set', members: members.map((m) => m.filename) } });
    expect(members.some((member) => existsSync(member.path))).toBe(false);
    expect(existsSync(join(holdfast.config.backupDir, set.manifest!.filename))).toBe(false);
    expect(existsSync(join(holdfast.config.backupDir, set.globals.filename!))).toBe(false);
    expect(holdfast.sets.find(set.id)!.status).toBe('deleted');
    expect(members.map((member) => holdfast.catalogue.findBackup(member.id)?.status)).toEqual(members.map(() => 'deleted'));
  }, 120_000);

  test('a schedule that asks for drills drills each set it takes, and each member keeps its verdict', async () => {
    const clock = { value: new Date('2025-01-01T00:00:00Z') };
    const schedule = holdfast.addSchedule({ profile: 'whole', type: 'daily', timeZone: 'UTC', testRestore: true }, clock.value);
    const scheduler = holdfast.createScheduler({ now: () => clock.value });
    try {
      clock.value = new Date('2025-01-01T03:00:00Z');
      expect(scheduler.tick()).toHaveLength(1);
      await scheduler.whenIdle();
      const view = holdfast.listSchedules('whole').find((s) => s.id === schedule.id)!;
      expect(view.lastError ?? null).toBeNull();
      expect(view.status).toBe('completed');
      const taken = holdfast.sets.list('whole').at(-1)!;
      expect(taken.status).toBe('completed');
      for (const member of holdfast.sets.members(taken)) expect(holdfast.showBackup(member.id).restoreTest?.status, member.database ?? undefined).toBe('passed');
    } finally {
      holdfast.removeSchedule(schedule.id);
    }
  }, 240_000);

  // A set drills into a newer major as a single backup does (--on-major): each from 15, the set's own.
  for (const major of [16, 17, 18]) {
    test.runIf(availableServerMajors().includes(major))(
      `a set from 15 drills into a ${major} scratch server`,
      async () => {
        const drill = await holdfast.sets.testRestore(first.id, { major });
        expect(drill.error).toBeNull();
        expect(drill.server).toMatch(new RegExp(`^PostgreSQL ${major} `));
        expect(drill.databases.map((d) => [d.database, d.ok])).toEqual(first.expected.map((db) => [db, true]));
        const tuned = drill.databases.find((d) => d.database === 'tuned')!;
        expect(tuned.tables).toEqual([{ table: 'public.t', expected: 42, actual: 42 }]);
      },
      240_000,
    );
  }
});

describe('the CLI', () => {
  test('profile add --all-databases, backup --json (a set), list --json (nested), verify <set-id>', async () => {
    const added = await runCli(
      [
        'profile',
        'add',
        'cli-server',
        '--host',
        server.host,
        '--port',
        String(server.port),
        '--user',
        server.user,
        '--all-databases',
        '--exclude-database',
        'sho*',
        '--exclude-database',
        'secret',
        '--parallel-databases',
        '3',
        '--json',
      ],
      home.env,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ dbname: 'postgres', wholeServer: { excludeDatabases: ['sho*', 'secret'], parallelDatabases: 3 } });
    const taken = await runCli(['backup', 'cli-server', '--json'], home.env);
    expect(taken.code, taken.stderr).toBe(0);
    const set = JSON.parse(taken.stdout) as BackupSet;
    expect(set).toMatchObject({ kind: 'set', status: 'completed', parallelDatabases: 3, excluded: ['secret', 'shop'] });
    expect(set.databases.map((m) => m.database)).toEqual(['latin', ODD, 'postgres', 'tuned']);
    expect(set.databases.every((m) => m.status === 'completed' && m.id && Object.keys(m.rowCounts).length > 0)).toBe(true);
    const listed = await runCli(['list', 'cli-server', '--json'], home.env);
    const entries = JSON.parse(listed.stdout) as Array<{ kind?: string; id: string; members?: Array<{ set: string }> }>;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'set', id: set.id });
    expect(entries[0]!.members!.map((m) => m.set)).toEqual([set.id, set.id, set.id, set.id]);
    const verified = await runCli(['verify', set.id], home.env);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^Valid: backup set/);
    // A single backup of a whole-server profile is refused rather than taken of its maintenance database.
    await expect(holdfast.backup('cli-server', {})).rejects.toThrow(/whole server/);
    expect(await runCli(['profile', 'add', 'bad', '--host', 'h', '--user', 'u', '--dbname', 'd', '--exclude-database', 'x'], home.env)).toMatchObject({ code: 2 });
  }, 120_000);

  // The attack/DBA review: a set that failed before it started (here: no server) was listed with
  // the manifest name it would have written, as if a .set file existed.
  test('a set that fails before it starts lists no manifest: none was written', async () => {
    const added = await runCli(['profile', 'add', 'nowhere', '--host', '127.0.0.1', '--port', '1', '--user', 'nobody', '--all-databases'], home.env);
    expect(added.code, added.stderr).toBe(0);
    const taken = await runCli(['backup', 'nowhere'], home.env);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/Cannot connect/);
    const listed = JSON.parse((await runCli(['list', 'nowhere', '--all', '--json'], home.env)).stdout) as Array<{ status: string; filename: string | null }>;
    expect(listed).toEqual([expect.objectContaining({ status: 'failed', filename: null })]);
    expect((await runCli(['list', 'nowhere', '--all'], home.env)).stdout).not.toMatch(/\.set\b/);
    expect(readdirSync(holdfast.config.backupDir).filter((name) => name.includes('-nowhere'))).toEqual([]);
  }, 60_000);

  // Verify answers "are the files this set holds intact?"; a partial set's missing databases are a
  // separate fact, said with their next step. A damaged member still makes the set INVALID.
  test('verify of a partial set: its held members intact is Valid (exit 0), saying what it lacks and what to do; a damaged member is INVALID (exit 1)', async () => {
    const taken = await runCli(['backup', 'limited', '--json'], home.env);
    expect(taken.code, taken.stderr).toBe(1);
    const set = JSON.parse(taken.stdout) as BackupSet;
    expect(set.status).toBe('partial');
    const asJson = await runCli(['verify', set.id, '--json'], home.env);
    expect(asJson.code, asJson.stderr).toBe(0);
    const result = JSON.parse(asJson.stdout) as Record<string, unknown> & { databases: Array<{ database: string; held: boolean; result: { valid: boolean } | null }> };
    expect(result).toMatchObject({
      id: set.id,
      kind: 'set',
      valid: true,
      complete: false,
      status: 'partial',
      missing: [{ database: 'secret', error: expect.stringMatching(/permission denied/), hint: expect.stringMatching(/^GRANT CONNECT .*holdfast profile edit .*--exclude-database secret/) }],
    });
    expect(result.databases.map((d) => [d.database, d.held, d.result?.valid ?? null])).toEqual([
      [ODD, true, true],
      ['postgres', true, true],
      ['secret', false, null],
      ['tuned', true, true],
    ]);
    const human = await runCli(['verify', set.id], home.env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^Valid: every file backup set ${set.id} holds is intact \\(3 databases\\); the set is PARTIAL, it lacks secret\n`));
    expect(human.stdout).not.toContain('INVALID');
    expect(human.stdout).toMatch(/\n {2}- secret: not in this set \(.*permission denied.*\)\n {4}hint: GRANT CONNECT /);

    const tuned = set.databases.find((m) => m.database === 'tuned')!;
    const path = join(holdfast.config.backupDir, tuned.filename!);
    const bytes = readFileSync(path);
    writeFileSync(path, Buffer.concat([bytes.subarray(0, bytes.length - 8), Buffer.from('damaged!')]));
    const damaged = await runCli(['verify', set.id], home.env);
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toMatch(new RegExp(`^INVALID: backup set ${set.id} \\(partial, it lacks secret\\)\n`));
    expect(damaged.stdout).toMatch(/\n {2}✗ tuned: /);
    expect(JSON.parse((await runCli(['verify', set.id, '--json'], home.env)).stdout)).toMatchObject({ valid: false, complete: false, status: 'partial' });
  }, 120_000);

  // The DBA's review (issue 17): a partial set said what failed but not what to do, and profile test
  // exited 0 beside a ✗. "limited" connects as backup_reader, which may not CONNECT to secret.
  test('a partial set gives each failed database its next step (backup, list); the step it gives works; profile test exits 1 on a ✗', async () => {
    const tested = await runCli(['profile', 'test', 'limited'], home.env);
    expect(tested.stdout).toMatch(/✗ secret .*may not CONNECT/);
    expect(tested.code, tested.stderr).toBe(1);
    const testedJson = await runCli(['profile', 'test', 'limited', '--json'], home.env);
    expect(testedJson.code).toBe(1);
    const report = JSON.parse(testedJson.stdout) as { profile: string; wholeServer: { databases: Array<{ database: string; problem: string | null }> } };
    expect(report).toMatchObject({ profile: 'limited', wholeServer: { databases: expect.arrayContaining([expect.objectContaining({ database: 'secret', sizeBytes: null })]) } });

    const grant = 'GRANT CONNECT ON DATABASE "secret" TO "backup_reader" (as its owner or a superuser), or leave it out of the set: ';
    const edit = `holdfast profile edit --all-databases --exclude-database 'sho?' --exclude-database 'lat*' --exclude-database secret --parallel-databases 1 limited`;
    const taken = await runCli(['backup', 'limited'], home.env);
    expect(taken.code, taken.stderr).toBe(1);
    expect(taken.stdout).toContain(`  ✗ secret  `);
    expect(taken.stdout).toContain(`\n    hint: ${grant}${edit}\n`);
    const asJson = JSON.parse((await runCli(['list', 'limited', '--json'], home.env)).stdout) as Array<BackupSet>;
    expect(asJson.at(-1)!.databases.find((m) => m.database === 'secret')).toMatchObject({
      status: 'failed',
      hint: `${grant}${edit}`,
      appHint: `${grant}add it under "Leave out databases" in the connection's form (Connections, Edit)`,
    });
    const listed = await runCli(['list', 'limited'], home.env);
    expect(listed.stdout).toMatch(/set partial {2}limited/);
    expect(listed.stdout).toContain(`\n    ✗ secret  `);
    expect(listed.stdout).toContain(`\n      hint: ${grant}${edit}\n`);

    // The step as a shell reads it, run: the profile keeps its other exclusions and its parallelism.
    const words = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${edit.slice('holdfast '.length)}`], { encoding: 'utf8' })
      .trimEnd()
      .split('\n');
    const edited = await runCli([...words, '--json'], home.env);
    expect(edited.code, edited.stderr).toBe(0);
    expect(JSON.parse(edited.stdout)).toMatchObject({ wholeServer: { excludeDatabases: ['sho?', 'lat*', 'secret'], parallelDatabases: 1 } });
    expect((await runCli(['profile', 'test', 'limited'], home.env)).code).toBe(0);
    const retaken = await runCli(['backup', 'limited'], home.env);
    expect(retaken.code, retaken.stderr).toBe(0);
    expect(retaken.stdout).toMatch(/^Backup set completed/);
  }, 120_000);
});
