// The next start drops a half-restored new database by the oid its dead restore recorded. An oid is only
// unique on one server: two servers made alike give their first database the same oid. So a profile
// pointed at another server between the crash and the next start must not lose that server's database
// of the same name.
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { dropInterruptedNewDatabases, recordNewDatabase, recordNewDatabaseOid } from '../main/core/restore/new-database-record.ts';
import { makeHome, profileFor, type TestHome } from './support/holdfast-env.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';

let first: PgServer;
let second: PgServer;
let home: TestHome;
let holdfast: Holdfast;

beforeAll(async () => {
  [first, second] = await Promise.all([startPgServer(), startPgServer()]);
  for (const server of [first, second]) await server.query('CREATE DATABASE shop_copy');
  home = makeHome();
  holdfast = await home.open();
}, 120_000);

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await Promise.all([first?.stop(), second?.stop()]);
});

const oidOn = async (server: PgServer) => (await server.query<{ oid: number }>("SELECT oid::int AS oid FROM pg_database WHERE datname = 'shop_copy'"))[0]?.oid;

async function recordDeadRestore(profile: string, server: PgServer): Promise<string> {
  const runId = holdfast.catalogue.startRun({ kind: 'restore', profile });
  recordNewDatabase(holdfast.catalogue.db, runId, 'shop_copy');
  const client = new pg.Client({ host: server.host, port: server.port, user: server.user, database: 'postgres' });
  await client.connect();
  try {
    await recordNewDatabaseOid(holdfast.catalogue.db, client, runId, 'shop_copy');
  } finally {
    await client.end();
  }
  return runId;
}

test("a profile moved to another server since the crash: that server's database of the same name and oid is left", async () => {
  expect(await oidOn(first)).toBe(await oidOn(second));
  await holdfast.addProfile(profileFor(first, 'staging', 'postgres'));
  const runId = await recordDeadRestore('staging', first);
  await holdfast.editProfile('staging', { host: second.host, port: second.port });
  const [recovery] = await dropInterruptedNewDatabases(holdfast, [runId]);
  expect(recovery).toMatchObject({ action: 'left' });
  expect(await oidOn(second)).toEqual(expect.any(Number));
}, 60_000);

test('the same server: the half-restored database is dropped', async () => {
  await holdfast.addProfile(profileFor(first, 'prod', 'postgres'));
  const runId = await recordDeadRestore('prod', first);
  const [recovery] = await dropInterruptedNewDatabases(holdfast, [runId]);
  expect(recovery).toMatchObject({ action: 'dropped' });
  expect(await oidOn(first)).toBeUndefined();
}, 60_000);
