// A destination that cannot be reached is not a copy that failed. Against a real PostgreSQL server,
// s3rver on loopback and a real second directory: re-reading the copies (verify --copies) while the
// bucket is down or the share is unmounted must leave each copy's recorded state as it was and say
// "destination unreachable, copy not checked"; otherwise a backup kept on its destinations only
// (--no-local-copy) would lose its one verified copy in the catalogue and show as missing.
import { renameSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, usePrivateTmpdir, type ShopFixture } from './support/holdfast-env.ts';
import type { S3Server } from './support/s3-server.ts';
import { openOffsiteShop, type OffsiteShop } from './support/offsite-shop.ts';

const privateTmp = usePrivateTmpdir();

let offsite: OffsiteShop;
let shop: ShopFixture;
let s3: S3Server;
let nas: string;

interface CopiesCheck {
  ok: boolean;
  copies: Array<{ destination: string; state: string; checked: string; problem: string | null }>;
}

beforeAll(async () => {
  offsite = await openOffsiteShop(200, { extraEnv: { HOLDFAST_TEST_COPY_RETRY_DELAYS_MS: '20,20' } });
  ({ shop, s3, nas } = offsite);
}, 120_000);

afterAll(async () => {
  await offsite.close();
  privateTmp.remove();
});

const copyStates = (id: string) => shop.holdfast.offsite.rows.of(id).map((copy) => `${copy.destination}:${copy.state}`);
const listedStatus = async (id: string) => (JSON.parse((await runCli(['list', '--json'], shop.home.env)).stdout) as Array<{ id: string; status: string }>).find((entry) => entry.id === id)?.status;

describe('verify --copies against a destination that cannot be reached', () => {
  test('an offsite-only backup, the bucket stopped: the copy stays verified, the result says unreachable (exit 1, a hint); the bucket back: verified', async () => {
    const backup = await shop.holdfast.backup('shop', { noLocalCopy: true }, { copyTo: ['bucket'] });
    expect(backup.localFile).toEqual({ kept: false, reason: null });
    await s3.stop();
    try {
      const text = await runCli(['verify', backup.id, '--copies'], shop.home.env);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/bucket +destination unreachable, copy not checked/);
      expect(text.stdout).toMatch(/still recorded as verified/);
      expect(text.stdout).toMatch(/holdfast destination test bucket/);

      const json = await runCli(['verify', backup.id, '--copies', '--json'], shop.home.env);
      expect(json.code).toBe(1);
      const result = JSON.parse(json.stdout) as CopiesCheck;
      expect(result.ok).toBe(false);
      expect(result.copies).toMatchObject([{ destination: 'bucket', state: 'verified', checked: 'unreachable', problem: expect.stringMatching(/bucket/) }]);

      expect(copyStates(backup.id)).toEqual(['bucket:verified']);
      // The next start's file check must not call it missing: its only copy still counts.
      expect(await listedStatus(backup.id)).toBe('completed');
    } finally {
      await s3.start();
    }
    const again = await runCli(['verify', backup.id, '--copies', '--json'], shop.home.env);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as CopiesCheck).copies).toMatchObject([{ destination: 'bucket', state: 'verified', checked: 'verified', problem: null }]);
  }, 240_000);

  test("a directory destination whose share is unmounted is unreachable, not missing; a reachable bucket's deleted object is missing", async () => {
    const backup = await shop.holdfast.backup('shop', { noLocalCopy: true }, { copyTo: ['nas', 'bucket'] });
    expect(copyStates(backup.id)).toEqual(['bucket:verified', 'nas:verified']);
    const bucket = await shop.holdfast.offsite.destinations.open('bucket');
    await bucket.remove(backup.filename);
    renameSync(nas, `${nas}.unmounted`);
    try {
      const result = await runCli(['verify', backup.id, '--copies', '--json'], shop.home.env);
      expect(result.code).toBe(1);
      expect((JSON.parse(result.stdout) as CopiesCheck).copies).toMatchObject([
        { destination: 'bucket', state: 'missing', checked: 'missing' },
        { destination: 'nas', state: 'verified', checked: 'unreachable', problem: expect.stringMatching(/not a directory that exists/) },
      ]);
      expect(copyStates(backup.id)).toEqual(['bucket:missing', 'nas:verified']);
    } finally {
      renameSync(`${nas}.unmounted`, nas);
    }
    const back = await runCli(['verify', backup.id, '--copies', '--json'], shop.home.env);
    expect((JSON.parse(back.stdout) as CopiesCheck).copies).toMatchObject([
      { destination: 'bucket', checked: 'missing' },
      { destination: 'nas', checked: 'verified' },
    ]);
  }, 240_000);
});
