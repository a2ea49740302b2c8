// Named destinations against real media: s3rver on loopback and real directories. s3rver checks
// that an access key id exists but does not check SigV4 signatures, so the wrong-credentials case
// here is a wrong key id (InvalidAccessKeyId), sent with a secret that must not show anywhere. The rules under test: a
// secret key lives in this host's secret store and nowhere else (not the catalogue, not argv, not
// output, not an error); `destination test` says clearly what is wrong; an S3 put leaves nothing
// under its key unless the bytes read back match; BACKUP_REMOTE_BUCKET defines "remote".
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { S3Settings } from '../main/core/storage/destination-settings.ts';
import { S3Destination } from '../main/core/storage/s3-destination.ts';
import { makeHome, runCli, usePrivateTmpdir, type TestHome } from './support/holdfast-env.ts';
import { removeS3Server, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, startS3Server, type S3Server } from './support/s3-server.ts';
import { filesUnder } from './support/files.ts';

const privateTmp = usePrivateTmpdir();
const FILE_STORE = { HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'an-example-key-of-32-characters!!' };
const WRONG_SECRET = 'wrong-secret-Zq9xV7';

let s3: S3Server;
let home: TestHome;
let holdfast: Holdfast;
let nas: string;

beforeAll(async () => {
  s3 = await startS3Server();
  home = makeHome(FILE_STORE);
  holdfast = await home.open();
  nas = mkdtempSync(join(tmpdir(), 'holdfast-nas-'));
});

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await removeS3Server(s3);
  rmSync(nas, { recursive: true, force: true });
  privateTmp.remove();
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const s3Settings = (extra: Partial<S3Settings> = {}): S3Settings => ({
  bucket: s3.bucket,
  region: 'us-east-1',
  endpoint: s3.endpoint,
  pathStyle: true,
  prefix: 'team/db',
  accessKeyId: S3_ACCESS_KEY_ID,
  ...extra,
});
const s3Spec = (extra: Partial<S3Settings> = {}) => ({ type: 's3' as const, settings: s3Settings(extra) });

