// A restore drill restores a dump whose content is untrusted code. These are the attacks of the
// security review (issue 11), each against a real server and a real drill: a CHECK function that
// runs a program during COPY, the same from a SECURITY DEFINER function owned by a superuser and by a
// member of pg_execute_server_program, a tampered roles file, and other OS users knocking on the
// sandbox while a drill runs. The marker files live in a world-writable directory, so a program run
// as any OS user would leave one.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sha256File } from '../main/core/fsutil/durable.ts';
import type { Holdfast } from '../main/core/holdfast.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, profileFor, projectRoot, type TestHome, usePrivateTmpdir, waitFor } from './support/holdfast-env.ts';

const privateTmp = usePrivateTmpdir();
const markers = join(privateTmp.dir, 'markers');
mkdirSync(markers);
chmodSync(markers, 0o777);
const asRoot = process.getuid?.() === 0;

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;

/** A function that tries to run `id > marker` on the server's host, and swallows the refusal. */
const hostileFunction = (name: string, marker: string, extra = '') => `
  CREATE OR REPLACE FUNCTION ${name}(int) RETURNS bool LANGUAGE plpgsql ${extra} AS $f$ BEGIN
    EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', 'id > ${join(markers, marker)}');
    RETURN true;
  EXCEPTION WHEN others THEN RETURN true; END $f$;`;
/** The same function, harmless, while the source database is filled (its CHECKs run on the source too). */
const harmlessFunction = (name: string, extra = '') => `CREATE FUNCTION ${name}(int) RETURNS bool LANGUAGE plpgsql ${extra} AS $f$ BEGIN RETURN true; END $f$;`;

beforeAll(async () => {
  server = await startPgServer();
  await server.query('CREATE DATABASE shop');
  await server.query(`CREATE ROLE app LOGIN; CREATE ROLE runner NOLOGIN; GRANT pg_execute_server_program TO runner; CREATE ROLE boss SUPERUSER NOLOGIN;
    ALTER DATABASE shop OWNER TO app`);
  await server.query(
    `SET ROLE app;
     ${harmlessFunction('audit_ok')}
     CREATE TABLE audit_flags (i int CHECK (audit_ok(i)));
     INSERT INTO audit_flags SELECT generate_series(1, 5);
     ${hostileFunction('audit_ok', 'check-as-app')}
     RESET ROLE;
     ${harmlessFunction('boss_ok', 'SECURITY DEFINER')}
     ALTER FUNCTION boss_ok(int) OWNER TO boss;
     ${harmlessFunction('runner_ok', 'SECURITY DEFINER')}
     ALTER FUNCTION runner_ok(int) OWNER TO runner;
     CREATE TABLE guarded (i int CHECK (boss_ok(i)), j int CHECK (runner_ok(j)));
     INSERT INTO guarded VALUES (1, 1), (2, 2);
     ALTER TABLE guarded OWNER TO app;
     ${hostileFunction('boss_ok', 'definer-superuser', 'SECURITY DEFINER')}
     ${hostileFunction('runner_ok', 'definer-program-role', 'SECURITY DEFINER')}
     CREATE EXTENSION pgcrypto;
     -- Untrusted: only a superuser creates it. pg_dump also writes its COMMENT, which then fails too.
     CREATE EXTENSION file_fdw;
     -- A server on its wrapper and a user mapping for it: they fail only because the extension is not there.
     CREATE SERVER flat FOREIGN DATA WRAPPER file_fdw;
     CREATE USER MAPPING FOR app SERVER flat;
     CREATE TABLE hashes (h text DEFAULT encode(digest('x', 'sha256'), 'hex'));
     INSERT INTO hashes DEFAULT VALUES;
     CREATE FUNCTION ddl_note() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
     CREATE EVENT TRIGGER ddl_watch ON ddl_command_start EXECUTE FUNCTION ddl_note();
     CREATE FUNCTION raw_abs(int) RETURNS int LANGUAGE internal STRICT AS 'int4abs';
     CREATE FUNCTION definer_fn() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';`,
    'shop',
  );
  expect(readdirSync(markers)).toEqual([]);
  home = makeHome();
  holdfast = await home.open();
  await holdfast.addProfile(profileFor(server, 'shop', 'shop'));
  await holdfast.editProfile('shop', {
    drillChecks: [
      "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgcrypto')",
      "SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'definer_fn' AND prosecdef)",
      "SELECT (SELECT h FROM hashes) = encode(digest('x', 'sha256'), 'hex')",
    ],
  });
});

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await server?.stop();
  privateTmp.remove();
});

