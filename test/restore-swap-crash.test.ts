// A replace restore ends by renaming databases; Holdfast killed between those renames used to leave no
// database under the name (the original in shop__before_*, the copy in shop__holdfast_*), or one that
// refused every connection, and a run saying its "partial output was removed". The swap's steps are
// journalled in the catalogue; the next start (or `holdfast restore --recover`) rolls it back or forward.
//
// A rename is held between steps with a lock: ALTER ROLE … IN DATABASE d SET, left in an open
// transaction, holds a lock on d that only ALTER DATABASE d RENAME (and DROP) wait for. Holdfast is
// SIGKILLed while its rename waits; the waiting backend lives on and, once the lock goes, finishes the
// rename after Holdfast is dead — as it did in the review.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../main/core/config/config.ts';
import { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, rowCount, runCli, startCli, type TestHome, waitFor } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let backup: BackupMetadata;

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(200, (s) => s.query('CREATE ROLE holder NOLOGIN')));
  backup = await holdfast.backup('shop', {});
});

afterAll(() => closeShop({ server, home, holdfast }));

/** Marks the live database, so the original and the restored copy (which lacks the mark) can be told apart. */
async function markOriginal(): Promise<void> {
  await server.query('CREATE TABLE IF NOT EXISTS original_mark (v int)', 'shop');
}

const hasMark = async (database: string) => (await server.query(`SELECT 1 FROM pg_tables WHERE tablename = 'original_mark'`, database)).length > 0;

/** Holds a lock on the database that its rename waits for; release() ends the transaction. */
async function holdRenameOf(database: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ host: server.host, port: server.port, user: server.user, database: 'postgres' });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`ALTER ROLE holder IN DATABASE "${database.replace(/"/g, '""')}" SET work_mem = '1MB'`);
  return {
    async release() {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

/** The rename (by whoever runs it) waiting on the lock. */
function renameWaiting(from: string): Promise<number> {
  return waitFor(
    `ALTER DATABASE "${from}" RENAME to wait on the lock`,
    async () => {
      const rows = await server.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $q$ALTER DATABASE "${from}" RENAME%$q$`);
      return rows[0]?.pid;
    },
    60_000,
  );
}

async function backendGone(pid: number): Promise<void> {
  await waitFor(`backend ${pid} to end`, async () => ((await server.query(`SELECT 1 FROM pg_stat_activity WHERE pid = ${pid}`)).length === 0 ? true : undefined));
}

async function databases(): Promise<Array<{ datname: string; datallowconn: boolean }>> {
  return server.query(`SELECT datname, datallowconn FROM pg_database WHERE datname = 'shop' OR datname LIKE 'shop\\_\\_%' ORDER BY datname`);
}

const restoreArgs = (...extra: string[]) => ['restore', backup.id, '--to', 'shop', '--confirm=shop', ...extra];

function killed(cli: ReturnType<typeof startCli>): Promise<unknown> {
  cli.kill('SIGKILL');
  return new Promise((resolve) => cli.once('close', resolve));
}

function lastRestoreRun(h: Holdfast) {
  return h.catalogue.listRuns({ kind: 'restore' }).at(-1)!;
}

describe('Holdfast killed in the middle of a swap', () => {
  test('--clean --terminate-connections, killed while moving the original aside; the rename finishes after the kill (no "shop", connections refused): the next start rolls back', async () => {
    await markOriginal();
    const hold = await holdRenameOf('shop');
    const cli = startCli(restoreArgs('--clean', '--terminate-connections'), home.env);
    let released = false;
    try {
      const orphan = await renameWaiting('shop');
      await killed(cli);
      await hold.release();
      released = true;
      await backendGone(orphan);
    } finally {
      if (!released) await hold.release();
    }
    // The review's state: nothing is called "shop", and the original refuses connections.
    const left = await databases();
    expect(left.map((d) => d.datname)).toEqual([expect.stringMatching(/^shop__before_\d{14}$/), expect.stringMatching(/^shop__holdfast_\d{14}$/)]);
    expect(left[0]!.datallowconn).toBe(false);

    const { holdfast: fresh, reconciled } = await Holdfast.open(loadConfig(home.env));
    try {
      expect(reconciled.recoveredRestores).toEqual([
        expect.objectContaining({ action: 'rolled-back', database: 'shop', profile: 'shop', step: 'rename-original', message: expect.stringContaining('"shop" is the original again') }),
      ]);
      expect(await databases()).toEqual([{ datname: 'shop', datallowconn: true }]);
      expect(await hasMark('shop')).toBe(true);
      const run = lastRestoreRun(fresh);
      expect(run).toMatchObject({
        status: 'interrupted',
        error: expect.stringMatching(
          /stopped while moving "shop" aside.*rolled back: "shop" is the original again; "shop" accepts connections again; the restored copy "shop__holdfast_\d+" was dropped/,
        ),
      });
      expect(run.error).not.toContain('partial output');
      expect(fresh.catalogue.auditEntries(5).find((entry) => entry.action === 'restore.recover')).toMatchObject({ target: 'shop', detail: expect.objectContaining({ action: 'rolled-back' }) });
    } finally {
      fresh.close();
    }
  });

  test('killed while the rename still waits: the start ends that orphaned rename first, so it cannot take the name away later', async () => {
    await markOriginal();
    const hold = await holdRenameOf('shop');
    const cli = startCli(restoreArgs('--clean', '--terminate-connections'), home.env);
    try {
      const orphan = await renameWaiting('shop');
      await killed(cli);
      const { holdfast: fresh, reconciled } = await Holdfast.open(loadConfig(home.env));
      fresh.close();
      expect(reconciled.recoveredRestores).toEqual([
        expect.objectContaining({ action: 'rolled-back', message: expect.stringContaining('"shop" was left as it was; "shop" accepts connections again') }),
      ]);
      await backendGone(orphan);
    } finally {
      await hold.release();
    }
    expect(await databases()).toEqual([{ datname: 'shop', datallowconn: true }]);
    expect(await hasMark('shop')).toBe(true);
  });

  test('--clean, killed while the copy takes the name; that rename finishes after the kill: `holdfast restore --recover` rolls forward and drops the old database', async () => {
    await markOriginal();
    const holdOriginal = await holdRenameOf('shop');
    const cli = startCli(restoreArgs('--clean'), home.env);
    let holdCopy: { release(): Promise<void> } | undefined;
    try {
      await renameWaiting('shop');
      const [scratch] = await server.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'shop\\_\\_holdfast\\_%'`);
      holdCopy = await holdRenameOf(scratch!.datname);
      await holdOriginal.release();
      const orphan = await renameWaiting(scratch!.datname);
      await killed(cli);
      await holdCopy.release();
      holdCopy = undefined;
      await backendGone(orphan);
    } finally {
      await holdOriginal.release().catch(() => undefined);
      await holdCopy?.release();
    }
    expect((await databases()).map((d) => d.datname)).toEqual(['shop', expect.stringMatching(/^shop__before_\d{14}$/)]);

    const recovered = await runCli(['restore', '--recover', '--json'], home.env);
    expect(recovered.code).toBe(0);
    expect(JSON.parse(recovered.stdout)).toEqual([
      expect.objectContaining({ action: 'rolled-forward', step: 'rename-copy', message: expect.stringMatching(/"shop" is the restored copy; the previous database "shop__before_\d+" was dropped/) }),
    ]);
    expect(recovered.stderr).not.toContain('partial output');
    expect(await databases()).toEqual([{ datname: 'shop', datallowconn: true }]);
    expect(await hasMark('shop')).toBe(false);
    expect(await rowCount(server, 'shop', 'users')).toBe(200);

    const again = await runCli(['restore', '--recover'], home.env);
    expect(again).toMatchObject({ code: 0, stdout: 'No interrupted restore to recover.\n' });
  });
});

