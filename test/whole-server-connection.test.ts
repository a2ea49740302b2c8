// Test connection of a whole-server profile (issue 16): it lists every database a set would back up
// now, each with its size, those left out, and the total; a database the role may not connect to is
// named with no size, since the set would be partial. A real server, saved profile and draft alike.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { makeHome, type TestHome } from './support/holdfast-env.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;

beforeAll(async () => {
  server = await startPgServer();
  for (const database of ['crm', 'shop', 'scratch_1', 'locked']) await server.query(`CREATE DATABASE ${database}`);
  await server.query(`CREATE TABLE orders AS SELECT g AS id, repeat('x', 200) AS note FROM generate_series(1, 20000) g`, 'shop');
  await server.query(`REVOKE CONNECT ON DATABASE locked FROM PUBLIC`);
  await server.query(`CREATE ROLE reader LOGIN IN ROLE pg_read_all_data`);
  // A role that may connect everywhere but not read one table in crm: that member's pg_dump would fail.
  await server.query(`CREATE ROLE clerk LOGIN`);
  await server.query(`CREATE TABLE ledger (id int); CREATE TABLE notes (id int); GRANT SELECT ON notes TO clerk`, 'crm');
  await server.query(`GRANT SELECT ON orders TO clerk`, 'shop');
  home = makeHome();
  holdfast = await home.open();
});

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await server?.stop();
});

const wholeServer = { excludeDatabases: ['scratch_*'], parallelDatabases: null };

test('every database the set would take, with its size; those left out; the total', async () => {
  await holdfast.addProfile({ name: 'whole', host: server.host, port: server.port, user: server.user, dbname: 'postgres', wholeServer });
  const report = await holdfast.testProfile('whole');
  expect(report.wholeServer).not.toBeNull();
  const { databases, excluded, totalBytes } = report.wholeServer!;
  expect(databases.map((d) => d.database)).toEqual(['crm', 'locked', 'postgres', 'shop']);
  expect(excluded).toEqual(['scratch_1']);
  const sizes = await server.query<{ datname: string; size: string }>(`SELECT datname, pg_database_size(datname)::text AS size FROM pg_database WHERE datname IN ('crm', 'shop')`);
  for (const { datname, size } of sizes) expect(databases.find((d) => d.database === datname)?.sizeBytes).toBe(Number(size));
  expect(databases.find((d) => d.database === 'shop')!.sizeBytes!).toBeGreaterThan(databases.find((d) => d.database === 'crm')!.sizeBytes!);
  expect(totalBytes).toBe(databases.reduce((sum, d) => sum + (d.sizeBytes ?? 0), 0));
});

test('a database the role may not connect to is listed without a size, saying the set would be partial; a draft is sized too', async () => {
  const report = await holdfast.testDraftConnection({ draft: { name: 'reader', host: server.host, port: server.port, user: 'reader', dbname: 'postgres', wholeServer } });
  const locked = report.wholeServer!.databases.find((d) => d.database === 'locked');
  expect(locked).toMatchObject({ sizeBytes: null, problem: expect.stringContaining('CONNECT') });
  expect(report.wholeServer!.databases.find((d) => d.database === 'shop')?.sizeBytes).toBeGreaterThan(0);
});

test('a single-database profile has no whole-server list', async () => {
  await holdfast.addProfile({ name: 'one', host: server.host, port: server.port, user: server.user, dbname: 'shop' });
  expect((await holdfast.testProfile('one')).wholeServer).toBeNull();
});

// The connection test of a single-database profile names the tables its role cannot read; a
// whole-server profile's named only those of its maintenance database, so a set whose member would
// fail on a table the role may not SELECT passed the test.
test('a table the role cannot read in any database is named with its database, before a set fails on it', async () => {
  const report = await holdfast.testDraftConnection({ draft: { name: 'clerk', host: server.host, port: server.port, user: 'clerk', dbname: 'postgres', wholeServer } });
  const crm = report.wholeServer!.databases.find((d) => d.database === 'crm')!;
  expect(crm.unreadable).toEqual(['public.ledger']);
  expect(crm.problem).toMatch(/the role cannot read 1 table or large object in "crm" \(public\.ledger\): that member's pg_dump would fail and the set would be partial/);
  expect(report.wholeServer!.databases.find((d) => d.database === 'shop')).toMatchObject({ unreadable: [], problem: null });
  expect(report.wholeServer!.databases.find((d) => d.database === 'locked')).toMatchObject({ sizeBytes: null, unreadable: [] });
});
