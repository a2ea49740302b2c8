// A cancelled restore is the user's choice, not a failure: its run is recorded as cancelled (as a
// cancelled backup is), and its error says what state the target was left in — a new database dropped,
// a replaced one untouched.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, rowCount, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let backup: BackupMetadata;

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(20_000));
  backup = await holdfast.backup('shop', {});
});

afterAll(() => closeShop({ server, home, holdfast }));

const base = { create: false, clean: false, noOwner: false, noAcl: false, dryRun: false, jobs: 2 };

/** Restores with a signal that is aborted as soon as the restore tool starts. */
async function cancelledRestore(request: Partial<typeof base> & { dbname?: string; swap?: boolean; confirm?: string }) {
  const controller = new AbortController();
  const pending = holdfast.restore({
    ...base,
    ...request,
    ref: backup.id,
    to: 'shop',
    signal: controller.signal,
    onProgress: (phase) => {
      if (phase === 'restoring') setTimeout(() => controller.abort(), 100);
    },
  });
  await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  return holdfast.catalogue.listRuns({ kind: 'restore' }).at(-1)!;
}

const databases = async (like: string) => (await server.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $q$${like}$q$ ORDER BY 1`)).map((r) => r.datname);

describe('a cancelled restore', () => {
  test('into a new database (--create): recorded as cancelled, and the half-restored database is dropped', async () => {
    const run = await cancelledRestore({ dbname: 'cancelled_new', create: true });
    expect(run).toMatchObject({ status: 'interrupted', cancelled: true, error: expect.stringContaining('"cancelled_new" was dropped') });
    expect(await databases('cancelled_new')).toEqual([]);
  });

  test('--swap: recorded as cancelled, and it says the original was left as it was', async () => {
    const run = await cancelledRestore({ swap: true, confirm: 'shop' });
    expect(run).toMatchObject({ status: 'interrupted', cancelled: true, error: expect.stringMatching(/cancelled.*"shop" was left as it was/s) });
    expect(await databases('shop%')).toEqual(['shop']);
    expect(await rowCount(server, 'shop', 'users')).toBe(20_000);
  });
});
