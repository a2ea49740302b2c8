// A pg_dump killed while it waits in a lock queue (behind a session holding a table lock) is gone, but
// its server backend is not: it waits on, its AccessShare request queued, until the lock is granted and
// it finds its client gone; every later request for that table queues behind it. Holdfast names its
// tools' connections `holdfast-<run>`; the start after a crash, and a cancel, end the backends of
// runs that are no longer live — never another tool's, never one whose name is no run of ours.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../main/core/config/config.ts';
import { Holdfast } from '../main/core/holdfast.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, startCli, type TestHome, waitFor } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
const clients: pg.Client[] = [];

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(500));
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.end().catch(() => undefined);
});

afterAll(() => closeShop({ server, home, holdfast }));

async function connect(applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ host: server.host, port: server.port, user: server.user, database: 'shop', application_name: applicationName });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

/** A session holding ACCESS EXCLUSIVE on users until its connection ends, and two sessions queued behind it that are not Holdfast's runs. */
async function lockUsers(): Promise<void> {
  const holder = await connect('lock holder');
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
  for (const name of ['psql', 'holdfast-000000000000']) {
    const waiter = await connect(name);
    void waiter.query('SELECT count(*) FROM users').catch(() => undefined);
  }
  await waitFor('the bystanders to queue', async () => ((await queued()).length === 2 ? true : undefined));
}

/** Backends waiting for a lock, but the lock holder's own. */
const queued = () =>
  server.query<{ pid: number; application_name: string }>(`SELECT pid, application_name FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = 'shop' ORDER BY application_name`);

/** pg_dump's backend, queued behind the lock. */
const dumpQueued = () =>
  waitFor(
    "pg_dump's backend in the lock queue",
    async () => (await queued()).find((row) => /^holdfast-[0-9a-f]{12}$/.test(row.application_name) && row.application_name !== 'holdfast-000000000000'),
    60_000,
  );

const alive = async (pid: number) => (await server.query(`SELECT 1 FROM pg_stat_activity WHERE pid = ${pid}`)).length > 0;

describe("a dead run's backends in a lock queue", () => {
  test('Holdfast killed while its pg_dump waits for a lock: the next start ends the orphaned backend, and only it', async () => {
    await lockUsers();
    const cli = startCli(['backup', 'shop'], home.env);
    const orphan = await dumpQueued();
    cli.kill('SIGKILL');
    await new Promise((resolve) => cli.once('close', resolve));
    // pg_dump died with Holdfast; its backend did not.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await alive(orphan.pid)).toBe(true);

    const { holdfast: fresh, reconciled } = await Holdfast.open(loadConfig(home.env));
    fresh.close();
    expect(reconciled.endedBackends).toEqual([expect.objectContaining({ pid: orphan.pid, profile: 'shop', run: orphan.application_name.slice('holdfast-'.length) })]);
    await waitFor('the orphaned backend to end', async () => ((await alive(orphan.pid)) ? undefined : true), 10_000);
    expect((await queued()).map((row) => row.application_name)).toEqual(['holdfast-000000000000', 'psql']);
  });

  test('a cancelled backup whose pg_dump waits for a lock: its backend leaves the queue with it', async () => {
    await lockUsers();
    const controller = new AbortController();
    const pending = holdfast.backup('shop', {}, { signal: controller.signal });
    const orphan = await dumpQueued();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    await waitFor("the cancelled run's backend to end", async () => ((await alive(orphan.pid)) ? undefined : true), 5_000);
    expect((await queued()).map((row) => row.application_name)).toEqual(['holdfast-000000000000', 'psql']);
  });
});
