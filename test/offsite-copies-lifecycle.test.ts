// A copy's life after the first upload, against a real PostgreSQL server, s3rver on loopback (behind
// a loopback TCP relay the suite can cut or stall mid-request) and a real second directory: retries
// with the reason of each attempt, `holdfast copies retry`, a real SIGKILL of the CLI mid-upload and
// what the next start does, deletion of a backup's copies everywhere, and the disaster-recovery path
// (a fresh HOLDFAST_HOME adopts a bucket and restores from it).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SIDECAR_SUFFIX } from '../main/core/backup/naming.ts';
import type { BackupCopy, BackupMetadata } from '../main/core/model/types.ts';
import { closeShop, makeHome, openShop, profileFor, rowCount, runCli, startCli, usePrivateTmpdir, waitFor, type ShopFixture } from './support/holdfast-env.ts';
import { removeS3Server, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, startS3Server, type S3Server } from './support/s3-server.ts';

const privateTmp = usePrivateTmpdir();
const FILE_STORE = { HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'an-example-key-of-32-characters!!', HOLDFAST_TEST_COPY_RETRY_DELAYS_MS: '50,50' };

/** A loopback relay to s3rver: 'pass' forwards; 'cut' drops a connection at its first PUT and refuses new ones; 'stall' holds a PUT's bytes forever. */
interface Relay {
  endpoint: string;
  mode: 'pass' | 'cut' | 'stall';
  /** How many PUTs were cut or stalled so far. */
  puts: number;
  close(): Promise<void>;
}

