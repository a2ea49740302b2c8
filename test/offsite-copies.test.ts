// A backup's copies on named destinations, against a real PostgreSQL server, s3rver on loopback and
// a real second directory. The rules under test: a copy counts only once it was read back and its
// SHA-256 matched; a destination that is down never turns the completed local backup into a failure
// (the result, an engine event, a notification-worthy notice and health all say which copy and why).
import { appendFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EmittedEvent } from '../main/core/events/events.ts';
import { notification } from '../main/core/events/notify.ts';
import { rowCount, runCli, usePrivateTmpdir, type ShopFixture } from './support/holdfast-env.ts';
import { S3_SECRET_ACCESS_KEY, type S3Server } from './support/s3-server.ts';
import { openOffsiteShop, type OffsiteShop } from './support/offsite-shop.ts';

const privateTmp = usePrivateTmpdir();

let offsite: OffsiteShop;
let shop: ShopFixture;
let s3: S3Server;
let nas: string;
const events: EmittedEvent[] = [];

beforeAll(async () => {
  offsite = await openOffsiteShop(500, { events });
  ({ shop, s3, nas } = offsite);
}, 120_000);

afterAll(async () => {
  await offsite.close();
  privateTmp.remove();
});

describe('backup --copy-to', () => {
  test('copies to a directory and a bucket, each read back and verified; list shows them; the sidecar and roles file go too', async () => {
    const backup = await shop.holdfast.backup('shop', {}, { copyTo: ['nas', 'bucket'] });
    expect(backup.status).toBe('completed');
    expect(backup.copies?.map((copy) => [copy.destination, copy.state, copy.error])).toEqual([
      ['bucket', 'verified', null],
      ['nas', 'verified', null],
    ]);
    expect(backup.copies?.every((copy) => copy.checksum === backup.checksum && copy.verifiedAt !== null && copy.key === backup.filename)).toBe(true);
    expect(readdirSync(nas).sort()).toEqual([backup.filename, backup.globals.filename!, `${backup.filename}.json`].sort());
    expect(readFileSync(join(nas, backup.filename)).equals(readFileSync(backup.path))).toBe(true);
    const bucket = await shop.holdfast.offsite.destinations.open('bucket');
    expect((await bucket.list('')).map((entry) => entry.key).sort()).toEqual([backup.filename, backup.globals.filename!, `${backup.filename}.json`].sort());

    const listed = await runCli(['list', '--json'], shop.home.env);
    const row = (JSON.parse(listed.stdout) as Array<{ id: string; copies?: Array<{ destination: string; state: string }> }>).find((entry) => entry.id === backup.id);
    expect(row?.copies?.map((copy) => `${copy.destination}:${copy.state}`)).toEqual(['bucket:verified', 'nas:verified']);
    const copied = events.find((event) => event.kind === 'backup.copied');
    expect(copied && notification(copied)).toBeUndefined();
  }, 120_000);

  test("each copy's dump is read back from its destination exactly once before it counts: by the bucket's put, by the copier for a directory", async () => {
    const destinations = shop.holdfast.offsite.destinations;
    const open = destinations.open.bind(destinations);
    const reads: string[] = [];
    destinations.open = async (name, policy) => {
      const destination = await open(name, policy);
      const read = destination.open.bind(destination);
      destination.open = (key) => {
        reads.push(`${name}:${key}`);
        return read(key);
      };
      return destination;
    };
    try {
      const backup = await shop.holdfast.backup('shop', {}, { copyTo: ['nas', 'bucket'] });
      expect(backup.copies?.map((copy) => `${copy.destination}:${copy.state}`)).toEqual(['bucket:verified', 'nas:verified']);
      expect(reads.filter((read) => read.endsWith(`:${backup.filename}`)).sort()).toEqual([`bucket:${backup.filename}`, `nas:${backup.filename}`]);
    } finally {
      destinations.open = open;
    }
  }, 120_000);

  test('the bucket down during the backup: the local backup completes, its copy fails with the reason; an event, a notice and health say so', async () => {
    events.length = 0;
    await s3.stop();
    try {
      const result = await runCli(['backup', 'shop', '--copy-to', 'nas', '--copy-to', 'bucket'], shop.home.env);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Backup completed, 1 of 2 copies verified: /);
      expect(result.stdout).toMatch(/copies: 1 of 2 copies verified; bucket failed: .*ECONNREFUSED/);
      expect(result.stdout).not.toContain(S3_SECRET_ACCESS_KEY);
    } finally {
      await s3.start();
    }
    const newest = shop.holdfast.list({ profile: 'shop' }).at(-1) as unknown as { status: string; copies: Array<{ destination: string; state: string; error: string | null }> };
    expect(newest.status).toBe('completed');
    expect(newest.copies.find((copy) => copy.destination === 'bucket')).toMatchObject({ state: 'failed', error: expect.stringMatching(/ECONNREFUSED/) });
    const health = await shop.holdfast.health();
    expect(health.reasons).toContainEqual(expect.objectContaining({ code: 'COPY_NOT_VERIFIED', profile: 'shop', message: expect.stringMatching(/bucket failed/) }));
    // The CLI's engine emitted it in its own process; here the event and its notice are checked from the same engine.
    const again = await shop.holdfast.backup('shop', {}, { copyTo: ['bucket'] });
    expect(again.copies?.[0]?.state).toBe('verified');
    await s3.stop();
    try {
      const down = await shop.holdfast.backup('shop', {}, { copyTo: ['bucket'] });
      expect(down.status).toBe('completed');
      expect(down.copies?.[0]).toMatchObject({ state: 'failed' });
    } finally {
      await s3.start();
    }
    const copied = events.filter((event) => event.kind === 'backup.copied').at(-1)!;
    expect(notification(copied)).toMatchObject({ kind: 'backup.failed', error: { message: expect.stringMatching(/completed, but 1 of 1 copy failed: bucket: /) } });
  }, 180_000);

  test('a directory-format backup: copied as a tree to a directory, refused with the reason by S3 and by a directory whose root is gone (never created)', async () => {
    const gone = join(nas, 'unmounted');
    await shop.holdfast.offsite.destinations.add({ name: 'gone', spec: { type: 'directory', settings: { path: gone } } });
    const backup = await shop.holdfast.backup('shop', { format: 'directory' }, { copyTo: ['nas', 'bucket', 'gone'] });
    expect(backup.status).toBe('completed');
    const states = Object.fromEntries((backup.copies ?? []).map((copy) => [copy.destination, [copy.state, copy.error]]));
    expect(states.nas).toEqual(['verified', null]);
    expect(states.bucket).toEqual(['failed', expect.stringMatching(/directory-format backup .* cannot be copied to an S3 destination yet/)]);
    expect(states.gone).toEqual(['failed', expect.stringMatching(/is not a directory that exists/)]);
    expect(readdirSync(nas)).not.toContain('unmounted');
    // Re-read: the tree on the NAS is checked file by file against the backup's checksum, and a changed file fails it.
    const rechecked = async () => Object.fromEntries((await shop.holdfast.offsite.recheck(backup)).map((copy) => [copy.destination, copy.state]));
    expect((await rechecked()).nas).toBe('verified');
    const treeFile = join(nas, backup.filename, 'toc.dat');
    appendFileSync(treeFile, 'altered');
    expect((await rechecked()).nas).toBe('failed');
    const bucket = await shop.holdfast.offsite.destinations.open('bucket');
    expect(await bucket.stat(backup.filename)).toBeUndefined();
    await shop.holdfast.offsite.destinations.remove('gone');
  }, 120_000);

  test('an unknown destination is refused before any dump is taken, and the refusal is a failed backup that is told (a schedule whose destination was removed must not fail in silence)', async () => {
    const before = shop.holdfast.list({ profile: 'shop', all: true }).length;
    const told: string[] = [];
    const stop = shop.holdfast.events.subscribe({ name: 'spec', handle: (event) => void told.push(event.kind) });
    try {
      await expect(shop.holdfast.backup('shop', {}, { copyTo: ['nowhere'], trigger: { kind: 'schedule', scheduleId: 'gone-destination', catchUp: false } })).rejects.toThrow(
        /No destination named "nowhere"/,
      );
    } finally {
      stop();
    }
    expect(told).toEqual(['backup.failed']);
    expect(shop.holdfast.list({ profile: 'shop', all: true }).length).toBe(before);
  });
});

