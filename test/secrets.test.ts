// Passwords against a real OS keychain (gnome-keyring's Secret Service in the private D-Bus session
// that test/with-keyring.sh starts) and a server whose pg_hba demands scram-sha-256. The rule under
// test: the password is in the keychain and nowhere else — not argv, not a child's environment, not
// a file under HOLDFAST_HOME, not a message.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, processesMatching, runCli, startCli, usePrivateTmpdir, waitFor, type TestHome } from './support/holdfast-env.ts';
import { filesUnder } from './support/files.ts';

// Passfiles of suites running at the same time must not show up in the left-behind checks.
const privateTmp = usePrivateTmpdir();
afterAll(() => privateTmp.remove());

const keyring = Boolean(process.env.HOLDFAST_TEST_KEYRING);
const PASSWORD = 'S3cr:et\\pw#1 ünï';
const SUPER = 'super-secret-admin';

let server: PgServer;
let home: TestHome;

function expectNoPasswordUnder(dir: string, password: string) {
  const needles = [Buffer.from(password), Buffer.from(JSON.stringify(password).slice(1, -1))];
  for (const file of filesUnder(dir)) {
    const content = readFileSync(file);
    for (const needle of needles) expect(content.includes(needle), `${file} contains the password`).toBe(false);
  }
}

/**
 * pg_dump itself once it runs, by a needle in its command line: not setpriv, whose command line names
 * pg_dump too until it execs it (its environment can read empty during that exec on a loaded machine).
 */
function runningPgDump(needle: string): Promise<number> {
  return waitFor('pg_dump to start', () =>
    processesMatching(needle).find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'pg_dump' && readFileSync(`/proc/${pid}/environ`, 'utf8').length > 0;
      } catch {
        return false;
      }
    }),
  );
}

/** Passfile directories where the CLI children make them (their clean environment has no XDG_RUNTIME_DIR, so HOLDFAST_HOME/passfiles), and in TMPDIR, where they must not. */
function passfileDirs(): string[] {
  const roots = [tmpdir(), join(home.home, 'passfiles')].filter((root) => existsSync(root));
  return roots.flatMap((root) => readdirSync(root).filter((name) => name.startsWith('holdfast-pass-')));
}

