// A plain backup's stderr holds Holdfast's own lines only. It printed node-postgres's
// "DeprecationWarning: Calling client.query() when the client is already executing a query" to the
// DBA: the database's size and its settings (recorded for a plain dump) were asked on one connection
// at once. pg@9 makes that an error, so the second question now waits for the first.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, runCli, seedDatabase, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;

beforeAll(async () => {
  server = await startPgServer();
  await seedDatabase(server, 'shop', 50);
  await server.query(`ALTER DATABASE shop SET work_mem = '16MB'`);
  home = makeHome();
}, 120_000);

afterAll(async () => {
  home?.cleanup();
  await server?.stop();
});

test('a plain backup records the database settings and warns of nothing it did itself', async () => {
  expect(await runCli(['profile', 'add', 'shop', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'shop'], home.env)).toMatchObject({ code: 0 });
  const backup = await runCli(['backup', 'shop', '--format', 'plain', '--json'], home.env);
  expect(backup.code).toBe(0);
  expect(backup.stderr).not.toMatch(/Warning/);
  expect((JSON.parse(backup.stdout) as { databaseSettings: unknown }).databaseSettings).toEqual([{ role: null, name: 'work_mem', values: ['16MB'] }]);
}, 120_000);