async function startRelay(target: string): Promise<Relay> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const relay: Relay = {
    endpoint: '',
    mode: 'pass',
    puts: 0,
    close: () => new Promise((resolve) => (server.close(() => resolve()), sockets.forEach((socket) => socket.destroy()))),
  };
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(Number(port), hostname);
    sockets.add(upstream);
    let held = false;
    client.on('data', (chunk: Buffer) => {
      if (held) return;
      if (relay.mode !== 'pass' && chunk.toString('latin1').startsWith('PUT ')) {
        relay.puts += 1;
        if (relay.mode === 'cut') {
          client.destroy();
          upstream.destroy();
        } else held = true;
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return relay;
}

let shop: ShopFixture;
let s3: S3Server;
let relay: Relay;
let nas: string;

const s3Spec = (endpoint: string) => ({ type: 's3' as const, settings: { bucket: s3.bucket, region: 'us-east-1', endpoint, pathStyle: true, prefix: 'prod', accessKeyId: S3_ACCESS_KEY_ID } });
const copyOn = (backup: BackupMetadata, destination: string): BackupCopy | undefined => shop.holdfast.offsite.rows.of(backup.id).find((copy) => copy.destination === destination);
const keysOf = (backup: BackupMetadata) => [backup.filename, backup.globals.filename!, `${backup.filename}${SIDECAR_SUFFIX}`];
const newest = (holdfast = shop.holdfast) => holdfast.catalogue.listBackups({ profile: 'shop' }).at(-1)!;

beforeAll(async () => {
  s3 = await startS3Server();
  relay = await startRelay(s3.endpoint);
  nas = mkdtempSync(join(tmpdir(), 'holdfast-nas-'));
  shop = await openShop(500);
  shop.holdfast.close();
  Object.assign(shop.home.env, FILE_STORE);
  shop.holdfast = await shop.home.open();
  await shop.holdfast.offsite.destinations.add({ name: 'nas', spec: { type: 'directory', settings: { path: nas } } });
  await shop.holdfast.offsite.destinations.add({ name: 'bucket', spec: s3Spec(s3.endpoint), secretAccessKey: S3_SECRET_ACCESS_KEY });
  await shop.holdfast.offsite.destinations.add({ name: 'relayed', spec: s3Spec(relay.endpoint), secretAccessKey: S3_SECRET_ACCESS_KEY });
}, 120_000);

afterAll(async () => {
  await closeShop(shop);
  await relay.close();
  await removeS3Server(s3);
  rmSync(nas, { recursive: true, force: true });
  privateTmp.remove();
});

describe('retries', () => {
  test('the connection cut mid-upload: the local backup completes, the copy fails after three recorded tries; holdfast copies retry uploads and verifies it', async () => {
    relay.mode = 'cut';
    const backup = await shop.holdfast.backup('shop', {}, { copyTo: ['relayed'] });
    expect(relay.puts).toBeGreaterThan(0);
    expect(backup.status).toBe('completed');
    expect(existsSync(backup.path)).toBe(true);
    const failed = copyOn(backup, 'relayed')!;
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/relayed/);
    expect(failed.attempts?.map((attempt) => attempt.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(failed.attempts?.every((attempt) => attempt.error !== null)).toBe(true);
    // Nothing of the failed tries is visible under the final keys.
    const bucket = await shop.holdfast.offsite.destinations.open('bucket');
    for (const key of keysOf(backup)) expect(await bucket.stat(key), key).toBeUndefined();

    // A failed copy is a health reason for its profile, not a failed backup.
    const profileStats = shop.holdfast.stats().profiles.find((entry) => entry.profile === 'shop');
    expect(profileStats).toMatchObject({ lastRunStatus: 'completed', copies: { healthy: 1, total: 2 } });
    const health = await shop.holdfast.health();
    expect(health.reasons).toContainEqual(expect.objectContaining({ code: 'COPY_NOT_VERIFIED', profile: 'shop', message: expect.stringMatching(/1 of 2 copies healthy.*relayed failed/) }));

    relay.mode = 'pass';
    const retried = await runCli(['copies', 'retry'], shop.home.env);
    expect(retried.stderr).not.toMatch(/holdfast: /);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/Retried 1 copy: 1 verified/);
    expect(retried.stdout).not.toContain(S3_SECRET_ACCESS_KEY);
    const verified = copyOn(backup, 'relayed')!;
    expect(verified).toMatchObject({ state: 'verified', error: null });
    expect(verified.attempts?.map((attempt) => attempt.outcome)).toEqual(['failed', 'failed', 'failed', 'verified']);
    expect((await bucket.list('')).map((entry) => entry.key)).toEqual(expect.arrayContaining(keysOf(backup)));
    expect(shop.holdfast.stats().profiles.find((entry) => entry.profile === 'shop')?.copies).toEqual({ healthy: 2, total: 2 });
    const again = await runCli(['copies', 'retry'], shop.home.env);
    expect(again.stdout).toMatch(/nothing to retry/);
  }, 180_000);
});

describe('a real SIGKILL mid-upload, then the next start', () => {
  test('S3: the CLI killed while its PUT is in flight: the next start marks the copy failed, nothing sits under a final key; retry verifies it', async () => {
    relay.mode = 'stall';
    const cli = startCli(['backup', 'shop', '--copy-to', 'relayed'], shop.home.env);
    const exited = new Promise((resolve) => cli.once('exit', resolve));
    const before = relay.puts;
    await waitFor('the PUT to stall', () => (relay.puts > before ? true : undefined), 60_000);
    const backup = await waitFor('the backup row', () => shop.holdfast.catalogue.listBackups({ profile: 'shop' }).find((b) => copyOn(b, 'relayed')?.state === 'uploading'), 60_000);
    cli.kill('SIGKILL');
    await exited;
    relay.mode = 'pass';

    const { holdfast, reconciled } = await (async () => {
      const opened = await shop.home.open();
      return { holdfast: opened, reconciled: await opened.reconcile() };
    })();
    try {
      // The first open's reconcile did the work; the report of a second says nothing is left.
      expect(reconciled.recoveredCopies).toBeUndefined();
      const copy = holdfast.offsite.rows.of(backup.id).find((entry) => entry.destination === 'relayed')!;
      expect(copy.state).toBe('failed');
      expect(copy.error).toMatch(/Holdfast stopped while this copy was uploading/);
      const bucket = await holdfast.offsite.destinations.open('bucket');
      for (const key of keysOf(backup)) expect(await bucket.stat(key), key).toBeUndefined();
    } finally {
      holdfast.close();
    }
    const retried = await runCli(['copies', 'retry', backup.id], shop.home.env);
    expect(retried.code).toBe(0);
    expect(copyOn(backup, 'relayed')?.state).toBe('verified');
  }, 180_000);

  test('directory: killed between writing the temp file and its rename: the next start removes the temp file and marks the copy failed; retry verifies it', async () => {
    const killed = await runCli(['backup', 'shop', '--copy-to', 'nas'], { ...shop.home.env, HOLDFAST_TEST_CRASH_AT: 'storage:put-before-rename' });
    expect(killed.code).not.toBe(0);
    const backup = newest();
    expect(copyOn(backup, 'nas')?.state).toBe('uploading');
    const leftovers = () => readdirSync(nas).filter((name) => name.startsWith(`.${backup.filename}.put-`));
    expect(leftovers()).toHaveLength(1);
    expect(readdirSync(nas)).not.toContain(backup.filename);

    const reopened = await shop.home.open();
    reopened.close();
    expect(leftovers()).toEqual([]);
    expect(copyOn(backup, 'nas')).toMatchObject({ state: 'failed', error: expect.stringMatching(/Holdfast stopped/) });
    const retried = await runCli(['copies', 'retry', backup.id], shop.home.env);
    expect(retried.code).toBe(0);
    expect(copyOn(backup, 'nas')?.state).toBe('verified');
    expect(readdirSync(nas)).toEqual(expect.arrayContaining(keysOf(backup)));
  }, 180_000);
});

describe("a profile's default destinations", () => {
  test('profile edit --copy-to sets where its backups go; a backup without --copy-to follows it, one with --copy-to overrides it; an unknown name is refused', async () => {
    const refused = await runCli(['profile', 'edit', 'shop', '--copy-to', 'nowhere'], shop.home.env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/No destination named "nowhere"/);
    const edited = await runCli(['profile', 'edit', 'shop', '--copy-to', 'nas', '--json'], shop.home.env);
    expect(edited.code).toBe(0);
    expect(JSON.parse(edited.stdout)).toMatchObject({ copyTo: ['nas'] });
    try {
      expect((await runCli(['backup', 'shop'], shop.home.env)).code).toBe(0);
      expect(shop.holdfast.offsite.rows.of(newest().id).map((copy) => `${copy.destination}:${copy.state}`)).toEqual(['nas:verified']);
      expect((await runCli(['backup', 'shop', '--copy-to', 'bucket'], shop.home.env)).code).toBe(0);
      expect(shop.holdfast.offsite.rows.of(newest().id).map((copy) => `${copy.destination}:${copy.state}`)).toEqual(['bucket:verified']);
    } finally {
      await shop.holdfast.editProfile('shop', { copyTo: [] });
    }
    expect(shop.holdfast.showProfile('shop').copyTo).toEqual([]);
  }, 180_000);
});

describe('retention per destination', () => {
  test("cleanup --destination applies the policy to that destination's copies only, and never deletes the newest verified copy of a profile there", async () => {
    const [older, verified, newestOne] = [
      await shop.holdfast.backup('shop', {}, { copyTo: ['nas', 'bucket'] }),
      await shop.holdfast.backup('shop', {}, { copyTo: ['nas'] }),
      await shop.holdfast.backup('shop', {}, { copyTo: ['nas'] }),
    ];
    // The newest copy on the NAS does not count (as if its upload had failed): the one before it is the newest verified.
    shop.holdfast.offsite.rows.record(newestOne, 'nas', 'failed', 'an upload that failed');

    const dry = await runCli(['cleanup', 'shop', '--destination', 'nas', '--policy', 'gfs:1d', '--dry-run', '--json'], shop.home.env);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout) as { decisions: Array<{ id: string; action: string; reasons: string[] }>; deleted: string[] };
    const decided = (id: string) => plan.decisions.find((decision) => decision.id === id);
    expect(decided(older.id)?.action).toBe('delete');
    expect(decided(verified.id)).toMatchObject({ action: 'keep', reasons: [expect.stringMatching(/newest verified copy/)] });
    expect(decided(newestOne.id)?.action).toBe('keep');
    expect(existsSync(join(nas, older.filename))).toBe(true);

    const applied = await runCli(['cleanup', 'shop', '--destination', 'nas', '--policy', 'gfs:1d'], shop.home.env);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/Destination nas, policy gfs:1d: removed \d+ of \d+ copies/);
    for (const key of keysOf(older)) expect(existsSync(join(nas, key)), key).toBe(false);
    expect(copyOn(older, 'nas')).toBeUndefined();
    // Only that destination's copy went: the backup, its local file and its other copy stay.
    expect(shop.holdfast.showBackup(older.id).status).toBe('completed');
    expect(existsSync(older.path)).toBe(true);
    expect(copyOn(older, 'bucket')?.state).toBe('verified');
    expect(existsSync(join(nas, verified.filename))).toBe(true);

    const noPolicy = await runCli(['cleanup', '--destination', 'nas'], shop.home.env);
    expect(noPolicy.code).toBe(2);
    expect(noPolicy.stderr).toMatch(/needs a policy/);
  }, 240_000);
});

