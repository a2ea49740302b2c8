// The Azure Blob and SFTP destinations against real servers on loopback (azurite; Debian's sshd run
// by the suite), through the real CLI, with a real PostgreSQL server. The rules under test: a copy
// counts only once read back and its SHA-256 matched; restore from a copy works with the local file
// gone; a secret (connection string, SAS URL, SSH key or password) arrives on stdin or from its file
// and shows nowhere else (not argv, output, errors, or the catalogue); wrong credentials say so naming
// the destination; an altered copy fails verify --copies; an SFTP server's host key is pinned by the
// first test and a changed one is refused until accepted with destination edit --accept-host-key.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closeShop, openShop, rowCount, runCli, usePrivateTmpdir, type ShopFixture } from './support/holdfast-env.ts';
import { startAzurite, type AzureServer } from './support/azurite-server.ts';
import { startSshd, type SshServer } from './support/sshd-server.ts';
import { BlobServiceClient } from '@azure/storage-blob';

const privateTmp = usePrivateTmpdir();
const FILE_STORE = { HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'an-example-key-of-32-characters!!' };
const WRONG_PASSWORD = 'wrong-password-Hq7zW2';

let shop: ShopFixture;
let azure: AzureServer;
let sshd: SshServer;

beforeAll(async () => {
  [azure, sshd] = await Promise.all([startAzurite(), startSshd()]);
  shop = await openShop(500);
  shop.holdfast.close();
  Object.assign(shop.home.env, FILE_STORE);
  shop.holdfast = await shop.home.open();
}, 120_000);

afterAll(async () => {
  await closeShop(shop);
  await azure?.stop();
  await sshd?.stop();
  privateTmp.remove();
});

const cli = (args: string[], input?: string) => runCli(args, shop.home.env, input === undefined ? {} : { input });

/**
 * Every file of the Holdfast home, as text: the catalogue (and its WAL), the encrypted credentials
 * file, logs. Read by a child process: closing a descriptor of the catalogue in this process would
 * drop the engine's own SQLite locks on it (POSIX locks are per process).
 */
