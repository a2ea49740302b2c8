// A second review of the drill's sandbox (issue 11), attacking it with real servers. A plain dump is
// fed to psql, which runs on the Holdfast host, not in the sandbox: its meta-commands must never run,
// whether a hostile source server put them there (its superuser answers pg_dump's questions, e.g. a
// view's definition) or the file was altered along with its checksum. The marker files live in a
// world-writable directory, so a command run as any OS user would leave one.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sha256File } from '../main/core/fsutil/durable.ts';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { cleanEnv } from './support/clean-env.ts';
import { makeHome, profileFor, projectRoot, runCli, type TestHome, usePrivateTmpdir, waitFor } from './support/holdfast-env.ts';

const privateTmp = usePrivateTmpdir();
const markers = join(privateTmp.dir, 'markers');
mkdirSync(markers);
chmodSync(markers, 0o777);

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;

beforeAll(async () => {
  server = await startPgServer();
  await server.query('CREATE DATABASE viewdef');
  await server.query('CREATE DATABASE plainshop');
  await server.query('CREATE DATABASE subs');
  await server.query('CREATE ROLE app LOGIN; ALTER DATABASE subs OWNER TO app');
  await server.query('CREATE DATABASE liar OWNER app');
  await server.query('CREATE DATABASE texty');
  await server.query('CREATE DATABASE textycode');
  // The source's superuser (or a server of an admin's own, which answers whatever it likes) makes
  // pg_dump write a view definition with a psql meta-command in it: pg_dump prints it unescaped.
  await server.query(
    `CREATE TABLE t (i int); INSERT INTO t VALUES (1), (2);
     CREATE VIEW v AS SELECT 1 AS a;
     CREATE OR REPLACE FUNCTION pg_catalog.pg_get_viewdef(oid) RETURNS text LANGUAGE sql AS
       $$ SELECT E' SELECT 1 AS a;\\n\\\\unrestrict \`id > ${join(markers, 'viewdef')}\`\\nSELECT 1 AS a;' $$;`,
    'viewdef',
  );
  await server.query(`CREATE TABLE t (i int, v text); INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 3) g; CREATE VIEW tv AS SELECT i FROM t;`, 'plainshop');
  // An ordinary role's CHECK function that tells the drill when it could create a subscription.
  const trySubscribe = (body: string) => `CREATE OR REPLACE FUNCTION try_subscribe(int) RETURNS bool LANGUAGE plpgsql AS $f$ BEGIN ${body} END $f$;`;
  await server.query(
    `SET ROLE app;
     ${trySubscribe('RETURN true;')}
     CREATE TABLE subs_t (i int CHECK (try_subscribe(i)));
     INSERT INTO subs_t VALUES (1), (2);
     ${trySubscribe(`BEGIN
         EXECUTE 'CREATE SUBSCRIPTION s' || $1 || ' CONNECTION ''host=127.0.0.1 port=1 dbname=x password=x'' PUBLICATION p WITH (connect = false)';
       EXCEPTION WHEN others THEN RETURN true;
       END;
       RAISE EXCEPTION 'the dump''s code created a subscription';`)}`,
    'subs',
  );
  // An aggregate public.count(*) that answers 1000, and a CHECK function that, once restored, puts
  // public before pg_catalog in the database's search_path for every later session.
  const steer = (body: string) => `CREATE OR REPLACE FUNCTION steer(int) RETURNS bool LANGUAGE plpgsql AS $f$ BEGIN ${body} RETURN true; END $f$;`;
  await server.query(
    `SET ROLE app;
     CREATE FUNCTION lie(bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 1000::bigint';
     CREATE AGGREGATE count(*) (sfunc = lie, stype = bigint, initcond = '0');
     ${steer('')}
     CREATE TABLE lied (i int CHECK (steer(i)));
     INSERT INTO lied VALUES (1), (2), (3);
     ${steer("EXECUTE format('ALTER DATABASE %I SET search_path = public, pg_catalog', current_database());")}`,
    'liar',
  );
  // Text that spells psql meta-commands, in rows and in a default. The rows' table needs a function in
  // LANGUAGE internal, which the sandbox refuses: its CREATE TABLE and so its COPY fail there, and
  // psql reads the rows' lines as SQL.
  const run = (name: string) => `id > ${join(markers, name)}`;
  await server.query(
    `CREATE FUNCTION raw_abs(int) RETURNS int LANGUAGE internal STRICT AS 'int4abs';
     CREATE TABLE notes (n text CHECK (raw_abs(length(n)) >= 0));
     INSERT INTO notes VALUES ('\\unrestrict \`${run('text-1')}\`'), ('x\\\\unrestrict \`${run('text-2')}\`'), ('\\! ${run('text-3')}');`,
    'texty',
  );
  await server.query(`CREATE TABLE kept (c text DEFAULT chr(10) || '\\unrestrict \`${run('text-4')}\`' || chr(10)); INSERT INTO kept DEFAULT VALUES;`, 'textycode');
  home = makeHome();
  holdfast = await home.open();
  await holdfast.addProfile(profileFor(server, 'viewdef', 'viewdef'));
  await holdfast.addProfile(profileFor(server, 'plainshop', 'plainshop'));
  await holdfast.addProfile(profileFor(server, 'subs', 'subs'));
  await holdfast.addProfile(profileFor(server, 'liar', 'liar'));
  await holdfast.addProfile(profileFor(server, 'texty', 'texty'));
  await holdfast.addProfile(profileFor(server, 'textycode', 'textycode'));
});

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await server?.stop();
  privateTmp.remove();
});

