// The CLI contract as a DBA uses it: the real bin, real server, exit codes 0/1/2, JSON on stdout.
import { appendFileSync, chmodSync, chownSync, closeSync, cpSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanEnv } from './support/clean-env.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, profileFor, projectRoot, rowCount, runCli, seedDatabase, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;

beforeAll(async () => {
  server = await startPgServer();
  await seedDatabase(server, 'app', 300);
  home = makeHome();
});

afterAll(async () => {
  home?.cleanup();
  await server?.stop();
});

const cli = (...args: string[]) => runCli(args, home.env);
const connection = () => ['--host', server.host, '--port', String(server.port), '--user', server.user];

describe('holdfast CLI', () => {
  let backupId: string;
  let filename: string;

  test('profile add / list, including a name that looks like an option', async () => {
    expect((await cli('profile', 'add', 'app', ...connection(), '--dbname', 'app', '--tag', 'staging')).code).toBe(0);
    const odd = await cli('profile', 'add', ...connection(), '--dbname', 'app', '--', '-fx');
    expect(odd.code).toBe(0);
    const listed = await cli('profile', 'list', '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((p: { name: string }) => p.name)).toEqual(['-fx', 'app']);
  });

  test("backup --json prints the specification's metadata fields", async () => {
    const result = await cli('backup', 'app', '--suffix', 'manual', '--json');
    expect(result.code, result.stderr).toBe(0);
    const metadata = JSON.parse(result.stdout);
    for (const field of [
      'filename',
      'timestamp',
      'size',
      'compressed',
      'encrypted',
      'checksum',
      'databaseSize',
      'tables',
      'version',
      'duration',
      'id',
      'profile',
      'path',
      'format',
      'status',
      'rowCounts',
      'clientVersion',
      'options',
    ]) {
      expect(metadata).toHaveProperty(field);
    }
    expect(metadata).toMatchObject({ status: 'completed', format: 'custom', compressed: true, encrypted: false, rowCounts: expect.objectContaining({ 'public.users': 300 }) });
    backupId = metadata.id;
    filename = metadata.filename;
    expect(result.stderr).toMatch(/dumping/);
  });

  test('a profile named -fx backs up safely', async () => {
    const result = await cli('backup', '--json', '--', '-fx');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).filename).toMatch(/--fx\.dump$/);
  });

  test('list, verify and a dry-run restore', async () => {
    const listed = JSON.parse((await cli('list', 'app', '--json')).stdout);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: backupId, status: 'completed' });
    const verified = await cli('verify', filename, '--json');
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true });
    const human = await cli('verify', backupId);
    expect(human.stdout).toContain('✓ checksum');
    const dry = await cli('restore', backupId, '--to', 'app', '--dbname', 'copy', '--create', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, target: { database: 'copy', exists: false } });
    expect(await server.query(`SELECT 1 FROM pg_database WHERE datname = 'copy'`)).toHaveLength(0);
  });

  test('restore over the non-empty source without --clean is refused with exit 1', async () => {
    const refused = await cli('restore', backupId, '--to', 'app');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not empty');
    expect(refused.stderr).toMatch(/--clean .*--confirm=app/);
    expect(await rowCount(server, 'app', 'users')).toBe(300);
  });

  test('restore --create into a new database reports matching row counts', async () => {
    const restored = await cli('restore', backupId, '--to', 'app', '--dbname', 'copy', '--create', '--no-owner', '--json');
    expect(restored.code, restored.stderr).toBe(0);
    const result = JSON.parse(restored.stdout);
    expect(result.tables.every((t: { expected: number; actual: number }) => t.expected === t.actual)).toBe(true);
    expect(await rowCount(server, 'copy', 'users')).toBe(300);
  });

  // The DBA review: a run's id (a restore's "run …" line, `holdfast list --all`'s failed attempts) given
  // where a backup is wanted said "No backup" and sent them to `holdfast list`, which lists no runs.
  test("a run's id where a backup is wanted: said as a run, with the backup it made or restored, for verify, restore and pin", async () => {
    const catalogue = new Database(join(home.home, 'catalogue.sqlite'), { readonly: true });
    const backupRun = catalogue.prepare('SELECT run_id FROM backups WHERE id = ?').pluck().get(backupId) as string;
    catalogue.close();
    for (const args of [
      ['verify', backupRun],
      ['restore', backupRun, '--to', 'app', '--dbname', 'copy2', '--create', '--dry-run'],
      ['pin', backupRun],
    ]) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain(`"${backupRun}" is the id of a backup run, not of a backup: the run that made backup ${backupId} (${filename}).`);
      expect(result.stderr).toContain(`hint: Give the backup's id, ${backupId}, instead.`);
      expect(result.stderr).not.toContain('No backup with id');
    }
    const restored = JSON.parse((await cli('restore', backupId, '--to', 'app', '--dbname', 'copy3', '--create', '--no-owner', '--json')).stdout);
    const restoreRun = await cli('verify', restored.runId);
    expect(restoreRun.stderr).toContain(`"${restored.runId}" is the id of a restore run, not of a backup: the run that restored backup ${backupId} (${filename}).`);
    // A failed attempt made no backup: what lists the backups there are, and the run's own output.
    expect((await cli('profile', 'add', 'down', '--host', '127.0.0.1', '--port', '1', '--user', server.user, '--dbname', 'app')).code).toBe(0);
    expect((await cli('backup', 'down')).code).toBe(1);
    const attempt = (JSON.parse((await cli('list', 'down', '--all', '--json')).stdout) as Array<{ id: string }>)[0]!;
    const failed = await cli('verify', attempt.id);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`"${attempt.id}" is the id of a backup run, not of a backup: the run failed and made no backup.`);
    expect(failed.stderr).toContain('hint: Run holdfast list to see the backups there are');
    await server.query('DROP DATABASE copy3');
  });

  test('bad usage exits 2 and stores nothing', async () => {
    const before = readdirSync(join(home.home, 'backups'));
    for (const args of [
      ['backup', 'app', '--suffix', '../escape'],
      ['backup', 'app', '--format', 'zip'],
      ['backup', 'app', '--jobs', 'many'],
      ['backup', 'app', '--schema-only', '--data-only'],
      ['backup', 'app', '--compress', 'brotli'],
      ['frobnicate'],
      ['profile'],
      [],
      ['profile', 'add', 'x/y', '--host', 'h', '--user', 'u', '--dbname', 'd'],
    ]) {
      const result = await cli(...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr.length).toBeGreaterThan(0);
    }
    expect(readdirSync(join(home.home, 'backups'))).toEqual(before);
    const suffix = await cli('backup', 'app', '--suffix', '../escape');
    expect(suffix.stderr).toContain('suffix');
    const jsonUsage = await cli('backup', 'app', '--no-such-flag', '--json');
    expect(jsonUsage.code).toBe(2);
    expect(JSON.parse(jsonUsage.stdout)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('--no-such-flag') } });
  });

  test('operations that fail exit 1 with the reason on stderr', async () => {
    const missing = await cli('verify', 'no-such-backup');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No backup with id or filename "no-such-backup"');
    const traversal = await cli('verify', '../../etc/passwd', '--json');
    expect(traversal.code).toBe(1);
    expect(JSON.parse(traversal.stdout)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const badEnv = await runCli(['list'], { ...home.env, BACKUP_TIMEOUT_SECONDS: 'never' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain('BACKUP_TIMEOUT_SECONDS');
  });

  test('adopt re-catalogues a backup directory after a reinstall, refusing tampered files', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'holdfast-adopt-'));
    // A backup directory of its own with two backups, whatever the tests before this one stored.
    const before = makeHome();
    try {
      const engine = await before.open();
      try {
        await engine.addProfile(profileFor(server, 'app', 'app'));
        for (const suffix of ['first', 'second']) await engine.backup('app', { suffix });
      } finally {
        engine.close();
      }
      cpSync(join(before.home, 'backups'), copy, { recursive: true });
      const files = readdirSync(copy)
        .filter((f) => f.endsWith('.dump'))
        .sort();
      expect(files).toHaveLength(2);
      appendFileSync(join(copy, files[1]!), 'tampered');
      const fresh = makeHome();
      try {
        // A refused file is a failure a disaster-recovery script must see: exit 1, the rest adopted.
        const adopted = await runCli(['adopt', copy, '--json'], fresh.env);
        expect(adopted.code, adopted.stderr).toBe(1);
        const report = JSON.parse(adopted.stdout);
        expect(report.adopted).toEqual([files[0]]);
        expect(report.skipped).toEqual([{ file: files[1], reason: expect.stringContaining('does not match') }]);
        // Adopting again skips what is already catalogued; that alone is no failure.
        for (const leftover of readdirSync(copy).filter((f) => f.startsWith(files[1]!))) rmSync(join(copy, leftover));
        const again = await runCli(['adopt', copy], fresh.env);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stdout).toContain('Adopted 0 backups; 1 was already in the catalogue.');
        const listed = JSON.parse((await runCli(['list', '--json'], fresh.env)).stdout);
        expect(listed.map((b: { filename: string }) => b.filename)).toEqual([files[0]]);
        expect((await runCli(['verify', files[0]!], fresh.env)).code).toBe(0);
      } finally {
        fresh.cleanup();
      }
    } finally {
      before.cleanup();
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('profile edit, show and remove', () => {
  test("edit changes only what is given; rename keeps the backups' profile history; --delete-backups removes files", async () => {
    expect((await cli('profile', 'add', 'scratch', ...connection(), '--dbname', 'app', '--tag', 'a')).code).toBe(0);
    const edited = await cli('profile', 'edit', 'scratch', '--sslmode', 'disable', '--notes', 'for tests', '--json');
    expect(edited.code, edited.stderr).toBe(0);
    expect(JSON.parse(edited.stdout)).toMatchObject({ name: 'scratch', host: server.host, port: server.port, dbname: 'app', sslmode: 'disable', notes: 'for tests', tags: ['a'] });
    const badPort = await cli('profile', 'edit', 'scratch', '--port', '70000');
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('port');
    expect((await cli('profile', 'edit', 'scratch', '--rename', 'scratch2')).code).toBe(0);
    const shown = await cli('profile', 'show', 'scratch2');
    expect(shown.stdout).toContain('for tests');
    const backup = JSON.parse((await cli('backup', 'scratch2', '--json')).stdout) as { path: string };
    expect(existsSync(backup.path)).toBe(true);
    const removed = await cli('profile', 'remove', 'scratch2', '--delete-backups', '--json');
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ backups: 'deleted', backupCount: 1 });
    expect(existsSync(backup.path)).toBe(false);
    expect(existsSync(`${backup.path}.json`)).toBe(false);
    expect((await cli('profile', 'show', 'scratch2')).code).toBe(1);
  });
});

