// Backups that live on their destinations only (--no-local-copy), and restore drills read from a copy,
// against a real PostgreSQL server, s3rver on loopback, the real `age` binary and a real directory.
// The rules under test: the local file goes only after every named copy was read back and matched; a
// backup whose copies did not all verify keeps its local file and says so (never lose the only copy);
// verify, restore and drills of such a backup read a copy, downloaded into a private directory,
// checked, and removed in every path.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { companionPaths } from '../main/core/backup/naming.ts';
import { editSchedule } from '../main/core/schedule/schedules.ts';
import { rowCount, runCli, usePrivateTmpdir, type ShopFixture } from './support/holdfast-env.ts';
import type { S3Server } from './support/s3-server.ts';
import { openOffsiteShop, type OffsiteShop } from './support/offsite-shop.ts';

const privateTmp = usePrivateTmpdir();
// Under CI (.ci/setup installs age) a missing age binary fails the suite instead of skipping it.
const hasAge = spawnSync('age', ['--version']).status === 0 || Boolean(process.env.CI);

let offsite: OffsiteShop;
let shop: ShopFixture;
let s3: S3Server;
let nas: string;

/** Private download directories (restore/drill/verify from a copy) and decrypted copies still on disk. */
const leftBehind = () => [
  ...readdirSync(tmpdir()).filter((name) => name.startsWith('holdfast-copy-') || name.startsWith('holdfast-download-')),
  ...(existsSync(join(shop.home.home, 'decrypted')) ? readdirSync(join(shop.home.home, 'decrypted')) : []),
];
const localFiles = (path: string) => [path, companionPaths(path).globals, companionPaths(path).sidecar].filter((file) => existsSync(file));

beforeAll(async () => {
  offsite = await openOffsiteShop(400, { extraEnv: { HOLDFAST_TEST_COPY_RETRY_DELAYS_MS: '20,20' } });
  ({ shop, s3, nas } = offsite);
}, 120_000);

afterAll(async () => {
  await offsite.close();
  privateTmp.remove();
});