describe('directory destinations', () => {
  test('added, tested (probe written, read back, removed) and listed', async () => {
    await holdfast.offsite.destinations.add({ name: 'nas', spec: { type: 'directory', settings: { path: nas } } });
    const report = await holdfast.offsite.destinations.test('nas');
    expect(report).toMatchObject({ name: 'nas', type: 'directory', where: nas, ok: true });
    expect(readdirSync(nas)).toEqual([]);
    expect(holdfast.offsite.destinations.list().map((d) => d.name)).toContain('nas');
  });

  test('a root that does not exist (an unmounted share) is refused, not created', async () => {
    const gone = join(nas, 'not-mounted');
    await holdfast.offsite.destinations.add({ name: 'gone', spec: { type: 'directory', settings: { path: gone } } });
    await expect(holdfast.offsite.destinations.test('gone')).rejects.toThrow(/is not a directory that exists/);
    expect(readdirSync(nas)).toEqual([]);
  });

  test('BACKUP_DIR itself, a relative path, a reserved name or a duplicate are refused with the reason', async () => {
    await expect(holdfast.offsite.destinations.add({ name: 'same', spec: { type: 'directory', settings: { path: holdfast.config.backupDir } } })).rejects.toThrow(/BACKUP_DIR itself/);
    const viaCli = await runCli(['destination', 'add', 'rel', '--type', 'directory', '--path', 'relative/dir'], home.env);
    expect(viaCli.code).toBe(2);
    expect(viaCli.stderr).toMatch(/absolute path/);
    const reserved = await runCli(['destination', 'add', 'local', '--type', 'directory', '--path', nas], home.env);
    expect(reserved.stderr).toMatch(/BACKUP_DIR's own name/);
    await expect(holdfast.offsite.destinations.add({ name: 'nas', spec: { type: 'directory', settings: { path: nas } } })).rejects.toThrow(/already exists/);
  });
});

describe('S3 destinations (s3rver on loopback)', () => {
  test('the secret goes in on stdin, to the secret store only; test passes; remove forgets the secret', async () => {
    const added = await runCli(
      [
        'destination',
        'add',
        'bucket',
        '--type',
        's3',
        '--bucket',
        s3.bucket,
        '--prefix',
        '/team/db/',
        '--endpoint',
        s3.endpoint,
        '--path-style',
        '--access-key-id',
        S3_ACCESS_KEY_ID,
        '--secret-access-key-stdin',
        '--json',
      ],
      home.env,
      { input: `${S3_SECRET_ACCESS_KEY}\n` },
    );
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'bucket', type: 's3', hasSecret: true, settings: { prefix: 'team/db', pathStyle: true } });
    const tested = await runCli(['destination', 'test', 'bucket'], home.env);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/Destination bucket works: s3:\/\/holdfast-test\/team\/db/);
    // The secret is in the credentials file (encrypted) and nowhere readable under HOLDFAST_HOME.
    for (const file of filesUnder(home.home)) expect(readFileSync(file).includes(Buffer.from(S3_SECRET_ACCESS_KEY)), `${file} holds the secret`).toBe(false);
    const secretRow = holdfast.catalogue.db.prepare(`SELECT settings FROM destinations WHERE name = 'bucket'`).pluck().get() as string;
    expect(secretRow).not.toContain('secret');
    const id = holdfast.catalogue.db.prepare(`SELECT id FROM destinations WHERE name = 'bucket'`).pluck().get() as string;
    expect(await holdfast.secrets.get(`destination:${id}`)).toBe(S3_SECRET_ACCESS_KEY);
    const removed = await runCli(['destination', 'remove', 'bucket'], home.env);
    expect(removed.stdout).toMatch(/Removed destination bucket and its secret/);
    expect(holdfast.catalogue.db.prepare(`SELECT count(*) FROM destinations WHERE name = 'bucket'`).pluck().get()).toBe(0);
    expect(await holdfast.secrets.get(`destination:${id}`)).toBeUndefined();
  });

  test("wrong credentials: destination test fails with the service's reason and a hint, and prints nothing secret", async () => {
    const added = await runCli(
      ['destination', 'add', 'wrongkey', '--type', 's3', '--bucket', s3.bucket, '--endpoint', s3.endpoint, '--path-style', '--access-key-id', 'NOSUCHKEY', '--secret-access-key-stdin'],
      home.env,
      {
        input: WRONG_SECRET,
      },
    );
    expect(added.code).toBe(0);
    const tested = await runCli(['destination', 'test', 'wrongkey'], home.env);
    expect(tested.code).toBe(1);
    expect(tested.stderr).toMatch(/(AccessDenied|InvalidAccessKeyId) \(HTTP 403\)/);
    expect(tested.stderr).toMatch(/hint: Check the access key id and secret access key of destination "wrongkey"/);
    expect(`${tested.stdout}${tested.stderr}${added.stdout}${added.stderr}`).not.toContain(WRONG_SECRET);
  });

  test('a secret without its key id (or the reverse) is refused; an empty stdin is refused', async () => {
    await expect(
      holdfast.offsite.destinations.add({ name: 'half', spec: { type: 's3', settings: { bucket: s3.bucket, region: 'us-east-1', prefix: '', pathStyle: true } }, secretAccessKey: 'x' }),
    ).rejects.toThrow(/together/);
    const empty = await runCli(['destination', 'add', 'empty', '--type', 's3', '--bucket', s3.bucket, '--access-key-id', 'A', '--secret-access-key-stdin'], home.env, { input: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/read nothing from standard input/);
  });

  test('an unreachable endpoint says so', async () => {
    await holdfast.offsite.destinations.add({ name: 'nowhere', spec: s3Spec({ endpoint: 'http://127.0.0.1:9' }), secretAccessKey: S3_SECRET_ACCESS_KEY });
    await expect(holdfast.offsite.destinations.test('nowhere')).rejects.toThrow(/destination "nowhere" failed: .*ECONNREFUSED/);
  });

  test('put streams a multipart object and reads it back; bytes that are not the expected ones leave nothing under the key', async () => {
    const destination = new S3Destination('direct', s3Settings(), { accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY });
    try {
      const big = Buffer.alloc(19 * 1024 * 1024 + 17, 7); // three parts of 8 MB
      await destination.put('big/file.dump', Readable.from([big]), { sha256: sha256(big), size: big.length });
      expect(await destination.stat('big/file.dump')).toEqual({ kind: 'file', size: big.length });
      expect(await destination.list('big')).toEqual([{ key: 'big/file.dump', kind: 'file' }]);
      expect(await destination.list('')).toContainEqual({ key: 'big', kind: 'tree' });
      const copy = await destination.localFile('big/file.dump');
      expect(sha256(readFileSync(copy.path))).toBe(sha256(big));
      await copy.release();
      await expect(destination.put('big/file.dump', Readable.from([big]), { sha256: sha256(big), size: big.length })).rejects.toThrow(/already exists/);

      await expect(destination.put('bad/small.dump', Readable.from([Buffer.from('abc')]), { sha256: sha256(Buffer.from('abd')), size: 3 })).rejects.toThrow(/does not match/);
      await expect(destination.put('bad/big.dump', Readable.from([big]), { sha256: sha256(Buffer.from('other')), size: big.length })).rejects.toThrow(/does not match/);
      expect(await destination.stat('bad/small.dump')).toBeUndefined();
      expect(await destination.stat('bad/big.dump')).toBeUndefined();
      await destination.remove('big/file.dump');
      expect(await destination.stat('big/file.dump')).toBeUndefined();
    } finally {
      destination.destroy();
    }
  });
});