describe('a swap that fails part way', () => {
  test('--swap whose copy cannot take the name (a session in it): the original is put back under its name, and the journal is settled', async () => {
    await markOriginal();
    const hold = await holdRenameOf('shop');
    const pending = holdfast.restore({ ref: backup.id, to: 'shop', confirm: 'shop', swap: true, create: false, clean: false, noOwner: false, noAcl: false, dryRun: false });
    const failed = expect(pending).rejects.toMatchObject({
      code: 'RESTORE_FAILED',
      message: expect.stringMatching(/Could not rename the restored copy "shop__holdfast_\d+" to "shop": .*being accessed by other users/),
      hint: expect.stringMatching(/^"shop" is the original again; the restored copy is left in "shop__holdfast_\d+"/),
    });
    const [scratch] = await waitFor('the scratch copy', async () => {
      const rows = await server.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'shop\\_\\_holdfast\\_%'`);
      return rows.length ? rows : undefined;
    });
    const inCopy = new pg.Client({ host: server.host, port: server.port, user: server.user, database: scratch!.datname });
    try {
      await renameWaiting('shop');
      await inCopy.connect();
      await hold.release();
      await failed;
    } finally {
      await inCopy.end();
    }
    expect(await hasMark('shop')).toBe(true);
    expect((await databases()).map((d) => d.datname)).toEqual(['shop', scratch!.datname]);
    await server.query(`DROP DATABASE "${scratch!.datname}"`);
    expect(holdfast.catalogue.db.prepare('SELECT count(*) FROM restore_swaps WHERE resolved_at IS NULL').pluck().get()).toBe(0);
    expect(lastRestoreRun(holdfast)).toMatchObject({ status: 'failed' });
  });
});