describe('profile test', () => {
  test("a role that cannot read every table: profile test names the tables and exits 1; a backup fails with pg_dump's message and keeps nothing", async () => {
    await server.query('CREATE ROLE limited LOGIN; GRANT SELECT ON users TO limited;', 'app');
    expect((await cli('profile', 'add', 'limited', '--host', server.host, '--port', String(server.port), '--user', 'limited', '--dbname', 'app')).code).toBe(0);
    const tested = await cli('profile', 'test', 'limited', '--json');
    expect(tested.code, tested.stderr).toBe(1);
    const report = JSON.parse(tested.stdout);
    expect(report).toMatchObject({
      currentUser: 'limited',
      superuser: false,
      readAllData: false,
      serverVersion: expect.stringMatching(/^PostgreSQL 15\./),
      ssl: false,
      clientTools: { compatible: true },
    });
    expect(report.unreadable).toEqual(expect.arrayContaining(['public.orders', '"Sales"."Quarterly Totals"']));
    expect(report.unreadable).not.toContain('public.users');
    expect((await cli('profile', 'test', 'limited')).stdout).toContain('cannot read (a backup would fail)');
    const backups = () => (existsSync(join(home.home, 'backups')) ? readdirSync(join(home.home, 'backups')) : []);
    const before = backups();
    const backup = await cli('backup', 'limited');
    expect(backup.code).toBe(1);
    expect(backup.stderr).toMatch(/pg_dump exited with code 1: .*permission denied/s);
    expect(backups()).toEqual(before);
    // The failed attempt is listed with --all only, with its reason.
    expect(JSON.parse((await cli('list', 'limited', '--json')).stdout)).toEqual([]);
    expect(JSON.parse((await cli('list', 'limited', '--all', '--json')).stdout)).toEqual([
      expect.objectContaining({ status: 'failed', profile: 'limited', filename: null, error: expect.stringContaining('permission denied') }),
    ]);
  });
});

