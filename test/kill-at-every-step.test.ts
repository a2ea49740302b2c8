// Holdfast (the CLI) SIGKILLed at each step of a restore (into a new database, --clean, --swap), a
// verify and a drill, with --jobs 2, for a plain and an age-encrypted custom backup. After each kill:
// no tool of the dead Holdfast still running, no plaintext of the dump on disk, and the next command's
// start reports and repairs what it left (the run interrupted, a half-built database dropped, a swap
// rolled back), with the target database intact. The steps are the crash points of
// main/core/process/crash-point.ts (HOLDFAST_TEST_CRASH_AT), so each kill lands where it says.
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, processesMatching, rowCount, runCli, startCli, usePrivateTmpdir, waitFor, type TestHome } from './support/holdfast-env.ts';
import { filesUnderIfAny } from './support/files.ts';

const keyring = Boolean(process.env.HOLDFAST_TEST_KEYRING);
const MARKER = 'HOLDFAST-KILL-STEP-MARKER-7e21';
const privateTmp = usePrivateTmpdir();
let server: PgServer;
let home: TestHome;
let env: Record<string, string>;
const backups: Record<'plain' | 'encrypted', string> = { plain: '', encrypted: '' };

beforeAll(async () => {
  server = await startPgServer();
  await server.query('CREATE DATABASE shop');
  await server.query(
    `CREATE TABLE secrets (id int PRIMARY KEY, v text); INSERT INTO secrets SELECT g, '${MARKER}-' || g || md5(g::text) FROM generate_series(1, 20000) g;
     CREATE TABLE orders (id int PRIMARY KEY, secret int REFERENCES secrets(id)); INSERT INTO orders SELECT g, g FROM generate_series(1, 20000) g;
     CREATE TABLE original_mark (v int);`,
    'shop',
  );
  home = makeHome();
  env = { ...home.env, TMPDIR: privateTmp.dir, DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS ?? '' };
  const added = await runCli(['profile', 'add', 'shop', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'shop'], env);
  expect(added.code, added.stderr).toBe(0);
  const plain = await runCli(['backup', 'shop', '--json', '--suffix', 'plain'], env);
  expect(plain.code, plain.stderr).toBe(0);
  backups.plain = (JSON.parse(plain.stdout) as { id: string }).id;
  if (keyring) {
    const generated = await runCli(['key', 'generate', '--name', 'kill-steps', '--json'], env);
    expect(generated.code, generated.stderr).toBe(0);
    const recipient = (JSON.parse((await runCli(['key', 'list', '--json'], env)).stdout) as Array<{ name: string; recipient: string }>).find((key) => key.name === 'kill-steps')!.recipient;
    const encrypted = await runCli(['backup', 'shop', '--json', '--suffix', 'sealed'], { ...env, BACKUP_ENCRYPTION_KEY: recipient });
    expect(encrypted.code, encrypted.stderr).toBe(0);
    backups.encrypted = (JSON.parse(encrypted.stdout) as { id: string }).id;
  }
}, 300_000);

// What a failed case left is cleared, so the next case starts from one database "shop" (its failure is its own).
afterEach(async () => {
  for (const name of await databases()) if (name !== 'shop') await server.query(`DROP DATABASE "${name}" WITH (FORCE)`);
});

afterAll(async () => {
  await server?.stop();
  home?.cleanup();
  privateTmp.remove();
});

/** Files holding the marker under HOLDFAST_HOME (the backups are in it) and the temp dir, but the test server's own data directory. */
function plaintextOnDisk(): string[] {
  return [home.home, privateTmp.dir].flatMap(filesUnderIfAny).filter((file) => {
    if (file.startsWith(join(privateTmp.dir, 'holdfast-pg-'))) return false;
    // The unencrypted backup holds the marker by design.
    if (file.includes('-plain.')) return false;
    try {
      return statSync(file).isFile() && readFileSync(file).includes(MARKER);
    } catch {
      return false;
    }
  });
}

/** Tools and servers of the dead Holdfast: any process reading a file of its home, or running in the temp dir (a drill's sandbox server), but the test server. */
function leftRunning(): string[] {
  return [...processesMatching(home.home), ...processesMatching(privateTmp.dir)]
    .filter((pid) => pid !== process.pid)
    .map((pid) => {
      try {
        return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')} (${readlinkSync(`/proc/${pid}/exe`)})`;
      } catch {
        return '';
      }
    })
    .filter((line) => line !== '' && !line.includes(join(privateTmp.dir, 'holdfast-pg-')));
}