/** Rewrites a gzipped plain backup and its recorded checksum and size, as if it had been written that way. */
async function alterPlain(backup: BackupMetadata, edit: (sql: string) => string): Promise<void> {
  const sql = gunzipSync(readFileSync(backup.path)).toString('utf8');
  const altered = edit(sql);
  expect(altered).not.toBe(sql);
  writeFileSync(backup.path, gzipSync(Buffer.from(altered)));
  const checksum = `sha256:${await sha256File(backup.path)}`;
  const size = readFileSync(backup.path).length;
  holdfast.catalogue.db.prepare(`UPDATE backups SET checksum = ?, size = ?, metadata = json_set(metadata, '$.checksum', ?, '$.size', ?) WHERE id = ?`).run(checksum, size, checksum, size, backup.id);
}

const restrictKey = (sql: string) => /^\\restrict (\S+)$/m.exec(sql)![1]!;

describe("a plain dump's psql meta-commands never run on the Holdfast host", () => {
  test('a view definition a hostile source rewrote to "\\unrestrict `cmd`" (psql expands it while restricted): the drill runs nothing and fails, naming it', async () => {
    const backup = await holdfast.backup('viewdef', { format: 'plain' });
    expect(gunzipSync(readFileSync(backup.path)).toString()).toContain('\\unrestrict `id');
    const result = await holdfast.testRestore(backup.id);
    expect(readdirSync(markers)).toEqual([]);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/\\unrestrict at byte \d+ that is not pg_dump's closing line/);
  });

  test('a plain file altered with its checksum — "\\unrestrict KEY" then "\\!" mid-script — runs nothing in a drill or a restore', async () => {
    const backup = await holdfast.backup('plainshop', { format: 'plain', suffix: 'unrestricted' });
    await alterPlain(backup, (sql) => sql.replace('CREATE TABLE', `\\unrestrict ${restrictKey(sql)}\n\\! id > ${join(markers, 'unrestricted')}\nCREATE TABLE`));
    const result = await holdfast.testRestore(backup.id);
    expect(readdirSync(markers)).toEqual([]);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/\\unrestrict at byte/);
    await expect(holdfast.restore({ ref: backup.id, to: 'plainshop', dbname: 'restored_unrestricted', create: true, clean: false, noOwner: false, noAcl: false, dryRun: false })).rejects.toThrow(
      /\\unrestrict at byte/,
    );
    expect(readdirSync(markers)).toEqual([]);
  });

  test('a plain file altered with its checksum to drop its \\restrict fence and run "\\!": psql is fenced by Holdfast, the drill fails on the refused meta-command', async () => {
    const backup = await holdfast.backup('plainshop', { format: 'plain', suffix: 'unfenced' });
    await alterPlain(backup, (sql) => sql.replace(/^\\(?:un)?restrict .*$/gm, '').replace('CREATE TABLE', `\\! id > ${join(markers, 'unfenced')}\nCREATE TABLE`));
    const result = await holdfast.testRestore(backup.id);
    expect(readdirSync(markers)).toEqual([]);
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/meta-command/);
  });

  test('rows holding "\\unrestrict `cmd`" (written \\\\unrestrict) restore as text, also when their COPY fails and psql reads the rows as SQL', async () => {
    const backup = await holdfast.backup('texty', { format: 'plain' });
    expect(gunzipSync(readFileSync(backup.path)).toString()).toContain('\\\\unrestrict `id');
    const result = await holdfast.testRestore(backup.id);
    expect(readdirSync(markers)).toEqual([]);
    // notes did not restore (its CHECK needs the refused function), which fails the drill, but psql ran none of its rows.
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/notes/);
    expect(result.error).not.toMatch(/unrestrict at byte/);
  });

  test('the limit of a byte search: "\\unrestrict" in code (a default\'s string) is refused although psql would not run it', async () => {
    const backup = await holdfast.backup('textycode', { format: 'plain' });
    const result = await holdfast.testRestore(backup.id);
    expect(readdirSync(markers)).toEqual([]);
    expect(result.error).toMatch(/\\unrestrict at byte \d+ that is not pg_dump's closing line/);
  });

  test('a plain dump without the \\restrict fence (pg_dump before 15.14) still drills: Holdfast fences it', async () => {
    const backup = await holdfast.backup('plainshop', { format: 'plain', suffix: 'old-pg-dump' });
    await alterPlain(backup, (sql) => sql.replace(/^\\(?:un)?restrict .*$/gm, ''));
    const result = await holdfast.testRestore(backup.id);
    expect(result.error).toBeNull();
    expect(result.ok).toBe(true);
    expect(result.tables).toEqual([{ table: 'public.t', expected: 3, actual: 3 }]);
  });
});