describe('profile test and large objects', () => {
  test('pg_read_all_data does not cover large objects: profile test names the one a pg_dump would fail on and exits 1', async () => {
    await server.query('CREATE ROLE reader LOGIN; GRANT pg_read_all_data TO reader;');
    const [lo] = await server.query<{ oid: string }>('SELECT oid::text AS oid FROM pg_largeobject_metadata', 'app');
    expect((await cli('profile', 'add', 'reader', '--host', server.host, '--port', String(server.port), '--user', 'reader', '--dbname', 'app')).code).toBe(0);
    const tested = await cli('profile', 'test', 'reader', '--json');
    expect(tested.code, tested.stderr).toBe(1);
    expect(JSON.parse(tested.stdout)).toMatchObject({ readAllData: true, unreadable: [`large object ${lo!.oid}`] });
    const backup = await cli('backup', 'reader');
    expect(backup.code).toBe(1);
    expect(backup.stderr).toContain(`permission denied for large object ${lo!.oid}`);
    // Large objects are left out of a dump limited to tables, so that one works.
    expect((await cli('backup', 'reader', '--table', 'users')).code).toBe(0);
  });
});

describe('profile edit --url', () => {
  test('the URI replaces the connection fields; flags given beside it win; tags and notes stay', async () => {
    expect((await cli('profile', 'add', 'moving', '--host', 'old.example', '--port', '5433', '--user', 'nobody', '--dbname', 'olddb', '--tag', 'keep', '--notes', 'kept')).code).toBe(0);
    const edited = await cli('profile', 'edit', 'moving', '--url', `postgresql://${server.user}@${server.host}:${server.port}/app?sslmode=disable`, '--json');
    expect(edited.code, edited.stderr).toBe(0);
    expect(JSON.parse(edited.stdout)).toMatchObject({ name: 'moving', host: server.host, port: server.port, user: server.user, dbname: 'app', sslmode: 'disable', tags: ['keep'], notes: 'kept' });
    const overridden = await cli('profile', 'edit', 'moving', '--url', `postgresql://${server.user}@${server.host}:${server.port}/app`, '--dbname', 'postgres', '--json');
    expect(JSON.parse(overridden.stdout)).toMatchObject({ dbname: 'postgres', sslmode: null });
    expect((await cli('profile', 'edit', 'moving', '--url', 'mysql://x@y/z')).code).toBe(2);
    expect((await cli('profile', 'test', 'moving')).code).toBe(0);
  });
});