describe('S3 upload options', () => {
  test('--storage-class and --sse are sent on every upload (s3rver keeps the storage class; an unknown one is refused by the service, named)', async () => {
    const added = await runCli(
      [
        'destination',
        'add',
        'cold',
        '--type',
        's3',
        '--bucket',
        s3.bucket,
        '--prefix',
        'cold',
        '--endpoint',
        s3.endpoint,
        '--path-style',
        '--access-key-id',
        S3_ACCESS_KEY_ID,
        '--secret-access-key-stdin',
        '--storage-class',
        'STANDARD_IA',
        '--sse',
        'AES256',
      ],
      home.env,
      { input: S3_SECRET_ACCESS_KEY },
    );
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(/uploads: storage class STANDARD_IA, server-side encryption AES256/);
    const destination = new S3Destination('cold', s3Settings({ prefix: 'cold', storageClass: 'STANDARD_IA', sse: 'AES256' }), { accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY });
    const refusing = new S3Destination('odd', s3Settings({ prefix: 'odd', storageClass: 'NO_SUCH_CLASS' }), { accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY });
    try {
      const body = Buffer.from('cold bytes');
      await destination.put('a.dump', Readable.from([body]), { sha256: sha256(body), size: body.length });
      const head = await fetch(`${s3.endpoint}/${s3.bucket}/cold/a.dump`, { method: 'HEAD' });
      expect(head.headers.get('x-amz-storage-class')).toBe('STANDARD_IA');
      await expect(refusing.put('b.dump', Readable.from([body]), { sha256: sha256(body), size: body.length })).rejects.toThrow(/on destination "odd" failed: InvalidStorageClass/);
      expect(await refusing.stat('b.dump')).toBeUndefined();
    } finally {
      destination.destroy();
      refusing.destroy();
    }
    const kmsWithoutSse = await runCli(['destination', 'edit', 'cold', '--sse-kms-key-id', 'alias/backups'], home.env);
    expect(kmsWithoutSse.code).toBe(2);
    expect(kmsWithoutSse.stderr).toMatch(/a KMS key id \(--sse-kms-key-id\) goes with --sse aws:kms/);
    const kms = await runCli(['destination', 'edit', 'cold', '--sse', 'aws:kms', '--sse-kms-key-id', 'alias/backups', '--json'], home.env);
    expect(JSON.parse(kms.stdout).settings).toMatchObject({ storageClass: 'STANDARD_IA', sse: 'aws:kms', sseKmsKeyId: 'alias/backups' });
  });
});

describe('S3 put interrupted', () => {
  test('the service stops mid-multipart: put fails saying so, and nothing appears under the key once it is back', async () => {
    const destination = new S3Destination('direct', s3Settings(), { accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY });
    const part = Buffer.alloc(8 * 1024 * 1024, 3);
    const whole = Buffer.concat([part, part, part, part]);
    let sent = 0;
    // Four parts; the server stops once two have been handed to the upload.
    const source = new Readable({
      read() {
        if (sent === 2) void s3.stop();
        if (sent === 4) return void this.push(null);
        sent += 1;
        setTimeout(() => this.push(part), sent > 2 ? 300 : 0);
      },
    });
    try {
      await expect(destination.put('cut/file.dump', source, { sha256: sha256(whole), size: whole.length })).rejects.toThrow(
        /Uploading s3:\/\/.*cut\/file\.dump .* failed: .*(ECONNREFUSED|socket hang up|ECONNRESET|EPIPE)/,
      );
    } finally {
      await s3.start();
    }
    expect(await destination.stat('cut/file.dump')).toBeUndefined();
    destination.destroy();
  }, 60_000);
});

describe('BACKUP_REMOTE_BUCKET', () => {
  test('defines the destination "remote" from the environment, and it works', async () => {
    const env = {
      BACKUP_REMOTE_BUCKET: `s3://${s3.bucket}/from-env`,
      AWS_ACCESS_KEY_ID: S3_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: S3_SECRET_ACCESS_KEY,
      AWS_ENDPOINT_URL: s3.endpoint,
      AWS_S3_FORCE_PATH_STYLE: 'true',
    };
    const listed = await runCli(['destination', 'list', '--json'], { ...home.env, ...env });
    expect(JSON.parse(listed.stdout)).toContainEqual(expect.objectContaining({ name: 'remote', source: 'environment', settings: expect.objectContaining({ bucket: s3.bucket, prefix: 'from-env' }) }));
    expect(listed.stdout).not.toContain(S3_SECRET_ACCESS_KEY);
    const tested = await runCli(['destination', 'test', 'remote'], { ...home.env, ...env });
    expect(tested.stdout).toMatch(/Destination remote works: s3:\/\/holdfast-test\/from-env/);
    const bad = await runCli(['destination', 'list'], { ...home.env, BACKUP_REMOTE_BUCKET: 'https://not-s3' });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/BACKUP_REMOTE_BUCKET="https:\/\/not-s3" is not valid/);
  });
});
