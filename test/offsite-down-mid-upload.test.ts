// A destination that dies in the middle of a large upload, for Azure (azurite SIGKILLed) and SFTP
// (sshd and its session SIGKILLed), against a real PostgreSQL server. The moment is chosen by
// counting the dump's bytes on their way out (the engine's real destination, with the killing done
// after the first 10 MiB have gone), so the server dies with the upload truly in flight. The rules:
// the copy fails with an error naming the destination, the local backup is intact and still verifies,
// nothing shows under the final name, and once the server is back a retry verifies the copy and
// leaves no temporary file behind.
import { readdirSync, readFileSync } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BackupMetadata } from '../main/core/model/types.ts';
import { closeShop, openShop, usePrivateTmpdir, type ShopFixture } from './support/holdfast-env.ts';
import { startAzurite, type AzureServer } from './support/azurite-server.ts';
import { startSshd, type SshServer } from './support/sshd-server.ts';
import { FILE_STORE } from './support/offsite-shop.ts';

const privateTmp = usePrivateTmpdir();
const KILL_AFTER_BYTES = 10 * 1024 * 1024;

let shop: ShopFixture;
let azure: AzureServer;
let sshd: SshServer;
let backup: BackupMetadata;

beforeAll(async () => {
  [azure, sshd] = await Promise.all([startAzurite(), startSshd()]);
  shop = await openShop(100);
  // About 24 MiB of dump that does not compress: three Azure blocks, many SFTP writes.
  await shop.server.query(
    `CREATE TABLE public.bulk AS SELECT g AS id, (SELECT string_agg(md5(g::text || ':' || k::text), '') FROM generate_series(1, 24) k) AS body FROM generate_series(1, 32000) g`,
    'shop',
  );
  shop.holdfast.close();
  Object.assign(shop.home.env, FILE_STORE, { HOLDFAST_TEST_COPY_RETRY_DELAYS_MS: '50,50' });
  shop.holdfast = await shop.home.open();
  await shop.holdfast.offsite.destinations.add({
    name: 'az',
    spec: { type: 'azure', settings: { container: azure.container, prefix: 'prod', credential: 'connection-string' } },
    secret: { connectionString: azure.connectionString },
  });
  await shop.holdfast.offsite.destinations.add({
    name: 'box',
    spec: { type: 'sftp', settings: { host: sshd.host, port: sshd.port, user: sshd.user, path: sshd.directory, auth: 'key' } },
    secret: { privateKey: readFileSync(sshd.clientKeyFile, 'utf8') },
  });
  await shop.holdfast.offsite.destinations.test('box');
  backup = await shop.holdfast.backup('shop', { compression: { method: 'none' } });
  expect(backup.size).toBeGreaterThan(2 * KILL_AFTER_BYTES);
}, 240_000);

afterAll(async () => {
  await closeShop(shop);
  await azure?.stop();
  await sshd?.stop();
  privateTmp.remove();
});

/** The next copy's dump goes out through a counter that runs `kill` (and waits for it) once KILL_AFTER_BYTES have passed. */
function killMidUpload(kill: () => Promise<void>): { killed: () => boolean; undo: () => void } {
  const destinations = shop.holdfast.offsite.destinations;
  const realOpen = destinations.open.bind(destinations);
  let killed = false;
  destinations.open = async (name: string) => {
    const destination = await realOpen(name);
    const put = destination.put.bind(destination);
    destination.put = (key, source: Readable, expected, hooks) => {
      if (key !== backup.filename || killed) return put(key, source, expected, hooks);
      let passed = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          passed += chunk.length;
          if (passed < KILL_AFTER_BYTES || killed) return done(null, chunk);
          killed = true;
          kill().then(() => done(null, chunk), done);
        },
      });
      return put(key, source.pipe(counter), expected, hooks);
    };
    return destination;
  };
  return { killed: () => killed, undo: () => (destinations.open = realOpen) };
}

const copyOn = (name: string) => shop.holdfast.offsite.rows.of(backup.id).find((copy) => copy.destination === name);

describe.each([
  { name: 'az', medium: 'Azure', kill: () => azure.kill(), start: () => azure.start(), leftovers: () => [] as string[] },
  { name: 'box', medium: 'SFTP', kill: () => sshd.kill(), start: () => sshd.start(), leftovers: () => readdirSync(sshd.directory).filter((file) => file.endsWith('.tmp')) },
])('$medium down mid-upload', ({ name, kill, start, leftovers }) => {
  test('the copy fails naming the destination; the local backup still verifies; back up, a retry verifies the copy and leaves no temp file', async () => {
    const chosen = killMidUpload(kill);
    let copies;
    try {
      copies = await shop.holdfast.offsite.copy(backup, [name]);
    } finally {
      chosen.undo();
      await start();
    }
    expect(chosen.killed()).toBe(true);
    expect(copies.map((copy) => copy.state)).toEqual(['failed']);
    expect(copyOn(name)?.error).toMatch(new RegExp(`destination "${name}"`));
    expect(copyOn(name)?.attempts?.length).toBe(3);

    const local = await shop.holdfast.verify(backup.id);
    expect(local.valid).toBe(true);
    const destination = await shop.holdfast.offsite.destinations.open(name);
    expect(await destination.stat(backup.filename)).toBeUndefined();

    const retried = await shop.holdfast.offsite.retry(backup.id);
    expect(retried.retried.map((entry) => `${entry.copy.destination}:${entry.copy.state}`)).toEqual([`${name}:verified`]);
    expect((await shop.holdfast.offsite.recheck(backup)).find((copy) => copy.destination === name)?.checked).toBe('verified');
    expect(leftovers()).toEqual([]);
  }, 300_000);
});
