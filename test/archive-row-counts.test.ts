// Rows counted from real pg_dump output (archive/copy-rows.ts) against count(*) on the server: values
// that hold newlines, carriage returns, tabs and backslashes, bytea holding those bytes, NULLs, an empty
// table, a row far larger than a chunk, partitions, unicode names. A backup trusts these counts instead
// of a second scan of every table, so each must equal the server's exactly; gzip data is not counted.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inspectCustomWithChecksum } from '../main/core/archive/inspect.ts';
import { followCustomOutput } from '../main/core/backup/follow-output.ts';
import { quoteIdent } from '../main/core/pg/connection.ts';
import { tableKey } from '../main/core/pg/table-key.ts';
import { cleanEnv } from './support/clean-env.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';

const run = promisify(execFile);

const FIXTURE = `
create schema "ünï €";
create table public.texts (id int, t text, note varchar);
insert into public.texts values
  (1, E'two\\nlines', null), (2, E'carriage\\r\\nreturn', E'tab\\there'), (3, E'back\\\\slash\\\\.', ''),
  (4, E'\\\\.', E'\\n'), (5, null, null), (6, E'ends with newline\\n', E'\\n\\n\\n');
insert into public.texts select g, repeat(E'x\\n', g % 50), md5(g::text) from generate_series(7, 5000) g;
create table public.blobs (b bytea);
insert into public.blobs values ('\\x0a0d5c2e0a'), (''), (null), (decode(repeat('0a', 1000), 'hex'));
create table public.huge (t text);
insert into public.huge select string_agg(md5(g::text) || E'\\n', '') from generate_series(1, 40000) g;
insert into public.huge values ('small');
create table public.empty_one (x int);
create table "ünï €"."tâble ☃" (v text);
insert into "ünï €"."tâble ☃" select E'☃\\n' || g from generate_series(1, 777) g;
create table public.parted (id int, region text) partition by list (region);
create table public.parted_eu partition of public.parted for values in ('eu');
create table public.parted_us partition of public.parted for values in ('us');
insert into public.parted select g, case when g % 3 = 0 then 'eu' else 'us' end from generate_series(1, 1000) g;
`;

let server: PgServer;
let dir: string;

async function pgDump(file: string, args: string[], beforeStart?: (path: string) => void): Promise<string> {
  const path = join(dir, file);
  beforeStart?.(path);
  await run(join(server.binDir, 'pg_dump'), ['-h', server.host, '-p', String(server.port), '-U', server.user, '-d', 'fixture', '-Fc', ...args, '-f', path], { env: cleanEnv() });
  return path;
}

beforeAll(async () => {
  server = await startPgServer();
  dir = mkdtempSync(join(tmpdir(), 'holdfast-row-counts-'));
  await server.query('create database fixture');
  await server.query(FIXTURE, 'fixture');
});

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("an uncompressed custom archive's rows are the server's count(*) of every table, exactly", async () => {
  const inspection = await inspectCustomWithChecksum(await pgDump('none.dump', ['-Z', '0']));
  if (!inspection.ok) throw new Error(inspection.problem);
  const withData = inspection.tables.filter((t) => t.hasData);
  expect(withData.map((t) => tableKey(t.schema, t.name)).sort()).toEqual(
    ['public.texts', 'public.blobs', 'public.huge', 'public.empty_one', '"ünï €"."tâble ☃"', 'public.parted_eu', 'public.parted_us'].sort(),
  );
  for (const table of withData) {
    const [row] = await server.query<{ n: string }>(`select count(*) as n from only ${quoteIdent(table.schema)}.${quoteIdent(table.name)}`, 'fixture');
    expect(table.rows, tableKey(table.schema, table.name)).toBe(Number(row!.n));
  }
  expect(withData.find((t) => t.name === 'empty_one')?.rows).toBe(0);
  expect(withData.find((t) => t.name === 'texts')?.rows).toBe(5000);
});

// pg_dump's default gzip archive is counted from its inflated data (inflated-copy-rows.ts), and a real
// one passes the check that refuses bytes after a zlib stream's end.
test("a gzip archive's rows, inflated, are the server's count(*) of every table too", async () => {
  const inspection = await inspectCustomWithChecksum(await pgDump('gzip.dump', []));
  if (!inspection.ok) throw new Error(inspection.problem);
  const withData = inspection.tables.filter((t) => t.hasData);
  expect(withData).toHaveLength(7);
  for (const table of withData) {
    const [row] = await server.query<{ n: string }>(`select count(*) as n from only ${quoteIdent(table.schema)}.${quoteIdent(table.name)}`, 'fixture');
    expect(table.rows, tableKey(table.schema, table.name)).toBe(Number(row!.n));
  }
});

// A backup walks a custom archive while pg_dump writes it (backup/follow-output.ts) and trusts that walk
// only if pg_dump's final TOC agrees with it: with a real pg_dump it must agree, or every backup would
// silently fall back to reading the whole file again after pg_dump exits.
test.each([
  ['uncompressed', ['-Z', '0']],
  ['gzip', []],
])("a %s archive walked while pg_dump writes it gives the whole check's findings and rows", async (_kind, args) => {
  let follower: ReturnType<typeof followCustomOutput> | undefined;
  const path = await pgDump(`followed-${args.length}.dump`, args, (at) => {
    writeFileSync(at, '');
    follower = followCustomOutput(at, 'the followed archive', { countRows: true });
  });
  const followed = await follower!.finish();
  const whole = await inspectCustomWithChecksum(path);
  if (!whole.ok) throw new Error(whole.problem);
  const { sha256, ...findings } = whole;
  expect(followed?.inspection).toEqual(findings);
  // And its SHA-256 was taken behind the walk, the head as pg_dump rewrote it: none is left for after the exit.
  expect(followed?.checksum).toBe(sha256);
});
