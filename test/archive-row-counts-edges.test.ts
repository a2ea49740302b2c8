// More shapes of real data whose rows an uncompressed custom archive must count exactly as count(*)
// (archive/copy-rows.ts): a zero-column table, inheritance (a parent's COPY holds only its own rows),
// composite and array values holding newlines and backslashes, a table with row-level security,
// generated columns, a partition dumped through its root, and an SQL_ASCII database holding raw bytes.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inspectCustomWithChecksum } from '../main/core/archive/inspect.ts';
import { quoteIdent } from '../main/core/pg/connection.ts';
import { tableKey } from '../main/core/pg/table-key.ts';
import { cleanEnv } from './support/clean-env.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';

const run = promisify(execFile);

const FIXTURE = `
create table public.no_columns ();
insert into public.no_columns select from generate_series(1, 37);
create table public.parent (id int, t text);
create table public.child (extra text) inherits (public.parent);
insert into public.parent select g, E'p\\n' || g from generate_series(1, 11) g;
insert into public.child select g, E'c\\r' || g, E'\\\\' from generate_series(1, 23) g;
create type public.pair as (a text, b text[]);
create table public.shaped (p public.pair, arr text[], j jsonb, r int4range);
insert into public.shaped select row(E'a\\nb', array[E'x\\ny', E'\\\\.', null])::public.pair, array[E'\\n', '"', ''], jsonb_build_object('k', E'v\\nw'), int4range(g, g + 1) from generate_series(1, 19) g;
create table public.secret (owner name default current_user, v text);
insert into public.secret select 'someone_else', g::text from generate_series(1, 13) g;
alter table public.secret enable row level security;
alter table public.secret force row level security;
create policy own on public.secret using (owner = current_user);
create table public.generated (a int, b int generated always as (a * 2) stored);
insert into public.generated (a) select g from generate_series(1, 29) g;
create table public.rooted (id int, region text) partition by list (region);
create table public.rooted_a partition of public.rooted for values in ('a');
create table public.rooted_b partition of public.rooted for values in ('b');
insert into public.rooted select g, case when g % 2 = 0 then 'a' else 'b' end from generate_series(1, 41) g;
`;

let server: PgServer;
let dir: string;

async function pgDump(database: string, file: string, args: string[]): Promise<string> {
  const path = join(dir, file);
  await run(join(server.binDir, 'pg_dump'), ['-h', server.host, '-p', String(server.port), '-U', server.user, '-d', database, '-Fc', '-Z', '0', ...args, '-f', path], { env: cleanEnv() });
  return path;
}

async function expectServerCounts(path: string, database: string, minimumTables: number): Promise<void> {
  const inspection = await inspectCustomWithChecksum(path);
  if (!inspection.ok) throw new Error(inspection.problem);
  const withData = inspection.tables.filter((t) => t.hasData);
  expect(withData.length).toBeGreaterThanOrEqual(minimumTables);
  for (const table of withData) {
    const [row] = await server.query<{ n: string }>(`select count(*) as n from only ${quoteIdent(table.schema)}.${quoteIdent(table.name)}`, database);
    expect(table.rows, tableKey(table.schema, table.name)).toBe(Number(row!.n));
  }
}

beforeAll(async () => {
  server = await startPgServer();
  dir = mkdtempSync(join(tmpdir(), 'holdfast-row-edges-'));
  await server.query('create database edges');
  await server.query(FIXTURE, 'edges');
  await server.query("create database raw template template0 encoding 'SQL_ASCII' locale 'C'");
  await server.query(
    "create table raw_bytes (t text); insert into raw_bytes select convert_from(decode('410a0d5c0bff' || lpad(to_hex(g % 256), 2, '0'), 'hex'), 'SQL_ASCII') from generate_series(1, 300) g where g % 256 <> 0;",
    'raw',
  );
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('zero columns, inheritance, composite/array/json values, RLS, generated columns: counts equal count(*)', async () => {
  await expectServerCounts(await pgDump('edges', 'edges.dump', []), 'edges', 8);
});

test('partitions dumped through their root (--load-via-partition-root) are counted per partition', async () => {
  await expectServerCounts(await pgDump('edges', 'rooted.dump', ['--load-via-partition-root', '-t', 'public.rooted*']), 'edges', 2);
});

test('an SQL_ASCII database with raw control bytes and high bytes is counted exactly', async () => {
  await expectServerCounts(await pgDump('raw', 'raw.dump', []), 'raw', 1);
});

test('an --inserts dump is not counted from its data (no COPY), so the backup counts on the server', async () => {
  const inspection = await inspectCustomWithChecksum(await pgDump('edges', 'inserts.dump', ['--inserts', '-t', 'public.generated']));
  if (!inspection.ok) throw new Error(inspection.problem);
  expect(inspection.tables.filter((t) => t.hasData).map((t) => t.rows)).toEqual([undefined]);
});