describe.skipIf(!keyring)('secrets in the OS keychain (real gnome-keyring, scram-sha-256 server)', () => {
  const cli = (args: string[], input?: string) => runCli(args, home.env, input === undefined ? {} : { input });
  const connection = () => ['--host', server.host, '--port', String(server.port)];

  beforeAll(async () => {
    server = await startPgServer({ auth: 'scram-sha-256', superPassword: SUPER });
    await server.query(`CREATE ROLE app LOGIN CREATEDB PASSWORD '${PASSWORD.replace(/'/g, "''")}'`);
    await server.query('CREATE DATABASE appdb OWNER app');
    const app = new pg.Client({ host: server.host, port: server.port, user: 'app', password: PASSWORD, database: 'appdb' });
    await app.connect();
    await app.query(`CREATE TABLE accounts (id int PRIMARY KEY, owner text); INSERT INTO accounts SELECT g, 'o' || g FROM generate_series(1, 250) g;`);
    await app.end();
    home = makeHome();
  });

  afterAll(async () => {
    home?.cleanup();
    await server?.stop();
  });

  test('store → test → backup → restore with the keychain password', async () => {
    const added = await cli(['profile', 'add', 'app', ...connection(), '--user', 'app', '--dbname', 'appdb', '--password-stdin', '--json'], `${PASSWORD}\n`);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'app', keychainPassword: true });

    const tested = await cli(['profile', 'test', 'app', '--json']);
    expect(tested.code, tested.stderr).toBe(0);
    expect(JSON.parse(tested.stdout)).toMatchObject({ currentUser: 'app', superuser: false, unreadable: [], passwordSource: 'keychain', clientTools: { compatible: true } });

    const backup = await cli(['backup', 'app', '--json']);
    expect(backup.code, backup.stderr).toBe(0);
    const { id, rowCounts } = JSON.parse(backup.stdout);
    expect(rowCounts).toEqual({ 'public.accounts': 250 });

    const restored = await cli(['restore', id, '--to', 'app', '--dbname', 'appdb_copy', '--create', '--json']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout).tables).toEqual([{ table: 'public.accounts', expected: 250, actual: 250 }]);
    expect(passfileDirs()).toEqual([]);
    expectNoPasswordUnder(home.home, PASSWORD);
  });

  test("pg_dump's argv and environment never hold the password; its passfile is private and removed", async () => {
    const lock = await server.lockTable('appdb', 'accounts');
    let seen = false;
    try {
      const pending = cli(['backup', 'app', '--suffix', 'watched']);
      const pid = await runningPgDump('-app-watched.dump.tmp');
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      expect(cmdline).not.toContain(PASSWORD);
      expect(environ).not.toContain(PASSWORD);
      expect(environ).not.toMatch(/(^|\0)PGPASSWORD=/);
      const passfile = /(?:^|\0)PGPASSFILE=([^\0]+)/.exec(environ)?.[1];
      expect(passfile).toBeDefined();
      // No XDG_RUNTIME_DIR in the CLI's environment: a private directory in the home, not the shared temp directory.
      expect(join(passfile!, '..', '..')).toBe(join(home.home, 'passfiles'));
      // libpq read it before pg_dump's first socket: it is gone while pg_dump still runs (held by the
      // lock), not kept until the backup ends (its mode: main/core/secrets/passfile.test.ts).
      // The file goes first, then its private directory: waited for whole, as a loaded CI machine saw the directory a moment after the file.
      await waitFor('the passfile and its directory to go once pg_dump has connected', () => (!existsSync(passfile!) && !existsSync(join(passfile!, '..'))) || undefined);
      expect(existsSync(`/proc/${pid}`)).toBe(true);
      expect(existsSync(join(passfile!, '..'))).toBe(false);
      seen = true;
      await lock.end();
      const result = await pending;
      expect(result.code, result.stderr).toBe(0);
      expect(existsSync(passfile!)).toBe(false);
    } finally {
      if (!seen) await lock.end();
    }
  });

  test('pg_dump and pg_dumpall each get a passfile of their own, so the roles file is saved beside the dump', async () => {
    // Stand-ins that note the passfile each tool was handed, then run the real tool. With one file
    // for both, whichever connected first had it removed under the other, and pg_dumpall lost that
    // race on a loaded 2-core machine every time: "could not connect to database", no roles file.
    const bin = mkdtempSync(join(tmpdir(), 'holdfast-noting-bin-'));
    const noted = (tool: string) => join(bin, `${tool}.passfiles`);
    for (const tool of ['pg_dump', 'pg_dumpall', 'pg_restore', 'psql']) {
      const script = `#!/bin/sh\n[ "$1" = "--version" ] || printf '%s\\n' "$PGPASSFILE" >> '${noted(tool)}'\nexec '${join(server.binDir, tool)}' "$@"\n`;
      writeFileSync(join(bin, tool), script, { mode: 0o755 });
    }
    try {
      const backup = await runCli(['backup', 'app', '--suffix', 'roles', '--json'], { ...home.env, HOLDFAST_PG_BIN: bin });
      expect(backup.code, backup.stderr).toBe(0);
      const passfilesOf = (tool: string) => readFileSync(noted(tool), 'utf8').trim().split('\n');
      const dumpFiles = passfilesOf('pg_dump');
      const dumpallFiles = passfilesOf('pg_dumpall');
      expect(dumpFiles).toHaveLength(1);
      expect(dumpallFiles).toHaveLength(1);
      expect(dumpallFiles[0]).not.toBe(dumpFiles[0]);
      expect(JSON.parse(backup.stdout).globals).toMatchObject({ filename: expect.stringContaining('-app-roles.dump.globals.sql'), note: null });
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
    expect(passfileDirs()).toEqual([]);
  });

  test('the passfile is removed when pg_dump is SIGKILLed', async () => {
    const lock = await server.lockTable('appdb', 'accounts');
    try {
      const pending = cli(['backup', 'app', '--suffix', 'killed']);
      const pid = await runningPgDump('-app-killed.dump.tmp');
      const passfile = /(?:^|\0)PGPASSFILE=([^\0]+)/.exec(readFileSync(`/proc/${pid}/environ`, 'utf8'))![1]!;
      process.kill(pid, 'SIGKILL');
      const result = await pending;
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('SIGKILL');
      expect(existsSync(passfile)).toBe(false);
    } finally {
      await lock.end();
    }
    expect(passfileDirs()).toEqual([]);
  });

  test('a SIGKILLed Holdfast leaves no passfile of a child that had connected; the next start marks the run interrupted and leaves none', async () => {
    const lock = await server.lockTable('appdb', 'accounts');
    let passfile: string;
    try {
      const holdfast = startCli(['backup', 'app', '--suffix', 'crashed'], home.env);
      const exited = new Promise((resolve) => holdfast.once('close', resolve));
      const pid = await runningPgDump('-app-crashed.dump.tmp');
      passfile = /(?:^|\0)PGPASSFILE=([^\0]+)/.exec(readFileSync(`/proc/${pid}/environ`, 'utf8'))![1]!;
      // What a kill can leave is only a child's passfile from its spawn until it connects: this
      // pg_dump has connected (it waits on the lock), so its file is gone before the kill.
      await waitFor('the passfile to go once pg_dump has connected', () => !existsSync(passfile) || undefined);
      holdfast.kill('SIGKILL');
      await exited;
      // pg_dump has its own process group and outlives Holdfast; end it as an admin would.
      process.kill(pid, 'SIGKILL');
    } finally {
      await lock.end();
    }
    const next = await cli(['list', '--all', '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(existsSync(passfile)).toBe(false);
    expect(passfileDirs()).toEqual([]);
    expect(JSON.parse(next.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ status: 'interrupted', filename: null })]));
  });

  test("a wrong password: the server's message, never the password", async () => {
    const wrong = 'not-the:right\\one';
    const added = await cli(['profile', 'add', 'wrong', ...connection(), '--user', 'app', '--dbname', 'appdb', '--password-stdin'], wrong);
    expect(added.code, added.stderr).toBe(0);
    const tested = await cli(['profile', 'test', 'wrong']);
    expect(tested.code).toBe(1);
    expect(tested.stderr).toContain('password authentication failed for user "app"');
    const backup = await cli(['backup', 'wrong', '--json']);
    expect(backup.code).toBe(1);
    expect(backup.stderr).toContain('password authentication failed');
    for (const output of [tested.stdout, tested.stderr, backup.stdout, backup.stderr]) {
      expect(output).not.toContain(wrong);
      expect(output).not.toContain(PASSWORD);
    }
    expect(passfileDirs()).toEqual([]);
    expectNoPasswordUnder(home.home, wrong);
  });

  test("a URI's password moves to the keychain and is stored nowhere else", async () => {
    const uri = `postgresql://app:${encodeURIComponent(PASSWORD)}@${server.host}:${server.port}/appdb?sslmode=disable`;
    const added = await cli(['profile', 'add', 'from-uri', '--url', uri, '--json']);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ host: server.host, port: server.port, user: 'app', dbname: 'appdb', sslmode: 'disable', keychainPassword: true });
    const shown = await cli(['profile', 'show', 'from-uri', '--json']);
    expect(shown.stdout).not.toContain(encodeURIComponent(PASSWORD));
    expect((await cli(['backup', 'from-uri'])).code).toBe(0);
    expectNoPasswordUnder(home.home, PASSWORD);
  });

  test('removing a profile removes its keychain entry and keeps its backups', async () => {
    const keytar = (await import('keytar')).default;
    const profile = JSON.parse((await cli(['profile', 'show', 'from-uri', '--json'])).stdout) as { id: string };
    expect(await keytar.getPassword('Holdfast', profile.id)).toBe(PASSWORD);
    const removed = await cli(['profile', 'remove', 'from-uri', '--json']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ backups: 'kept', backupCount: 1, keychain: 'removed' });
    expect(await keytar.getPassword('Holdfast', profile.id)).toBeNull();
  });

  test('import from .pgpass (escaped : and \\) and pg_service.conf, then back up with libpq reading the .pgpass', async () => {
    const escaped = PASSWORD.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
    const files = mkdtempSync(join(tmpdir(), 'holdfast-libpq-'));
    const fresh = makeHome();
    const pgpass = join(files, 'pgpass');
    writeFileSync(pgpass, `# comment\n${server.host}:${server.port}:appdb:app:${escaped}\n${server.host}:${server.port}:*:app:${escaped}\n*:*:*:nobody:x\n`, { mode: 0o600 });
    const service = join(files, 'pg_service.conf');
    writeFileSync(service, `[reporting]\nhost=${server.host}\nport=${server.port}\ndbname=postgres\nuser=app\nsslmode=disable\n`);
    const env = { ...fresh.env, PGPASSFILE: pgpass };
    try {
      const imported = await runCli(['profile', 'import', '--pgpass', pgpass, '--service-file', service, '--json'], env);
      expect(imported.code, imported.stderr).toBe(0);
      const report = JSON.parse(imported.stdout);
      // A '*' database becomes libpq's default, the user's name.
      expect(report.created).toEqual([`${server.host}-appdb`, `${server.host}-app`, 'reporting']);
      expect(report.skipped).toEqual([expect.objectContaining({ reason: expect.stringContaining('wildcard') })]);
      const shown = JSON.parse((await runCli(['profile', 'show', 'reporting', '--json'], env)).stdout);
      expect(shown).toMatchObject({ service: 'reporting', dbname: 'postgres', keychainPassword: false });
      const backup = await runCli(['backup', `${server.host}-appdb`, '--json'], env);
      expect(backup.code, backup.stderr).toBe(0);
      const tested = await runCli(['profile', 'test', 'reporting', '--json'], env);
      expect(tested.code, tested.stderr).toBe(0);
      expect(JSON.parse(tested.stdout).passwordSource).toMatch(/^libpq/);
    } finally {
      fresh.cleanup();
      rmSync(files, { recursive: true, force: true });
    }
  });
});

describe('no keychain', () => {
  test('--password-stdin without a D-Bus session is refused, naming the keychain and ~/.pgpass; nothing is stored', async () => {
    const bare = makeHome();
    try {
      const env: Record<string, string> = { ...bare.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/holdfast-bus', DISPLAY: '' };
      const result = await runCli(['profile', 'add', 'p', '--host', '127.0.0.1', '--user', 'u', '--dbname', 'd', '--password-stdin'], env, { input: 'plaintext-pw-123' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('no OS keychain');
      expect(result.stderr).toContain('~/.pgpass');
      expect(result.stderr).not.toContain('plaintext-pw-123');
      const listed = await runCli(['profile', 'list', '--json'], env);
      expect(JSON.parse(listed.stdout)).toEqual([]);
      expectNoPasswordUnder(bare.home, 'plaintext-pw-123');
    } finally {
      bare.cleanup();
    }
  });
});

test.skipIf(keyring)('keychain suite skipped: run through `npm test` (test/with-keyring.sh) for a real gnome-keyring session', () => {
  expect(keyring).toBe(false);
});