describe("a drill runs the dump's code without privileges", () => {
  test.each(['custom', 'plain', 'directory', 'tar'] as const)(
    '%s: the CHECK functions restore and run, but no program runs on the host; superuser-only objects are reported, not failed',
    async (format) => {
      const backup = await holdfast.backup('shop', { format });
      const result = await holdfast.testRestore(backup.id);
      expect(readdirSync(markers)).toEqual([]);
      expect(result.error).toBeNull();
      expect(result.ok).toBe(true);
      expect(result.tables).toEqual(
        expect.arrayContaining([
          { table: 'public.audit_flags', expected: 5, actual: 5 },
          { table: 'public.guarded', expected: 2, actual: 2 },
        ]),
      );
      // The trusted extension, the SECURITY DEFINER function and the default using pgcrypto restored.
      expect(result.checks.filter((c) => c.name === 'userCheck').map((c) => c.status)).toEqual(['ok', 'ok', 'ok']);
      const without = result.restoredWithout.map((p) => `${p.object}: ${p.message}`).join('\n');
      expect(without).toMatch(/event trigger/i);
      expect(without).toMatch(/language internal/i);
      // The untrusted extension and its comment are restored without; neither fails a good backup.
      expect(without).toMatch(/EXTENSION[^\n]*file_fdw/);
      // So are a server on its wrapper and that server's user mapping (a database using postgres_fdw failed its drill on them).
      expect(without).toMatch(/SERVER flat[^\n]*: not restored: it needs [^\n]*file_fdw/);
      expect(without).toMatch(/USER MAPPING[^\n]*app[^\n]*: not restored: it needs [^\n]*SERVER flat/);
      expect(without).not.toMatch(/\(no/);
      expect(result.sandbox).toMatchObject({ osUser: asRoot ? 'holdfast-sandbox' : expect.any(String), network: asRoot ? 'none' : 'host', restoredAs: expect.stringMatching(/^holdfast_restore_/) });
      expect(result.notes.join('\n')).toMatch(/demoted.*boss.*runner|demoted.*runner.*boss/s);
      // Issue 17 item 3: what pg_restore or psql said is kept with the drill's run, the superuser-only refusals in it.
      const tool = format === 'plain' ? 'psql' : 'pg_restore';
      expect(holdfast.toolOutput(result.runId)?.text).toMatch(new RegExp(`^── ${tool} ──\n[\\s\\S]*permission denied to create event trigger`, 'i'));
    },
  );
});

describe('the roles file', () => {
  test('a roles file holding anything but role definitions refuses the drill before the restore, and runs nothing', async () => {
    const backup = await holdfast.backup('shop', { suffix: 'tampered-roles' });
    const rolesPath = join(backup.path, '..', backup.globals.filename!);
    writeFileSync(rolesPath, `${readFileSync(rolesPath, 'utf8')}\nCOPY (SELECT 1) TO PROGRAM 'id > ${join(markers, 'roles-file')}';\n`);
    // As if the backup had been written that way: the checksum matches, only the content betrays it.
    holdfast.catalogue.db.prepare(`UPDATE backups SET metadata = json_set(metadata, '$.globals.checksum', ?) WHERE id = ?`).run(`sha256:${await sha256File(rolesPath)}`, backup.id);
    const result = await holdfast.testRestore(backup.id);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/roles file was not applied: line \d+ of the roles file is not a role definition: COPY/);
    expect(readdirSync(markers)).toEqual([]);
    expect(result.tables).toEqual([]);
  });
});