const databases = async () => (await server.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'shop%' OR datname LIKE 'killed%' ORDER BY 1`)).map((r) => r.datname);

/** Runs the command with the crash point set; it must die of it (no exit code). */
async function killedAt(step: string, args: string[]): Promise<void> {
  const ran = await runCli(args, { ...env, HOLDFAST_TEST_CRASH_AT: step });
  expect(ran.code, `${args.join(' ')} was to be killed at ${step}; it said: ${ran.stderr}`).toBeNull();
}

/** The next command's start: what it said on stderr, and the catalogue's last run of that kind after it. */
async function nextStart(kind: 'restore' | 'verify') {
  const listed = await runCli(['list', '--all', '--json'], env);
  expect(listed.code, listed.stderr).toBe(0);
  const holdfast = await home.open({ TMPDIR: privateTmp.dir });
  try {
    return { stderr: listed.stderr, run: holdfast.catalogue.listRuns({ kind }).at(-1)!, audit: holdfast.catalogue.auditEntries(5) };
  } finally {
    holdfast.close();
  }
}

async function afterTheKill(kind: 'restore' | 'verify') {
  const next = await nextStart(kind);
  expect(next.run, next.stderr).toMatchObject({ status: 'interrupted' });
  await waitFor(`no tool of the dead Holdfast running (${leftRunning().join('; ')})`, () => (leftRunning().length === 0 ? true : undefined), 10_000);
  expect(plaintextOnDisk()).toEqual([]);
  expect(await databases()).toEqual(['shop']);
  expect(await rowCount(server, 'shop', 'secrets')).toBe(20_000);
  expect(await rowCount(server, 'shop', 'original_mark')).toBe(0);
  return next;
}

const steps = ['restore:target-created', 'restore:tool-started', 'restore:restored'] as const;
const modes = {
  'a new database': ['--dbname', 'killed_new', '--create'],
  '--clean': ['--clean', '--confirm=shop'],
  '--swap': ['--swap', '--confirm=shop'],
} as const;

for (const which of ['plain', 'encrypted'] as const) {
  describe.skipIf(which === 'encrypted' && !keyring)(`Holdfast killed at each step, ${which} custom backup`, () => {
    for (const [mode, args] of Object.entries(modes)) {
      test.each(steps)(`restore into ${mode} with --jobs 2, killed at %s`, async (step) => {
        await killedAt(step, ['restore', backups[which], '--to', 'shop', ...args, '--jobs', '2']);
        const { run, stderr, audit } = await afterTheKill('restore');
        expect(run.error).not.toContain('partial output was removed');
        if (mode === 'a new database') {
          expect(run.error).toContain('the half-restored "killed_new" was dropped');
          expect(stderr).toContain('the half-restored "killed_new" was dropped');
          // A database dropped on a server is a change: the audit log says so, as it does for a swap put back.
          expect(audit[0]).toMatchObject({ action: 'restore.recover', target: 'killed_new', detail: { profile: 'shop', run: run.id, action: 'dropped' } });
        }
      });
    }

    test('verify, killed as it lists the archive', async () => {
      await killedAt('verify:listing', ['verify', backups[which]]);
      await afterTheKill('verify');
    });

    test.each(['restore:tool-started', 'restore:restored'])('drill (verify --test-restore), killed at %s', async (step) => {
      await killedAt(step, ['verify', backups[which], '--test-restore']);
      await afterTheKill('verify');
    });
  });
}

describe('Holdfast killed while pg_restore --jobs 2 has its workers running', () => {
  test('no pg_restore worker outlives it, and the next start drops the half-restored database', async () => {
    await server.query('CREATE DATABASE shop_big');
    await server.query(
      `CREATE TABLE a (id int PRIMARY KEY, v text); INSERT INTO a SELECT g, md5(g::text) || md5((g * 3)::text) FROM generate_series(1, 400000) g;
       CREATE TABLE b (id int PRIMARY KEY, v text); INSERT INTO b SELECT g, md5(g::text) || md5((g * 5)::text) FROM generate_series(1, 400000) g;`,
      'shop_big',
    );
    const added = await runCli(['profile', 'add', 'big', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'shop_big'], env);
    expect(added.code, added.stderr).toBe(0);
    const made = await runCli(['backup', 'big', '--json', '--suffix', 'plain-big'], env);
    expect(made.code, made.stderr).toBe(0);
    const id = (JSON.parse(made.stdout) as { id: string }).id;

    const cli = startCli(['restore', id, '--to', 'big', '--dbname', 'killed_big', '--create', '--jobs', '2'], env);
    const pgRestore = () => processesMatching(home.home).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('pg_restore'));
    // The leader and both workers.
    await waitFor('pg_restore and its two workers', () => (pgRestore().length >= 3 ? true : undefined), 60_000);
    // Its connections carry the run's name, so a start after a crash can find what they left on the server (pg/run-backends.ts).
    await waitFor("the workers connected under the run's name", async () =>
      (await server.query(`SELECT 1 FROM pg_stat_activity WHERE datname = 'killed_big' AND application_name ~ '^holdfast-[0-9a-f]{12}$'`)).length >= 2 ? true : undefined,
    );
    cli.kill('SIGKILL');
    await new Promise((resolve) => cli.once('close', resolve));
    await waitFor(`pg_restore gone with Holdfast (${pgRestore().join(', ')})`, () => (pgRestore().length === 0 ? true : undefined), 5_000);

    const next = await runCli(['list'], env);
    expect(next.stderr).toContain('the half-restored "killed_big" was dropped');
    expect(await databases()).toEqual(['shop', 'shop_big']);
    await server.query('DROP DATABASE shop_big');
  });
});

// Where there is no lifeline (macOS, Windows: process/child.ts), a tool outlives a killed Holdfast, and
// only its record with the run lets the next start end it. Read before any start could clear it.
describe("a killed restore's and drill's tools are recorded with their run", () => {
  const recordedTools = (kind: 'restore' | 'verify') => {
    const db = new Database(join(home.home, 'catalogue.sqlite'), { readonly: true });
    try {
      const run = db.prepare('SELECT id FROM runs WHERE kind = ? ORDER BY started_at DESC, rowid DESC LIMIT 1').pluck().get(kind) as string;
      return db.prepare('SELECT pid FROM run_children WHERE run_id = ?').pluck().all(run) as number[];
    } finally {
      db.close();
    }
  };

  test.each([
    ['restore', ['restore', '--to', 'shop', '--dbname', 'killed_new', '--create', '--jobs', '2']],
    ['verify', ['verify', '--test-restore']],
  ] as const)('%s killed as its tool starts', async (kind, args) => {
    await killedAt('restore:tool-started', [args[0], backups.plain, ...args.slice(1)]);
    expect(recordedTools(kind)).toHaveLength(1);
    await afterTheKill(kind);
  });
});