describe('a damaged catalogue', () => {
  test("is refused with the integrity check's message and exit 1, never recreated", async () => {
    const damaged = makeHome();
    try {
      expect((await runCli(['profile', 'add', 'p', '--host', 'h', '--user', 'u', '--dbname', 'd'], damaged.env)).code).toBe(0);
      const file = join(damaged.home, 'catalogue.sqlite');
      const db = new Database(file);
      for (let i = 0; i < 300; i += 1) db.prepare('INSERT INTO audit_log (at, actor, action, target) VALUES (?, ?, ?, ?)').run('t', 'a', 'x'.repeat(100), String(i));
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      // Overwrite one page in the middle of the file: a disk error, a bad copy.
      const fd = openSync(file, 'r+');
      writeSync(fd, Buffer.alloc(4096, 0x41), 0, 4096, 4096 * 4);
      closeSync(fd);
      const before = readFileSync(file);
      const listed = await runCli(['profile', 'list', '--json'], damaged.env);
      expect(listed.code).toBe(1);
      expect(listed.stderr).toContain("failed SQLite's integrity check");
      expect(listed.stderr).toContain('holdfast adopt');
      expect(JSON.parse(listed.stdout)).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
      expect(readFileSync(file).equals(before)).toBe(true);
    } finally {
      damaged.cleanup();
    }
  });
});