describe('deleting a backup removes its copies everywhere', () => {
  test('every copy removed with the local file; a destination that does not answer keeps the backup (file and row), named', async () => {
    const backup = await shop.holdfast.backup('shop', {}, { copyTo: ['nas', 'bucket'] });
    const bucket = await shop.holdfast.offsite.destinations.open('bucket');
    await shop.holdfast.deleteBackup(backup.id, backup.filename);
    for (const key of keysOf(backup)) {
      expect(existsSync(join(nas, key)), key).toBe(false);
      expect(await bucket.stat(key), key).toBeUndefined();
    }
    expect(shop.holdfast.offsite.rows.of(backup.id)).toEqual([]);

    const kept = await shop.holdfast.backup('shop', {}, { copyTo: ['bucket'] });
    await s3.stop();
    try {
      await expect(shop.holdfast.deleteBackup(kept.id, kept.filename)).rejects.toThrow(/copies on "bucket" .* could not be removed, so the backup was kept/);
    } finally {
      await s3.start();
    }
    expect(shop.holdfast.showBackup(kept.id).status).toBe('completed');
    expect(existsSync(kept.path)).toBe(true);
    expect(copyOn(kept, 'bucket')?.state).toBe('verified');
    await shop.holdfast.deleteBackup(kept.id, kept.filename);
    expect(await bucket.stat(kept.filename)).toBeUndefined();
  }, 180_000);
});