describe('the sandbox server', () => {
  test.skipIf(!asRoot)("while a drill runs: no TCP listener, its own network namespace, a socket other OS users cannot reach, and a server user that cannot read Holdfast's files", async () => {
    const backup = await holdfast.backup('shop', { suffix: 'probe' });
    await holdfast.editProfile('shop', { drillChecks: ['SELECT pg_sleep(600) IS NOT NULL'] });
    const controller = new AbortController();
    const before = new Set(readdirSync(tmpdir()));
    const drill = holdfast.testRestore(backup.id, { signal: controller.signal });
    try {
      const dir = await waitFor(
        "the drill's check to be running",
        () => {
          const fresh = readdirSync(tmpdir()).find((name) => name.startsWith('holdfast-scratch-') && !before.has(name));
          if (!fresh) return undefined;
          try {
            const pid = Number(readFileSync(join(tmpdir(), fresh, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
            const sleeping = readdirSync('/proc').some((child) => {
              try {
                return Number(readFileSync(`/proc/${child}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid && readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('SELECT');
              } catch {
                return false;
              }
            });
            return sleeping ? { root: join(tmpdir(), fresh), pid } : undefined;
          } catch {
            return undefined;
          }
        },
        60_000,
      );
      // No listening TCP socket in the server's network namespace (state 0A is LISTEN).
      for (const table of ['tcp', 'tcp6']) {
        const listening = readFileSync(`/proc/${dir.pid}/net/${table}`, 'utf8')
          .split('\n')
          .slice(1)
          .filter((line) => line.trim().split(/\s+/)[3] === '0A');
        expect(listening).toEqual([]);
      }
      expect(execFileSync('readlink', [`/proc/${dir.pid}/ns/net`], { encoding: 'utf8' })).not.toBe(execFileSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }));
      const serverUid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${dir.pid}/status`, 'utf8'))![1]);
      expect(readFileSync('/etc/passwd', 'utf8')).toContain(`holdfast-sandbox:x:${serverUid}:`);
      // Another OS user cannot reach the socket, whatever role it names.
      const psql = join(server.binDir, 'psql');
      const knock = spawnSync('runuser', ['-u', 'nobody', '--', psql, '-h', dir.root, '-p', '5432', '-U', 'postgres', '-d', 'postgres', '-c', 'SELECT 1'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      });
      expect(knock.status).not.toBe(0);
      expect(knock.stderr).toMatch(/Permission denied|No such file/);
      // The server's OS user cannot read the catalogue or the backup.
      for (const path of [join(home.home, 'catalogue.sqlite'), backup.path]) {
        const read = spawnSync('runuser', ['-u', 'holdfast-sandbox', '--', 'head', '-c', '1', path], { encoding: 'utf8', env: { PATH: process.env.PATH } });
        expect(read.status, path).not.toBe(0);
      }
    } finally {
      controller.abort();
      await drill;
      await holdfast.editProfile('shop', { drillChecks: [] });
    }
  });

  test.skipIf(!asRoot)('as an ordinary OS user Holdfast runs the sandbox as itself, and the CHECK function still runs no program', async () => {
    const user = 'holdfast-tester';
    if (spawnSync('id', [user]).status !== 0) execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', user]);
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    const own = join(privateTmp.dir, 'tester');
    for (const dir of [own, join(own, 'home'), join(own, 'tmp')]) {
      mkdirSync(dir, { recursive: true });
      chownSync(dir, uid, gid);
    }
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(own, 'home'), HOLDFAST_HOME: join(own, 'home'), TMPDIR: join(own, 'tmp') };
    const cli = (...args: string[]) => spawnSync('runuser', ['-u', user, '--', process.execPath, join(projectRoot, 'bin', 'holdfast.mjs'), ...args], { encoding: 'utf8', env, timeout: 110_000 });
    const added = cli('profile', 'add', 'shop', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'shop');
    expect(added.status, added.stderr).toBe(0);
    const made = cli('backup', 'shop', '--json');
    expect(made.status, made.stderr).toBe(0);
    const id = (JSON.parse(made.stdout) as { id: string }).id;
    const drilled = cli('verify', id, '--test-restore', '--json');
    expect(readdirSync(markers)).toEqual([]);
    expect(drilled.status, drilled.stderr + drilled.stdout).toBe(0);
    expect(JSON.parse(drilled.stdout)).toMatchObject({ ok: true, sandbox: { osUser: user, network: 'host' } });
    expect(existsSync(join(own, 'tmp'))).toBe(true);
  });
});