describe('reading back: verify --copies and restore --from', () => {
  const leftDownloads = () => readdirSync(tmpdir()).filter((name) => name.startsWith('holdfast-copy-'));

  test("round trip from each destination type with the local file gone: the restored rows equal the backup's", async () => {
    const backup = await shop.holdfast.backup('shop', {}, { copyTo: ['nas', 'bucket'] });
    expect(backup.copies?.every((copy) => copy.state === 'verified')).toBe(true);
    rmSync(backup.path);
    const verified = await runCli(['verify', backup.id, '--copies'], shop.home.env);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/All copies intact/);
    for (const name of ['nas', 'bucket']) {
      const dbname = `shop_from_${name}`;
      const restored = await runCli(['restore', backup.id, '--to', 'shop', '--dbname', dbname, '--create', '--from', name], shop.home.env);
      expect(restored.stderr).not.toMatch(/holdfast: (?!backup|run)/);
      expect(restored.code).toBe(0);
      expect(restored.stdout).toContain(`(read from its copy on destination "${name}")`);
      for (const table of ['users', 'orders']) expect(await rowCount(shop.server, dbname, `public.${table}`), `${dbname} ${table}`).toBe(backup.rowCounts[`public.${table}`]);
    }
    expect(leftDownloads()).toEqual([]);
  }, 240_000);

  test('an altered object: verify --copies fails naming that copy, and restore from it is refused (nothing left behind)', async () => {
    const backup = await shop.holdfast.backup('shop', {}, { copyTo: ['nas', 'bucket'] });
    // The bucket's object replaced by other bytes; the directory's file given one more byte.
    const bucket = await shop.holdfast.offsite.destinations.open('bucket');
    const other = Buffer.concat([readFileSync(backup.path), Buffer.from('tampered')]);
    await bucket.remove(backup.filename);
    await bucket.put(backup.filename, Readable.from([other]), { sha256: createHash('sha256').update(other).digest('hex'), size: other.length });
    appendFileSync(join(nas, backup.filename), 'x');

    const verified = await runCli(['verify', backup.id, '--copies'], shop.home.env);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(/COPIES NOT ALL INTACT/);
    expect(verified.stdout).toMatch(/bucket {2}failed: .* not the backup's/);
    expect(verified.stdout).toMatch(/nas {2}failed: .* not the backup's/);

    const restored = await runCli(['restore', backup.id, '--to', 'shop', '--dbname', 'shop_tampered', '--create', '--from', 'bucket'], shop.home.env);
    expect(restored.code).toBe(1);
    expect(restored.stderr).toMatch(/The copy of .* on destination "bucket" .* does not match the backup's checksum, so it was not restored/);
    expect(await shop.server.query(`SELECT 1 FROM pg_database WHERE datname = 'shop_tampered'`).then((rows) => rows.length)).toBe(0);
    expect(leftDownloads()).toEqual([]);
    // The local backup itself is untouched by a bad copy: still completed, not marked as failing verification.
    const local = shop.holdfast.showBackup(backup.id);
    expect(local.status).toBe('completed');
    expect(local.lastVerified?.valid).not.toBe(false);
  }, 240_000);
});