describe("the sandbox's roles", () => {
  test("a role holding pg_create_subscription (PostgreSQL 16+) is demoted: the dump's code cannot create a subscription, which connects to any server it names", async () => {
    const backup = await holdfast.backup('subs', {});
    // What pg_dumpall writes for a PostgreSQL 16 source where a role was given it (the client tools here are 15).
    const rolesPath = join(backup.path, '..', backup.globals.filename!);
    writeFileSync(rolesPath, `${readFileSync(rolesPath, 'utf8')}\nGRANT pg_create_subscription TO app;\n`);
    holdfast.catalogue.db.prepare(`UPDATE backups SET metadata = json_set(metadata, '$.globals.checksum', ?) WHERE id = ?`).run(`sha256:${await sha256File(rolesPath)}`, backup.id);
    const result = await holdfast.testRestore(backup.id, { major: 16 });
    expect(result.error).toBeNull();
    expect(result.ok).toBe(true);
    expect(result.notes.join('\n')).toMatch(/demoted[^\n]*\bapp\b/);
  });
});

describe("what the dump's code leaves behind does not steer Holdfast's own queries", () => {
  test("a search_path the dump sets for the database (public before pg_catalog, with a public.count aggregate) changes neither the drill's row counts nor the profile's checks", async () => {
    await holdfast.editProfile('liar', { drillChecks: ['SELECT count(*) = 3 FROM lied'] });
    const backup = await holdfast.backup('liar', {});
    expect(backup.rowCounts).toEqual({ 'public.lied': 3 });
    const result = await holdfast.testRestore(backup.id);
    expect(result.tables).toEqual([{ table: 'public.lied', expected: 3, actual: 3 }]);
    expect(result.checks.filter((c) => c.name === 'userCheck').map((c) => c.status)).toEqual(['ok']);
    expect(result.error).toBeNull();
    expect(result.ok).toBe(true);
    // The same search_path on the source itself: the backup's manifest counts the rows, not the aggregate.
    await server.query('ALTER DATABASE liar SET search_path = public, pg_catalog');
    const steered = await holdfast.backup('liar', { suffix: 'steered' });
    expect(steered.rowCounts).toEqual({ 'public.lied': 3 });
  });
});