describe('--no-local-copy', () => {
  test('backup --no-local-copy: sealed, copied and read back, then the local files go; verify, restore and the drill read the copy; row counts equal', async () => {
    const taken = await runCli(['backup', 'shop', '--copy-to', 'bucket', '--no-local-copy', '--json'], shop.home.env);
    expect(taken.stderr).not.toMatch(/holdfast: (?!backup|run)/);
    expect(taken.code).toBe(0);
    const backup = JSON.parse(taken.stdout) as { id: string; path: string; rowCounts: Record<string, number>; localFile: { kept: boolean; reason: string | null }; copies: Array<{ state: string }> };
    expect(backup.copies.map((copy) => copy.state)).toEqual(['verified']);
    expect(backup.localFile).toEqual({ kept: false, reason: null });
    expect(localFiles(backup.path)).toEqual([]);
    expect(shop.holdfast.showBackup(backup.id)).toMatchObject({ status: 'completed', options: { noLocalCopy: true }, localFilePresent: false });

    // The next start of any command must not flag it missing: it was never meant to stay here.
    const listed = await runCli(['list', '--json'], shop.home.env);
    expect((JSON.parse(listed.stdout) as Array<{ id: string; status: string }>).find((entry) => entry.id === backup.id)?.status).toBe('completed');

    const verified = await runCli(['verify', backup.id], shop.home.env);
    expect(verified.stdout).toMatch(/from its copy on "bucket"/);
    expect(verified.code).toBe(0);
    expect(shop.holdfast.showBackup(backup.id).status).toBe('completed');

    const restored = await runCli(['restore', backup.id, '--to', 'shop', '--dbname', 'shop_offsite_only', '--create'], shop.home.env);
    expect(restored.stderr).not.toMatch(/holdfast: (?!backup|run)/);
    expect(restored.code).toBe(0);
    for (const table of ['users', 'orders']) expect(await rowCount(shop.server, 'shop_offsite_only', `public.${table}`), table).toBe(backup.rowCounts[`public.${table}`]);

    const drilled = await runCli(['verify', backup.id, '--test-restore', '--json'], shop.home.env);
    expect(drilled.code).toBe(0);
    expect(JSON.parse(drilled.stdout)).toMatchObject({ ok: true });
    expect(leftBehind()).toEqual([]);
    expect(localFiles(backup.path)).toEqual([]);
  }, 300_000);

  test('a destination that is down: the local file is KEPT and the result says why; one of two copies verified is not enough either', async () => {
    await s3.stop();
    try {
      const result = await runCli(['backup', 'shop', '--copy-to', 'bucket', '--no-local-copy'], shop.home.env);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/local file kept: the copy on "bucket" was not verified/);
      const kept = shop.holdfast.catalogue.listBackups({ profile: 'shop' }).at(-1)!;
      expect(localFiles(kept.path)).toHaveLength(3);

      const half = await shop.holdfast.backup('shop', { noLocalCopy: true }, { copyTo: ['nas', 'bucket'] });
      expect(half.copies?.map((copy) => `${copy.destination}:${copy.state}`)).toEqual(['bucket:failed', 'nas:verified']);
      expect(half.localFile).toEqual({ kept: true, reason: expect.stringMatching(/the copy on "bucket" was not verified/) });
      expect(localFiles(half.path)).toHaveLength(3);
    } finally {
      await s3.start();
    }
  }, 180_000);

  test('no destination to copy to: refused before any dump is taken', async () => {
    const before = shop.holdfast.catalogue.listBackups({ profile: 'shop' }).length;
    const result = await runCli(['backup', 'shop', '--no-local-copy'], shop.home.env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--no-local-copy needs at least one destination/);
    expect(shop.holdfast.catalogue.listBackups({ profile: 'shop' }).length).toBe(before);
  }, 60_000);

  test("a profile's --no-local-copy: needs its default destinations; its backups follow it; a schedule keeps its own choice, refused without a destination", async () => {
    const refused = await runCli(['profile', 'edit', 'shop', '--no-local-copy'], shop.home.env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--no-local-copy needs the profile's default destinations/);
    const unscheduled = await runCli(['schedule', 'add', 'shop', '--daily', '--no-local-copy'], shop.home.env);
    expect(unscheduled.code).not.toBe(0);
    expect(unscheduled.stderr).toMatch(/--no-local-copy needs at least one destination/);

    const edited = await runCli(['profile', 'edit', 'shop', '--copy-to', 'nas', '--no-local-copy'], shop.home.env);
    expect(edited.code).toBe(0);
    expect((await runCli(['profile', 'show', 'shop'], shop.home.env)).stdout).toMatch(/local copy +none: its backups are kept on their destinations only/);
    try {
      const followed = await shop.holdfast.backup('shop', {});
      expect(followed.localFile).toEqual({ kept: false, reason: null });
      expect(localFiles(followed.path)).toEqual([]);
      expect(readdirSync(nas)).toContain(followed.filename);
      // The backup's own choice wins over the profile's.
      const kept = await shop.holdfast.backup('shop', { noLocalCopy: false });
      expect(kept.localFile).toBeUndefined();
      expect(localFiles(kept.path)).toHaveLength(3);

      const added = await runCli(['schedule', 'add', 'shop', '--daily', '--no-local-copy', '--json'], shop.home.env);
      expect(added.code).toBe(0);
      expect(JSON.parse(added.stdout)).toMatchObject({ options: { noLocalCopy: true } });
      // Its own choice cleared, the schedule follows the profile's again (the key is gone, not false).
      const id = (JSON.parse(added.stdout) as { id: string }).id;
      const both = await runCli(['schedule', 'edit', id, '--inherit-no-local-copy', '--json'], shop.home.env);
      expect(both.code).toBe(0);
      expect((JSON.parse(both.stdout) as { options: Record<string, unknown> }).options).not.toHaveProperty('noLocalCopy');
      // And chosen again on the schedule itself, as the form can: --no-local-copy, then --local-copy.
      const dropped = await runCli(['schedule', 'edit', id, '--no-local-copy', '--json'], shop.home.env);
      expect(dropped.code).toBe(0);
      expect(JSON.parse(dropped.stdout)).toMatchObject({ options: { noLocalCopy: true } });
      const keptAgain = await runCli(['schedule', 'edit', id, '--local-copy', '--json'], shop.home.env);
      expect(JSON.parse(keptAgain.stdout)).toMatchObject({ options: { noLocalCopy: false } });
      const contradictingFlags = await runCli(['schedule', 'edit', id, '--no-local-copy', '--inherit-no-local-copy'], shop.home.env);
      expect(contradictingFlags.code).toBe(2);
      expect(contradictingFlags.stderr).toMatch(/--no-local-copy and --inherit-no-local-copy contradict each other/);
      const contradicting = (() => {
        try {
          return editSchedule(shop.holdfast, id, { options: { format: 'custom', noLocalCopy: true }, inheritNoLocalCopy: true }, new Date());
        } catch (error) {
          return error;
        }
      })();
      expect(contradicting).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/either chooses whether its backups keep a local copy .* or clears that choice/) });
    } finally {
      expect((await runCli(['profile', 'edit', 'shop', '--local-copy'], shop.home.env)).code).toBe(0);
    }
  }, 120_000);
});

