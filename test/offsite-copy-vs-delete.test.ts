// A backup deleted while one of its copies is uploading or waiting for its next try, against a real
// PostgreSQL server and s3rver on loopback. The deleter is a second engine on the same home (the app
// beside the CLI or the daemon); the copier is the suite's own. The moment the delete lands is chosen
// by wrapping the engines' real destinations, so each race is run, not hoped for. The rule: when both
// are done, the destination holds nothing of the deleted backup and the catalogue no copy row for it
// (a row brought back would plan retries, and a "gave up" notice, for a backup nobody has any more).
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SIDECAR_SUFFIX } from '../main/core/backup/naming.ts';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import type { Destination } from '../main/core/storage/destination.ts';
import { usePrivateTmpdir, type ShopFixture } from './support/holdfast-env.ts';
import type { S3Server } from './support/s3-server.ts';
import { openOffsiteShop, type OffsiteShop } from './support/offsite-shop.ts';

const privateTmp = usePrivateTmpdir();

let offsite: OffsiteShop;
let shop: ShopFixture;
let s3: S3Server;
let deleter: Holdfast;

beforeAll(async () => {
  offsite = await openOffsiteShop(300);
  ({ shop, s3 } = offsite);
  deleter = await shop.home.open();
}, 120_000);

afterAll(async () => {
  deleter.close();
  await offsite.close();
  privateTmp.remove();
});

const keysOf = (backup: BackupMetadata) => [backup.filename, backup.globals.filename!, `${backup.filename}${SIDECAR_SUFFIX}`];

/** Every later open() of `engine`'s destinations hands the real destination through `wrap`; returns the undo. */
function wrapDestinations(engine: Holdfast, wrap: (destination: Destination) => void): () => void {
  const destinations = engine.offsite.destinations;
  const realOpen = destinations.open.bind(destinations);
  destinations.open = async (name: string) => {
    const destination = await realOpen(name);
    wrap(destination);
    return destination;
  };
  return () => {
    destinations.open = realOpen;
  };
}

async function expectNothingLeft(backup: BackupMetadata): Promise<void> {
  const bucket = await shop.holdfast.offsite.destinations.open('bucket');
  for (const key of keysOf(backup)) expect(await bucket.stat(key), key).toBeUndefined();
  expect(shop.holdfast.offsite.rows.of(backup.id)).toEqual([]);
  expect(shop.holdfast.showBackup(backup.id).status).toBe('deleted');
}

describe('a backup deleted while its copy is in flight', () => {
  test("deleted while the copy's dump is uploading: the copier finds its row gone and removes what it put (no orphan objects)", async () => {
    const backup = await shop.holdfast.backup('shop', {});
    let deleterPaused!: () => void;
    const paused = new Promise<void>((resolve) => (deleterPaused = resolve));
    let copierDone!: () => void;
    const done = new Promise<void>((resolve) => (copierDone = resolve));
    // The deleter clears the bucket (nothing there yet), then waits until the copier has finished.
    const undoDeleter = wrapDestinations(deleter, (destination) => {
      const remove = destination.remove.bind(destination);
      destination.remove = async (key) => {
        await remove(key);
        if (key === backup.filename) {
          deleterPaused();
          await done;
        }
      };
    });
    // The copier starts the delete just before its dump goes up.
    let deleting: Promise<unknown> | undefined;
    const undoCopier = wrapDestinations(shop.holdfast, (destination) => {
      const put = destination.put.bind(destination);
      destination.put = async (key, source, expected, hooks) => {
        if (key === backup.filename && !deleting) {
          deleting = deleter.deleteBackup(backup.id, backup.filename);
          await paused;
        }
        return put(key, source, expected, hooks);
      };
    });
    try {
      const copies = await shop.holdfast.offsite.copy(backup, ['bucket']);
      expect(copies.filter((copy) => copy.state === 'verified')).toEqual([]);
    } finally {
      copierDone();
      undoCopier();
      undoDeleter();
    }
    await deleting;
    await expectNothingLeft(backup);
  }, 120_000);

  test('deleted while the copy is read back: no verified row is brought back for it, nothing stays on the bucket', async () => {
    const backup = await shop.holdfast.backup('shop', {});
    let deleted = false;
    const undo = wrapDestinations(shop.holdfast, (destination) => {
      const open = destination.open.bind(destination);
      destination.open = async (key) => {
        const stream = await open(key);
        if (key !== backup.filename || deleted) return stream;
        deleted = true;
        // Every byte read back, then the delete goes through before the copier settles the copy.
        return Readable.from(
          (async function* () {
            for await (const chunk of stream) yield chunk as Buffer;
            await deleter.deleteBackup(backup.id, backup.filename);
          })(),
        );
      };
    });
    try {
      await shop.holdfast.offsite.copy(backup, ['bucket']);
    } finally {
      undo();
    }
    expect(deleted).toBe(true);
    await expectNothingLeft(backup);
  }, 120_000);

  test('deleted between two tries of its copy: the next try does not start, no row is brought back', async () => {
    const backup = await shop.holdfast.backup('shop', {});
    shop.holdfast.offsite.retryDelaysMs = [3_000];
    await s3.stop();
    let copying: Promise<unknown>;
    try {
      copying = shop.holdfast.offsite.copy(backup, ['bucket']);
      const firstTryFailed = () => shop.holdfast.offsite.rows.of(backup.id)[0]?.attempts?.length === 1;
      for (let waited = 0; !firstTryFailed() && waited < 60_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(firstTryFailed()).toBe(true);
    } finally {
      await s3.start();
      shop.holdfast.offsite.retryDelaysMs = undefined;
    }
    await deleter.deleteBackup(backup.id, backup.filename);
    await copying;
    await expectNothingLeft(backup);
  }, 120_000);
});
