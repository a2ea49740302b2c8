// A destination's own retention policy, stored with it (destination edit --retention), against a
// real PostgreSQL server, s3rver on loopback and a real directory: `holdfast cleanup` and the
// scheduled cleanup (the same engine call housekeeping makes) apply it to the copies each destination
// holds; what it lets go is removed from that destination only, and the newest verified copy of each
// profile there is never deleted.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SIDECAR_SUFFIX } from '../main/core/backup/naming.ts';
import { cleanupCopies } from '../main/core/retention/copy-cleanup.ts';
import { parseRetentionPolicy } from '../main/core/retention/policy-text.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import { runCli, usePrivateTmpdir, type ShopFixture } from './support/holdfast-env.ts';
import { openOffsiteShop, type OffsiteShop } from './support/offsite-shop.ts';

const privateTmp = usePrivateTmpdir();

let offsite: OffsiteShop;
let shop: ShopFixture;
let nas: string;

const keysOf = (backup: BackupMetadata) => [backup.filename, backup.globals.filename!, `${backup.filename}${SIDECAR_SUFFIX}`];
const onNas = (backup: BackupMetadata) => keysOf(backup).map((key) => existsSync(join(nas, key)));
async function inBucket(backup: BackupMetadata): Promise<boolean[]> {
  const bucket = await shop.holdfast.offsite.destinations.open('bucket');
  return Promise.all(keysOf(backup).map(async (key) => (await bucket.stat(key)) !== undefined));
}

beforeAll(async () => {
  offsite = await openOffsiteShop(200);
  ({ shop, nas } = offsite);
}, 120_000);

afterAll(async () => {
  await offsite.close();
  privateTmp.remove();
});

describe('a stored per-destination retention policy', () => {
  test('destination edit --retention stores it (a bad policy refused); cleanup applies it to each destination; the newest verified copy stays', async () => {
    const bad = await runCli(['destination', 'edit', 'nas', '--retention', 'gfs:7x'], shop.home.env);
    expect(bad.code).not.toBe(0);
    expect(shop.holdfast.offsite.destinations.show('nas').retention).toBeNull();
    const edited = await runCli(['destination', 'edit', 'nas', '--retention', 'gfs:1d'], shop.home.env);
    expect(edited.code).toBe(0);
    expect(edited.stdout).toMatch(/retention gfs:1d/);
    await shop.holdfast.offsite.destinations.edit({ name: 'bucket', retention: 'gfs:1d' });

    const [older, middle, newest] = [
      await shop.holdfast.backup('shop', {}, { copyTo: ['nas', 'bucket'] }),
      await shop.holdfast.backup('shop', {}, { copyTo: ['nas', 'bucket'] }),
      await shop.holdfast.backup('shop', {}, { copyTo: ['nas', 'bucket'] }),
    ];
    // The newest copy on the NAS does not count (as if its upload had failed): the one before it is the newest verified there.
    shop.holdfast.offsite.rows.record(newest, 'nas', 'failed', 'an upload that failed');

    const cleaned = await runCli(['cleanup', 'shop', '--json'], shop.home.env);
    expect(cleaned.code).toBe(0);
    const summary = JSON.parse(cleaned.stdout) as { destinations: Array<{ destination: string; policy: string; deleted: string[] }> };
    expect(summary.destinations.map((report) => [report.destination, report.policy, [...report.deleted].sort()])).toEqual([
      ['bucket', 'gfs:1d', [older.id, middle.id].sort()],
      ['nas', 'gfs:1d', [older.id]],
    ]);
    expect(onNas(older)).toEqual([false, false, false]);
    expect(onNas(middle)).toEqual([true, true, true]);
    expect(await inBucket(older)).toEqual([false, false, false]);
    expect(await inBucket(middle)).toEqual([false, false, false]);
    expect(await inBucket(newest)).toEqual([true, true, true]);
    // Only the copies went: every backup and its local file stay (local retention keeps them).
    for (const backup of [older, middle, newest]) expect(existsSync(backup.path)).toBe(true);

    // The scheduled cleanup makes the same engine call: a newer backup lets the bucket's previous newest go.
    const next = await shop.holdfast.backup('shop', {}, { copyTo: ['bucket'] });
    const scheduled = await shop.holdfast.cleanup({ dryRun: false });
    expect(scheduled.destinations?.find((report) => report.destination === 'bucket')?.deleted).toEqual([newest.id]);
    expect(await inBucket(newest)).toEqual([false, false, false]);
    expect(await inBucket(next)).toEqual([true, true, true]);

    const removed = await runCli(['destination', 'edit', 'bucket', '--retention', 'none'], shop.home.env);
    expect(removed.code).toBe(0);
    expect(shop.holdfast.offsite.destinations.show('bucket').retention).toBeNull();
    const noPolicy = await runCli(['cleanup', '--destination', 'bucket'], shop.home.env);
    expect(noPolicy.code).toBe(2);
    expect(noPolicy.stderr).toMatch(/needs a policy, and it has none stored/);
  }, 240_000);

  test("a copy that is the only copy of its backup (kept on destinations only) is never removed by the destination's policy", async () => {
    const only = mkdtempSync(join(tmpdir(), 'holdfast-only-'));
    try {
      await shop.holdfast.offsite.destinations.add({ name: 'only', spec: { type: 'directory', settings: { path: only } } });
      const older = await shop.holdfast.backup('shop', { noLocalCopy: true }, { copyTo: ['only'] });
      const newer = await shop.holdfast.backup('shop', { noLocalCopy: true }, { copyTo: ['only'] });
      for (const backup of [older, newer]) expect(existsSync(backup.path)).toBe(false);
      const report = await cleanupCopies(shop.holdfast, { destination: 'only', policy: parseRetentionPolicy('gfs:1d'), dryRun: false, actor: 'test' }, new Date());
      expect(report.deleted).toEqual([]);
      expect(report.decisions.find((decision) => decision.id === older.id)?.reasons.join('; ')).toMatch(/only copy/);
      expect(existsSync(join(only, older.filename))).toBe(true);
    } finally {
      rmSync(only, { recursive: true, force: true });
    }
  }, 120_000);
});
