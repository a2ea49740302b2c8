// What a running or finished backup tells about itself, against a real server: while pg_dump waits
// behind another session's ACCESS EXCLUSIVE lock, its progress names the table, the session in the
// way and its statement; once the lock is let go the same backup completes. A failed run keeps what
// pg_dump said on stderr, to be read in its details.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BackupProgress } from '../main/core/backup/backup.ts';
import { describeLockWait } from '../main/core/model/lock-wait.ts';
import { closeShop, openShop, profileFor, waitFor, type ShopFixture } from './support/holdfast-env.ts';

let shop: ShopFixture;

beforeAll(async () => {
  shop = await openShop(500, async (server) => {
    await server.query('CREATE DATABASE ops');
    await server.query("CREATE TABLE events (id int PRIMARY KEY, what text); INSERT INTO events SELECT g, 'e' FROM generate_series(1, 100) g;", 'ops');
  });
  await shop.holdfast.addProfile(profileFor(shop.server, 'ops', 'ops'));
});

afterAll(() => closeShop(shop));

describe('a backup waiting for a lock', () => {
  test('says which table, whose pid and which statement hold it up, then completes once it is let go', async () => {
    const holder = new pg.Client({ host: shop.server.host, port: shop.server.port, user: shop.server.user, database: 'ops' });
    await holder.connect();
    try {
      const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await holder.query('BEGIN');
      await holder.query("ALTER TABLE events ADD COLUMN secret_note text DEFAULT 'do not show this literal'");
      const seen: BackupProgress[] = [];
      const backup = shop.holdfast.backup('ops', {}, { onProgress: (progress) => seen.push(progress) });
      const waiting = await waitFor('the progress to report the lock wait', () => seen.find((progress) => progress.lockWait !== undefined)?.lockWait);
      expect(waiting.relation).toBe('public.events');
      expect(waiting.blocker?.pid).toBe(holderPid);
      expect(waiting.blocker?.statement).toMatch(/^ALTER TABLE events ADD COLUMN secret_note text DEFAULT '…'$/);
      expect(waiting.blocker?.state).toBe('idle in transaction');
      const sentence = describeLockWait(waiting);
      expect(sentence).toContain(`waiting for a lock on public.events held by pid ${holderPid} (\`ALTER TABLE events`);
      expect(sentence).not.toContain('do not show this literal');
      await holder.query('ROLLBACK');
      const taken = await backup;
      expect(taken.status).toBe('completed');
      expect(taken.tables).toContain('public.events');
      // Once pg_dump has its locks, the wait is no longer reported.
      expect(seen.at(-1)?.lockWait).toBeUndefined();
    } finally {
      await holder.end();
    }
  });
});

describe("a run's tool output", () => {
  test("a failed backup keeps pg_dump's own message with the run, found by the run's id", async () => {
    await expect(shop.holdfast.backup('ops', { tables: ['no_such_table'] })).rejects.toThrow(/No table in database "ops" matches/);
    const failed = shop.holdfast.list({ profile: 'ops', all: true }).filter((entry) => entry.status === 'failed');
    const run = failed.at(-1)!;
    const kept = shop.holdfast.toolOutput(run.id);
    expect(kept?.runId).toBe(run.id);
    expect(kept?.truncated).toBe(false);
    expect(kept?.text).toMatch(/^── pg_dump ──\npg_dump: error: no matching tables were found for pattern "no_such_table"/);
  });
});

describe('a backup the user cancelled', () => {
  test('is listed as cancelled, and neither counted as a failure nor turns the profile unhealthy', async () => {
    const holder = new pg.Client({ host: shop.server.host, port: shop.server.port, user: shop.server.user, database: 'ops' });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
      const abort = new AbortController();
      const seen: BackupProgress[] = [];
      const backup = shop.holdfast.backup('ops', {}, { signal: abort.signal, onProgress: (progress) => seen.push(progress) });
      await waitFor('pg_dump to wait for the lock', () => seen.find((progress) => progress.lockWait !== undefined));
      abort.abort();
      await expect(backup).rejects.toMatchObject({ code: 'CANCELLED' });
    } finally {
      await holder.end();
    }
    const last = shop.holdfast.list({ profile: 'ops', all: true }).at(-1)!;
    expect(last.status).toBe('cancelled');
    const before = shop.holdfast.stats().profiles.find((p) => p.profile === 'ops')!;
    // The one failure so far is the filtered backup above; the cancel adds none.
    expect(before.failedBackups).toBe(1);
    expect(before.lastRunStatus).toBe('cancelled');
  });
});