describe('a Holdfast killed mid-drill', () => {
  test('leaves no sandbox behind once Holdfast starts again: its server is stopped and its directory, with the restored data, removed', async () => {
    const backup = await holdfast.backup('plainshop', { suffix: 'killed' });
    await holdfast.editProfile('plainshop', { drillChecks: ['SELECT pg_sleep(600) IS NOT NULL'] });
    const before = new Set(readdirSync(privateTmp.dir));
    const cli = spawn(process.execPath, [join(projectRoot, 'bin', 'holdfast.mjs'), 'verify', backup.id, '--test-restore'], { env: cleanEnv(home.env), stdio: 'ignore' });
    let postmaster = 0;
    let root = '';
    try {
      ({ root, postmaster } = await waitFor(
        "the drill's check to be running",
        () => {
          const fresh = readdirSync(privateTmp.dir).find((name) => name.startsWith('holdfast-scratch-') && !before.has(name));
          if (!fresh) return undefined;
          try {
            const pid = Number(readFileSync(join(privateTmp.dir, fresh, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
            const checking = readdirSync('/proc').some((child) => {
              try {
                return Number(readFileSync(`/proc/${child}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid && readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('SELECT');
              } catch {
                return false;
              }
            });
            return checking ? { root: join(privateTmp.dir, fresh), postmaster: pid } : undefined;
          } catch {
            return undefined;
          }
        },
        90_000,
      ));
    } finally {
      cli.kill('SIGKILL');
    }
    await new Promise((resolve) => cli.once('close', resolve));
    try {
      // The server outlives the Holdfast that started it (pg_ctl detaches it), with the restored copy in its directory.
      expect(existsSync(`/proc/${postmaster}`)).toBe(true);
      const next = await runCli(['list', '--json'], home.env);
      expect(next.code, next.stderr).toBe(0);
      await waitFor('the orphaned server to stop', () => !existsSync(`/proc/${postmaster}`) || undefined, 20_000);
      expect(existsSync(root)).toBe(false);
    } finally {
      await holdfast.editProfile('plainshop', { drillChecks: [] });
      // Never leave it running when the test fails.
      try {
        if (readFileSync(`/proc/${postmaster}/cmdline`, 'utf8').includes(root)) process.kill(postmaster, 'SIGQUIT');
      } catch {
        // gone
      }
    }
  });
});

describe('what Holdfast cleans up in the shared temp directory', () => {
  test.skipIf(process.getuid?.() !== 0)(
    "directories another OS user made under the names of a dead Holdfast's passfiles and sandboxes are left alone (removing them as root would follow symlinks swapped in meanwhile)",
    async () => {
      let deadPid = 4_000_000;
      while (existsSync(`/proc/${deadPid}`)) deadPid += 1;
      const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
      const planted = [`holdfast-pass-${deadPid}-deadbeef-AbCdEf`, `holdfast-scratch-${deadPid}-deadbeef-AbCdEf`].map((name) => join(privateTmp.dir, name));
      for (const dir of planted) {
        mkdirSync(join(dir, 'data'), { recursive: true });
        writeFileSync(join(dir, 'data', 'keep'), 'x');
        for (const path of [dir, join(dir, 'data'), join(dir, 'data', 'keep')]) chownSync(path, nobody, nobody);
      }
      const next = await runCli(['list', '--json'], home.env);
      expect(next.code, next.stderr).toBe(0);
      for (const dir of planted) expect(existsSync(join(dir, 'data', 'keep')), dir).toBe(true);
    },
  );
});
