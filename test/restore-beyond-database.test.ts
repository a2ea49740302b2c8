// A restore writes into one database, but the SQL it sends runs as the profile's role, often a
// superuser: a dump made elsewhere (or a file altered with its checksum) that renames another database,
// creates a superuser or grants itself a role is refused before anything is created, in the preview
// and in the restore, for a plain script (psql) and an archive (pg_restore) alike.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { ExecutedFunctionScanner } from '../main/core/restore/executed-function-scanner.ts';
import { rewriteTocString } from './support/archive-toc-edit.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, profileFor, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let elsewhere: string;

const HOSTILE = "ALTER DATABASE victim RENAME TO victim_renamed; CREATE ROLE intruder SUPERUSER LOGIN PASSWORD 'x'; GRANT pg_execute_server_program TO app_owner;";
const restoreTo = (ref: string, dbname: string, dryRun: boolean) => holdfast.restore({ ref, to: 'shop', dbname, create: true, clean: false, noOwner: false, noAcl: false, dryRun });
const untouched = async () => {
  expect((await server.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'victim%'")).map((row) => row.datname)).toEqual(['victim']);
  expect(await server.query("SELECT 1 FROM pg_roles WHERE rolname = 'intruder'")).toEqual([]);
};

beforeAll(async () => {
  server = await startPgServer();
  for (const name of ['shop', 'victim']) await server.query(`CREATE DATABASE ${name}`);
  await server.query('CREATE ROLE app_owner');
  await server.query('CREATE TABLE public.orders (id int); INSERT INTO public.orders VALUES (1), (2);', 'shop');
  home = makeHome();
  holdfast = await home.open();
  await holdfast.addProfile(profileFor(server, 'shop', 'shop'));
  elsewhere = mkdtempSync(join(tmpdir(), 'holdfast-beyond-'));
}, 120_000);

afterAll(async () => {
  rmSync(elsewhere, { recursive: true, force: true });
  holdfast?.close();
  home?.cleanup();
  await server?.stop();
});

const pgDump = (args: string[]) => execFileSync(join(server.binDir, 'pg_dump'), [...args, '-h', server.host, '-p', String(server.port), '-U', server.user, 'shop']);

describe('SQL that acts beyond the target database', () => {
  test('a plain script with it: the preview is blocked naming the statements, the restore refused, nothing touched', async () => {
    const script = pgDump(['-Fp']).toString('utf8').replace('CREATE TABLE public.orders', `${HOSTILE}\nCREATE TABLE public.orders`);
    writeFileSync(join(elsewhere, 'altered.sql'), script);
    const backup = await holdfast.importDump({ file: join(elsewhere, 'altered.sql'), profile: 'shop' });
    const preview = await restoreTo(backup.id, 'copy_plain', true);
    expect(preview.ok).toBe(false);
    expect(preview.impact.blockers).toContainEqual(expect.objectContaining({ kind: 'beyond-database', message: expect.stringContaining('ALTER DATABASE victim RENAME TO victim_renamed') }));
    expect(preview.impact.blockers[0]!.message).toContain('CREATE ROLE intruder');
    expect(preview.impact.blockers[0]!.message).toContain('GRANT pg_execute_server_program TO app_owner');
    // The preview restores nothing, so its blocker cannot say "It was not restored": it says what a restore would do.
    expect(preview.impact.blockers[0]!.message).toMatch(/Holdfast refuses to restore this backup\.$/);
    // An imported dump has no "earlier backup of your own": the hint says where it came from and what to do with it.
    const fromThere = expect.stringMatching(/imported from .*altered\.sql.*remove them from the file.*holdfast import/s);
    expect(preview.impact.blockers[0]!.hint).toEqual(fromThere);
    expect(preview.impact.blockers[0]!.hint).not.toContain('earlier backup of your own');
    await expect(restoreTo(backup.id, 'copy_plain', false)).rejects.toMatchObject({
      message: expect.stringMatching(/acts beyond "copy_plain".*Holdfast refuses to restore this backup\.$/s),
      hint: fromThere,
    });
    await untouched();
    expect(await server.query("SELECT 1 FROM pg_database WHERE datname = 'copy_plain'")).toEqual([]);
  });

  test('an archive whose table of contents says it: the restore refused before pg_restore runs, nothing touched', async () => {
    const dir = join(elsewhere, 'altered-dir');
    pgDump(['-Fd', '-f', dir]);
    rewriteTocString(dir, 'CREATE TABLE public.orders', `${HOSTILE}\nCREATE TABLE public.orders`);
    expect(readdirSync(dir)).toContain('toc.dat');
    const backup = await holdfast.importDump({ file: dir, profile: 'shop' });
    await expect(restoreTo(backup.id, 'copy_dir', false)).rejects.toMatchObject({ message: expect.stringContaining('ALTER DATABASE victim RENAME TO victim_renamed') });
    await untouched();
    expect(await server.query("SELECT 1 FROM pg_database WHERE datname = 'copy_dir'")).toEqual([]);
  });

  // pg_restore sends a data entry's COPY statement and a SEQUENCE SET's or a large object's SQL only when
  // it restores data, so `pg_restore --schema-only` never printed them to the scan.
  test.each([
    ['the COPY statement of a table data entry', 'COPY public.orders (id) FROM stdin;', 'copy_stmt'],
    ['the SQL of a sequence value entry', "SELECT pg_catalog.setval('public.ids', 42, true);", 'seq_set'],
  ])(
    'an archive with it in %s: the restore refused before pg_restore runs, nothing touched',
    async (_where, from, name) => {
      await server.query('CREATE SEQUENCE IF NOT EXISTS public.ids', 'shop');
      await server.query("SELECT setval('public.ids', 42)", 'shop');
      const dir = join(elsewhere, `altered-${name}`);
      pgDump(['-Fd', '-f', dir]);
      rewriteTocString(dir, from, `${HOSTILE}\n${from}`);
      const backup = await holdfast.importDump({ file: dir, profile: 'shop' });
      const preview = await restoreTo(backup.id, `copy_${name}`, true);
      expect(preview.impact.blockers).toContainEqual(expect.objectContaining({ kind: 'beyond-database', message: expect.stringContaining('CREATE ROLE intruder') }));
      await expect(restoreTo(backup.id, `copy_${name}`, false)).rejects.toMatchObject({ message: expect.stringContaining('ALTER DATABASE victim RENAME TO victim_renamed') });
      await untouched();
      expect(await server.query(`SELECT 1 FROM pg_database WHERE datname = 'copy_${name}'`)).toEqual([]);
    },
    60_000,
  );

  // The check reads the archive's TOC strings whole, up to 16 MiB each; pg_restore sends a longer one.
  test('an archive the check cannot read through: the restore refused, not sent unchecked', async () => {
    const dir = join(elsewhere, 'altered-long');
    pgDump(['-Fd', '-f', dir]);
    rewriteTocString(dir, 'CREATE TABLE public.orders', `${HOSTILE}\n-- ${'x'.repeat(17 * 1024 * 1024)}\nCREATE TABLE public.orders`);
    const backup = await holdfast.importDump({ file: dir, profile: 'shop' });
    await expect(restoreTo(backup.id, 'copy_long', false)).rejects.toMatchObject({ message: expect.stringContaining('could not be checked') });
    await untouched();
    expect(await server.query("SELECT 1 FROM pg_database WHERE datname = 'copy_long'")).toEqual([]);
  }, 60_000);

  test("pg_dump's own output, large objects and sequences included, restores as before", async () => {
    await server.query("CREATE SEQUENCE IF NOT EXISTS public.ids; SELECT setval('public.ids', 42); SELECT lo_from_bytea(0, 'blob');", 'shop');
    const backup = await holdfast.backup('shop', { format: 'plain' });
    const custom = await holdfast.backup('shop', {});
    expect((await restoreTo(backup.id, 'copy_ok_plain', true)).impact.blockers).toEqual([]);
    await restoreTo(backup.id, 'copy_ok_plain', false);
    await restoreTo(custom.id, 'copy_ok_custom', false);
  }, 60_000);

  test('pg_dump --inserts output of every literal it writes passes the check', async () => {
    await server.query(
      `CREATE TABLE public.kinds (id int GENERATED ALWAYS AS IDENTITY, f float8, n numeric, b bit(3), vb varbit, flag boolean, t text, by bytea, arr int[], j jsonb, ts timestamptz, doubled int GENERATED ALWAYS AS (id * 2) STORED);
       INSERT INTO public.kinds (f, n, b, vb, flag, t, by, arr, j, ts) VALUES
         ('NaN', -1.5e3, B'101', B'1', true, E'a\\b''c', '\\x00ff', '{1,NULL}', '{"k": [1]}', now()),
         ('-Infinity', 'NaN', NULL, NULL, false, 'SELECT f(); x', NULL, '{}', 'null', '-infinity'),
         (1e-300, 123456789012345678901234567890.5, B'000', B'', NULL, '', '', NULL, '[]', NULL);`,
      'shop',
    );
    for (const flags of [['--inserts'], ['--column-inserts', '--rows-per-insert=2', '--on-conflict-do-nothing']]) {
      const scanner = new ExecutedFunctionScanner();
      const script = pgDump(['-Fp', ...flags]);
      expect(script.toString('utf8')).toContain("'NaN'");
      scanner.push(script);
      scanner.finish();
      expect(scanner.beyondDatabase).toEqual([]);
    }
    await server.query('DROP TABLE public.kinds', 'shop');
  });
});