describe('disaster recovery', () => {
  test('a fresh HOLDFAST_HOME with only the bucket adopts its backups and restores one with equal row counts', async () => {
    const backup = await shop.holdfast.backup('shop', {}, { copyTo: ['bucket'] });
    const fresh = makeHome(FILE_STORE);
    try {
      const holdfast = await fresh.open();
      await holdfast.offsite.destinations.add({ name: 'bucket', spec: s3Spec(s3.endpoint), secretAccessKey: S3_SECRET_ACCESS_KEY });
      await holdfast.addProfile(profileFor(shop.server, 'shop', 'shop'));
      holdfast.close();

      const adopted = await runCli(['adopt', '--destination', 'bucket'], fresh.env);
      expect(adopted.stderr).not.toMatch(/holdfast: /);
      expect(adopted.code).toBe(0);
      expect(adopted.stdout).toContain(backup.filename);
      const listed = JSON.parse((await runCli(['list', '--json'], fresh.env)).stdout) as Array<{ id: string; copies?: Array<{ destination: string; state: string }> }>;
      expect(listed.find((entry) => entry.id === backup.id)?.copies).toEqual([expect.objectContaining({ destination: 'bucket', state: 'verified' })]);

      // The impact preview (a dry run) reads the copy too, and changes nothing.
      const preview = await runCli(['restore', backup.id, '--to', 'shop', '--dbname', 'shop_recovered', '--create', '--dry-run', '--json'], fresh.env);
      expect(preview.stderr).not.toMatch(/holdfast: (?!backup|run)/);
      expect(preview.code).toBe(0);
      expect(await shop.server.query(`SELECT 1 FROM pg_database WHERE datname = 'shop_recovered'`).then((rows) => rows.length)).toBe(0);

      const restored = await runCli(['restore', backup.id, '--to', 'shop', '--dbname', 'shop_recovered', '--create'], fresh.env);
      expect(restored.stderr).not.toMatch(/holdfast: (?!backup|run)/);
      expect(restored.code).toBe(0);
      for (const table of ['users', 'orders']) expect(await rowCount(shop.server, 'shop_recovered', `public.${table}`), table).toBe(backup.rowCounts[`public.${table}`]);
      expect(readdirSync(tmpdir()).filter((name) => name.startsWith('holdfast-copy-'))).toEqual([]);
    } finally {
      fresh.cleanup();
    }
  }, 240_000);
});