describe('the catalogue survives a crash', () => {
  test('SQLite killed mid-write: integrity_check is ok on the next start and committed rows are there', async () => {
    const crashHome = makeHome();
    try {
      const script = join(crashHome.home, 'writer.ts');
      writeFileSync(
        script,
        `import { Catalogue } from ${JSON.stringify(join(projectRoot, 'main/core/catalogue/catalogue.ts'))};
         const catalogue = new Catalogue(${JSON.stringify(join(crashHome.home, 'catalogue.sqlite'))});
         for (let i = 0; ; i += 1) {
           catalogue.db.transaction(() => {
             const id = catalogue.startRun({ kind: 'backup', profile: 'p', detail: { filler: 'x'.repeat(2000) } });
             catalogue.finishRun(id, 'failed', { error: 'e'.repeat(500) });
             catalogue.audit('t', 'write', String(i));
           })();
           // Told once enough is committed; the loop goes on writing until the kill lands mid-write.
           if (i === 100) process.stdout.write('committed\\n');
         }`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: projectRoot, env: cleanEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));

      const listed = await runCli(['list', '--all', '--json'], crashHome.env);
      expect(listed.code, listed.stderr).toBe(0);
      const db = new Database(join(crashHome.home, 'catalogue.sqlite'));
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const runs = db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number };
        const audits = db.prepare(`SELECT count(*) AS n FROM audit_log WHERE action = 'write'`).get() as { n: number };
        expect(runs.n).toBeGreaterThan(100);
        expect(audits.n).toBe(runs.n);
      } finally {
        db.close();
      }
      expect(statSync(join(crashHome.home, 'catalogue.sqlite')).size).toBeGreaterThan(0);
      expect(existsSync(join(crashHome.home, 'catalogue.sqlite'))).toBe(true);
    } finally {
      crashHome.cleanup();
    }
  });
});

describe('SSL', () => {
  test('sslmode=require: profile test reports SSL in use, and pg_dump connects over SSL too', async () => {
    const dataDir = (await server.query<{ d: string }>("SELECT current_setting('data_directory') AS d"))[0]!.d;
    const hbaFile = (await server.query<{ f: string }>("SELECT current_setting('hba_file') AS f"))[0]!.f;
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', join(dataDir, 'server.key'), '-out', join(dataDir, 'server.crt')], {
      env: cleanEnv(),
      stdio: 'ignore',
    });
    chmodSync(join(dataDir, 'server.key'), 0o600);
    const owner = statSync(dataDir);
    for (const file of ['server.key', 'server.crt']) chownSync(join(dataDir, file), owner.uid, owner.gid);
    // This role may only connect over SSL, so a backup that works proves pg_dump used it as well.
    writeFileSync(hbaFile, `hostnossl all sslonly 0.0.0.0/0 reject\n${readFileSync(hbaFile, 'utf8')}`);
    await server.query('CREATE ROLE sslonly LOGIN SUPERUSER');
    await server.query('ALTER SYSTEM SET ssl = on');
    await server.query('SELECT pg_reload_conf()');

    expect((await cli('profile', 'add', 'secure', '--host', server.host, '--port', String(server.port), '--user', 'sslonly', '--dbname', 'app', '--sslmode', 'require')).code).toBe(0);
    const tested = await cli('profile', 'test', 'secure', '--json');
    expect(tested.code, tested.stderr).toBe(0);
    expect(JSON.parse(tested.stdout)).toMatchObject({ ssl: true, currentUser: 'sslonly', superuser: true, unreadable: [] });
    const backup = await cli('backup', 'secure', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout).rowCounts).toMatchObject({ 'public.users': 300 });
    expect((await cli('profile', 'edit', 'secure', '--sslmode', 'disable')).code).toBe(0);
    const refused = await cli('backup', 'secure');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('no encryption');
  });
});
