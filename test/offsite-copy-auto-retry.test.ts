// A copy that failed is tried again by the scheduler's tick, with no command from anyone: against a
// real PostgreSQL server, s3rver on loopback (stopped and started again) and a real directory. The
// rules under test: the retry time and the rounds are stored on the copy; the next tick after the
// destination is back uploads and verifies it; the rounds are bounded, and giving up is told once as a
// notification. The tick's clock is injected, so the suite jumps hours without waiting.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EmittedEvent } from '../main/core/events/events.ts';
import { notification } from '../main/core/events/notify.ts';
import type { BackupCopy, BackupMetadata } from '../main/core/model/types.ts';
import { AUTO_RETRY_DELAYS_MS } from '../main/core/storage/copy-retry-plan.ts';
import { usePrivateTmpdir, type ShopFixture } from './support/holdfast-env.ts';
import type { S3Server } from './support/s3-server.ts';
import { openOffsiteShop, type OffsiteShop } from './support/offsite-shop.ts';

const privateTmp = usePrivateTmpdir();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let offsite: OffsiteShop;
let shop: ShopFixture;
let s3: S3Server;
const events: EmittedEvent[] = [];

const copyOn = (backup: BackupMetadata, destination: string): BackupCopy => shop.holdfast.offsite.rows.of(backup.id).find((copy) => copy.destination === destination)!;

/** One scheduler tick at `offsetMs` from now, waited for to the end. */
async function tickAt(offsetMs: number): Promise<void> {
  const at = new Date(Date.now() + offsetMs);
  const scheduler = shop.holdfast.createScheduler({ now: () => at });
  scheduler.tick();
  await scheduler.whenIdle();
}

beforeAll(async () => {
  offsite = await openOffsiteShop(300, { extraEnv: { HOLDFAST_TEST_COPY_RETRY_DELAYS_MS: '20,20' }, events });
  ({ shop, s3 } = offsite);
}, 120_000);

afterAll(async () => {
  await offsite.close();
  privateTmp.remove();
});

describe('automatic retry on the scheduler tick', () => {
  test('destination down: completed 1 of 2, the next try stored; not due yet, a tick leaves it; back up, the next tick verifies it', async () => {
    await s3.stop();
    let backup;
    try {
      backup = await shop.holdfast.backup('shop', {}, { copyTo: ['nas', 'bucket'] });
    } finally {
      await s3.start();
    }
    expect(backup.copies?.map((copy) => `${copy.destination}:${copy.state}`)).toEqual(['bucket:failed', 'nas:verified']);
    const failed = copyOn(backup, 'bucket');
    expect(failed.autoRetries).toBe(0);
    expect(Date.parse(failed.retryAt!) - Date.now()).toBeGreaterThan(AUTO_RETRY_DELAYS_MS[0]! - MINUTE);
    expect(failed.attempts).toHaveLength(3);

    await tickAt(MINUTE);
    expect(copyOn(backup, 'bucket')).toMatchObject({ state: 'failed', retryAt: failed.retryAt });

    events.length = 0;
    await tickAt(AUTO_RETRY_DELAYS_MS[0]! + MINUTE);
    const copy = copyOn(backup, 'bucket');
    expect(copy).toMatchObject({ state: 'verified', error: null, retryAt: null, autoRetries: 0 });
    expect(copy.attempts?.map((attempt) => attempt.outcome)).toEqual(['failed', 'failed', 'failed', 'verified']);
    const bucket = await shop.holdfast.offsite.destinations.open('bucket');
    expect((await bucket.list('')).map((entry) => entry.key)).toContain(backup.filename);
    const told = events.find((event) => event.kind === 'backup.copied');
    expect(told && notification(told)).toBeUndefined();
  }, 180_000);

  test('still down: each round after a longer pause, bounded; giving up is one notification, and no round follows', async () => {
    await s3.stop();
    try {
      const backup = await shop.holdfast.backup('shop', {}, { copyTo: ['bucket'] });
      events.length = 0;
      // Each round is planned from the real time it failed, so these offsets pass each planned try.
      const rounds = [6 * MINUTE, 25 * MINUTE, 2 * HOUR, 5 * HOUR, 13 * HOUR];
      for (const [round, offset] of rounds.entries()) {
        await tickAt(offset);
        const copy = copyOn(backup, 'bucket');
        expect(copy.autoRetries, `round ${round + 1}`).toBe(round + 1);
        expect(copy.state).toBe('failed');
        if (round < rounds.length - 1) expect(copy.retryAt, `round ${round + 1}`).not.toBeNull();
      }
      const spent = copyOn(backup, 'bucket');
      expect(spent.retryAt).toBeNull();
      expect(spent.attempts).toHaveLength(3 * (1 + rounds.length));
      const notices = events.filter((event) => event.kind === 'backup.copied').map((event) => notification(event));
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({ kind: 'backup.failed', error: { message: expect.stringMatching(/gave up copying backup .* bucket: .*ECONNREFUSED.* \(after 5 automatic retries\)/) } });

      await tickAt(48 * HOUR);
      expect(copyOn(backup, 'bucket').attempts).toHaveLength(3 * (1 + rounds.length));
    } finally {
      await s3.start();
    }
  }, 180_000);
});