describe('a restore drill from a copy', () => {
  test('the local file gone: the drill downloads the verified copy, checks it, passes, and leaves nothing behind', async () => {
    const backup = await shop.holdfast.backup('shop', {}, { copyTo: ['bucket'] });
    rmSync(backup.path);
    const drill = await shop.holdfast.testRestore(backup.id);
    expect(drill.error).toBeNull();
    expect(drill.ok).toBe(true);
    expect(drill.notes.join(' ')).toMatch(/from its copy on "bucket"/);
    expect(leftBehind()).toEqual([]);
  }, 240_000);

  test('its only copy on a directory destination that is not mounted: a restore says which destination cannot be read and what to do, not "a bug in Holdfast"', async () => {
    const backup = await shop.holdfast.backup('shop', {}, { copyTo: ['nas'] });
    rmSync(backup.path);
    renameSync(nas, `${nas}-unmounted`);
    try {
      const restored = await runCli(['restore', backup.id, '--to', 'shop', '--dbname', 'shop_from_unmounted', '--create', '--dry-run'], shop.home.env);
      expect(restored.code).toBe(1);
      expect(restored.stderr).toContain(
        `holdfast: ${backup.filename} is read from its copy on destination "nas" (no local file here), and that destination cannot be read: Destination "nas": ${nas} is not a directory that exists.`,
      );
      expect(restored.stderr).toContain('hint: Nothing was changed on the target. Mount the share');
      expect(restored.stderr).not.toMatch(/ENOENT|a bug in Holdfast/);
    } finally {
      renameSync(`${nas}-unmounted`, nas);
    }
    expect(leftBehind()).toEqual([]);
  }, 240_000);

  test('an altered copy: the drill fails naming the copy, nothing restored, nothing left behind', async () => {
    const backup = await shop.holdfast.backup('shop', {}, { copyTo: ['bucket'] });
    rmSync(backup.path);
    const bucket = await shop.holdfast.offsite.destinations.open('bucket');
    const other = Buffer.from('not the backup');
    await bucket.remove(backup.filename);
    await bucket.put(backup.filename, Readable.from([other]), { sha256: createHash('sha256').update(other).digest('hex'), size: other.length });
    await expect(shop.holdfast.testRestore(backup.id)).rejects.toMatchObject({ message: expect.stringMatching(/on destination "bucket" .* does not match the backup's checksum/) });
    expect(leftBehind()).toEqual([]);
  }, 240_000);

  test.skipIf(!hasAge)(
    'an encrypted backup, its local file gone: the drill downloads the copy, decrypts it privately, passes',
    async () => {
      const keyDir = mkdtempSync(join(tmpdir(), 'holdfast-agekeys-'));
      try {
        const keyFile = join(keyDir, 'key.txt');
        execFileSync('age-keygen', ['-o', keyFile], { stdio: 'pipe' });
        await shop.holdfast.keyring.import(readFileSync(keyFile, 'utf8'), 'drillkey');
        const recipient = /# public key: (\S+)/.exec(readFileSync(keyFile, 'utf8'))![1]!;
        const backup = await shop.holdfast.backup('shop', { encryptTo: [recipient] }, { copyTo: ['nas'] });
        expect(backup.encrypted).toBe(true);
        rmSync(backup.path);
        const drill = await shop.holdfast.testRestore(backup.id);
        expect(drill.error).toBeNull();
        expect(drill.ok).toBe(true);
        expect(drill.decryptedWith).toBe('drillkey');
        expect(leftBehind()).toEqual([]);
      } finally {
        rmSync(keyDir, { recursive: true, force: true });
      }
    },
    240_000,
  );

  test('a directory destination that is BACKUP_DIR under another name (a symlink): its "copy" is the local file itself, so the local file is kept', async () => {
    const alias = join(mkdtempSync(join(tmpdir(), 'holdfast-alias-')), 'backups');
    symlinkSync(shop.holdfast.config.backupDir, alias);
    try {
      await shop.holdfast.offsite.destinations.add({ name: 'alias', spec: { type: 'directory', settings: { path: alias } } });
      const taken = await shop.holdfast.backup('shop', { noLocalCopy: true }, { copyTo: ['alias'] }).catch((error: Error) => error);
      expect(taken).not.toBeInstanceOf(Error);
      if (taken instanceof Error) return;
      expect(existsSync(taken.path)).toBe(true);
      expect(taken.copies?.find((copy) => copy.destination === 'alias')?.state).not.toBe('verified');
      // copies retry (and the scheduler's automatic retry) first clears what the failed try left under the
      // copy's keys: through the alias, those are the local files themselves.
      await shop.holdfast.offsite.retry(taken.id).catch(() => undefined);
      expect(localFiles(taken.path)).toEqual([taken.path, companionPaths(taken.path).globals, companionPaths(taken.path).sidecar]);
    } finally {
      rmSync(alias, { force: true });
    }
  });
});