function homeText(): string {
  const files = readdirSync(shop.home.home, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
  return spawnSync('cat', files).stdout.toString('latin1');
}

/** backup --copy-to NAME through the CLI; the copy verified; the local file removed; restore --from NAME; equal row counts. */
async function roundTrip(destination: string): Promise<void> {
  const backedUp = await cli(['backup', 'shop', '--copy-to', destination, '--json']);
  expect(backedUp.code, backedUp.stderr).toBe(0);
  const backup = JSON.parse(backedUp.stdout) as { id: string; path: string; rowCounts: Record<string, number>; copies: Array<{ destination: string; state: string; error: string | null }> };
  expect(backup.copies.map((copy) => [copy.destination, copy.state, copy.error])).toEqual([[destination, 'verified', null]]);
  const verified = await cli(['verify', backup.id, '--copies']);
  expect(verified.code).toBe(0);
  expect(verified.stdout).toMatch(/All copies intact/);
  rmSync(backup.path);
  const dbname = `shop_from_${destination.replace(/-/g, '_')}`;
  const restored = await cli(['restore', backup.id, '--to', 'shop', '--dbname', dbname, '--create', '--from', destination]);
  expect(restored.stderr).not.toMatch(/holdfast: (?!backup|run)/);
  expect(restored.code).toBe(0);
  for (const table of ['users', 'orders']) expect(await rowCount(shop.server, dbname, `public.${table}`), `${dbname} ${table}`).toBe(backup.rowCounts[`public.${table}`]);
}

describe('azure', () => {
  test('added with --connection-string-stdin: the secret goes to the secret store only; destination test works; a round trip restores with the local file gone', async () => {
    const added = await cli(['destination', 'add', 'az', '--type', 'azure', '--container', azure.container, '--prefix', 'prod/db', '--connection-string-stdin'], azure.connectionString);
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(/az {2}azure {2}azure:\/\/holdfast-test\/prod\/db/);
    expect(added.stdout).toMatch(/a connection string in this host's secret store/);
    const tested = await cli(['destination', 'test', 'az']);
    expect(tested.stdout).toMatch(/Destination az works/);
    await roundTrip('az');
    expect(homeText()).not.toContain(azure.accountKey);
  }, 240_000);

  test('a container SAS URL works as the secret too', async () => {
    const sasUrl = await azure.containerSasUrl();
    const added = await cli(['destination', 'add', 'az-sas', '--type', 'azure', '--container', azure.container, '--prefix', 'sas', '--sas-url-stdin'], sasUrl);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/a SAS URL in this host's secret store/);
    expect((await cli(['destination', 'test', 'az-sas'])).stdout).toMatch(/Destination az-sas works/);
    const signature = new URL(sasUrl).searchParams.get('sig')!;
    expect(homeText()).not.toContain(signature);
  }, 60_000);

  test('wrong credentials: destination test and the copy say so, naming the destination; nothing secret printed', async () => {
    const wrongKey = Buffer.alloc(64, 7).toString('base64');
    const wrong = azure.connectionString.replace(azure.accountKey, wrongKey);
    expect((await cli(['destination', 'add', 'az-wrong', '--type', 'azure', '--container', azure.container, '--connection-string-stdin'], wrong)).code).toBe(0);
    const tested = await cli(['destination', 'test', 'az-wrong']);
    expect(tested.code).toBe(1);
    expect(tested.stderr).toMatch(/on destination "az-wrong" failed: .*(AuthorizationFailure|AuthenticationFailed|403)/);
    expect(tested.stderr).toMatch(/connection string or SAS URL/);
    const backedUp = await cli(['backup', 'shop', '--copy-to', 'az-wrong']);
    expect(backedUp.code).toBe(0);
    expect(backedUp.stdout).toMatch(/az-wrong failed: /);
    for (const output of [tested.stdout, tested.stderr, backedUp.stdout, backedUp.stderr]) {
      expect(output).not.toContain(wrongKey);
      expect(output).not.toContain(azure.accountKey);
    }
  }, 120_000);

  test('an altered blob: verify --copies fails naming that copy', async () => {
    const backup = await shop.holdfast.backup('shop', {}, { copyTo: ['az'] });
    expect(backup.copies?.[0]?.state).toBe('verified');
    const blob = BlobServiceClient.fromConnectionString(azure.connectionString).getContainerClient(azure.container).getBlockBlobClient(`prod/db/${backup.filename}`);
    const other = Buffer.concat([readFileSync(backup.path), Buffer.from('tampered')]);
    await blob.upload(other, other.length);
    const verified = await cli(['verify', backup.id, '--copies']);
    expect(verified.code).toBe(1);
    expect(verified.stdout, verified.stderr).toMatch(/az {2}failed: .* not the backup's/);
  }, 120_000);

  test('an upload whose bytes are not the expected ones leaves nothing under the key', async () => {
    const destination = await shop.holdfast.offsite.destinations.open('az');
    const body = Buffer.from('some bytes');
    await expect(destination.put('half.dump', Readable.from([body]), { sha256: createHash('sha256').update('other').digest('hex'), size: body.length })).rejects.toThrow(
      /does not match what was expected/,
    );
    expect(await destination.stat('half.dump')).toBeUndefined();
  });
});

describe('sftp', () => {
  test('the first destination test pins the host key (shown as OpenSSH prints it); before that no copy is sent', async () => {
    const added = await cli([
      'destination',
      'add',
      'box',
      '--type',
      'sftp',
      '--host',
      sshd.host,
      '--port',
      String(sshd.port),
      '--user',
      sshd.user,
      '--path',
      sshd.directory,
      '--key',
      sshd.clientKeyFile,
    ]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(/host key: not pinned yet/);
    expect(shop.holdfast.offsite.destinations.list().map((destination) => destination.name)).toContain('box');
    const unpinned = await shop.holdfast.backup('shop', {}, { copyTo: ['box'] });
    expect(unpinned.copies?.[0]).toMatchObject({ state: 'failed', error: expect.stringMatching(/host key is not pinned yet/) });
    const tested = await cli(['destination', 'test', 'box']);
    expect(tested.stderr).toBe('');
    expect(tested.stdout).toContain(`Pinned the server's host key ${sshd.hostKeyFingerprint()}`);
    expect((await cli(['destination', 'show', 'box'])).stdout).toContain(`host key: ${sshd.hostKeyFingerprint()}`);
    expect(homeText()).not.toContain(readFileSync(sshd.clientKeyFile, 'utf8').split('\n')[1]);
  }, 60_000);

  test('round trip: backup --copy-to, verify --copies, local file deleted, restore --from; no temp file left behind', async () => {
    await roundTrip('box');
    expect(readdirSync(sshd.directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 240_000);

  test('an upload whose bytes are not the expected ones leaves nothing under the final name, and no temp file', async () => {
    const destination = await shop.holdfast.offsite.destinations.open('box');
    const body = Buffer.from('some bytes');
    await expect(destination.put('half.dump', Readable.from([body]), { sha256: createHash('sha256').update('other').digest('hex'), size: body.length })).rejects.toThrow(
      /does not match what was expected/,
    );
    expect(readdirSync(sshd.directory).filter((name) => name.includes('half.dump'))).toEqual([]);
  });

  test('a wrong password: a clear error naming the destination; the password shows nowhere', async () => {
    const added = await cli(
      [
        'destination',
        'add',
        'box-pw',
        '--type',
        'sftp',
        '--host',
        sshd.host,
        '--port',
        String(sshd.port),
        '--user',
        sshd.user,
        '--path',
        sshd.directory,
        '--password-stdin',
        '--host-key',
        sshd.hostKeyFingerprint(),
      ],
      WRONG_PASSWORD,
    );
    expect(added.code).toBe(0);
    const tested = await cli(['destination', 'test', 'box-pw']);
    expect(tested.code).toBe(1);
    expect(tested.stderr).toMatch(/on destination "box-pw" failed: authentication failed/);
    expect(tested.stderr).toMatch(/--password-stdin/);
    expect(tested.stdout + tested.stderr).not.toContain(WRONG_PASSWORD);
    expect(homeText()).not.toContain(WRONG_PASSWORD);
  }, 60_000);

  test('a changed host key is refused with what to do; accepted with destination edit --accept-host-key, it works again', async () => {
    const old = sshd.hostKeyFingerprint();
    await sshd.changeHostKey();
    const changed = sshd.hostKeyFingerprint();
    expect(changed).not.toBe(old);
    const tested = await cli(['destination', 'test', 'box']);
    expect(tested.code).toBe(1);
    expect(tested.stderr).toContain(`offered host key ${changed}, but ${old} is pinned`);
    expect(tested.stderr).toContain(`holdfast destination edit box --accept-host-key ${changed}`);
    const backup = await shop.holdfast.backup('shop', {}, { copyTo: ['box'] });
    expect(backup.copies?.[0]).toMatchObject({ state: 'failed', error: expect.stringMatching(/offered host key/) });

    const malformed = await cli(['destination', 'edit', 'box', '--accept-host-key', 'SHA256:not-a-fingerprint']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/a host key fingerprint looks like SHA256:/);
    const edited = await cli(['destination', 'edit', 'box', '--accept-host-key', changed]);
    expect(edited.stderr).toBe('');
    expect(edited.stdout).toContain(`host key: ${changed}`);
    const again = await cli(['destination', 'test', 'box']);
    expect(again.stdout).toContain(`Host key ${changed} matches the pinned one.`);
  }, 120_000);
});

describe('destination edit', () => {
  test('changes a setting and rotates the secret from stdin; the other settings stay', async () => {
    const rotated = await cli(['destination', 'edit', 'az-wrong', '--connection-string-stdin'], azure.connectionString);
    expect(rotated.stderr).toBe('');
    expect((await cli(['destination', 'test', 'az-wrong'])).code).toBe(0);
    const moved = await cli(['destination', 'edit', 'az-wrong', '--prefix', 'moved', '--json']);
    expect(JSON.parse(moved.stdout)).toMatchObject({ name: 'az-wrong', type: 'azure', settings: { container: azure.container, prefix: 'moved', credential: 'connection-string' }, hasSecret: true });
    const refused = await cli(['destination', 'edit', 'az-wrong', '--bucket', 'nope']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/bucket/);
    expect((await cli(['destination', 'edit', 'nowhere', '--prefix', 'x'])).stderr).toMatch(/No destination named "nowhere"/);
  }, 60_000);
});
