// GET /api/backup/:filename/download: a backup and its roles file streamed from storage, their
// SHA-256 the catalogue's; only for a signed-in admin and only for names the catalogue has.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import { contentDisposition } from '../main/core/storage/download.ts';
import { startServer, type RunningServer } from '../main/serve/server.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, profileFor, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let http: RunningServer;
let backup: BackupMetadata;

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(100));
  backup = await holdfast.backup('shop', {});
  http = await startServer(holdfast);
}, 120_000);
afterAll(async () => {
  await http?.close();
  await closeShop({ server, home, holdfast });
});

const download = (filename: string, query = '', token = http.token) =>
  fetch(`http://127.0.0.1:${http.port}/api/backup/${encodeURIComponent(filename)}/download${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

/** The body's SHA-256, read chunk by chunk as it arrives. */
async function sha256Of(response: Response): Promise<{ checksum: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { checksum: `sha256:${hash.digest('hex')}`, bytes };
}

describe('backup download', () => {
  test("the backup streams with its name as an attachment, and its SHA-256 is the catalogue's", async () => {
    const response = await download(backup.filename);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-disposition')).toContain(`filename="${backup.filename}"`);
    expect(response.headers.get('content-length')).toBe(String(backup.size));
    expect(response.headers.get('x-holdfast-checksum')).toBe(backup.checksum);
    expect(await sha256Of(response)).toEqual({ checksum: backup.checksum, bytes: backup.size });
  });

  test("its roles file too, with the roles file's checksum", async () => {
    expect(backup.globals.filename).not.toBeNull();
    const response = await download(backup.filename, '?part=roles');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain(`filename="${backup.globals.filename}"`);
    expect((await sha256Of(response)).checksum).toBe(backup.globals.checksum);
  });

  test('refused: no token (401), a name the catalogue does not have, "../" included (404), an unknown part (400)', async () => {
    expect((await download(backup.filename, '', '')).status).toBe(401);
    expect((await download('../catalogue.db')).status).toBe(404);
    expect((await download('nope.dump')).status).toBe(404);
    expect((await download(backup.filename, '?part=secrets')).status).toBe(400);
  });

  test("an admin cannot choose who a backup is encrypted to: REST's encryptTo needs the raised role /api/rpc needs", async () => {
    const admin = holdfast.addUser('downloader', 'admin').token;
    const create = (token: string, encryptTo: unknown) =>
      fetch(`http://127.0.0.1:${http.port}/api/backup/create`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ profile: 'shop', encryptTo }),
      });
    const before = holdfast.list({ profile: 'shop', all: true }).length;
    // "none" (plaintext, then a download) or the admin's own recipient would hand the admin the data.
    const refused = await create(admin, 'none');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ success: false, error: { code: 'FORBIDDEN' } });
    expect(holdfast.list({ profile: 'shop', all: true }).length).toBe(before);
    // The owner (a super-admin) may.
    expect((await create(http.token, 'none')).status).toBe(201);
  }, 60_000);

  test('a backup whose name is longer than 100 characters (a 64-character profile, a suffix) downloads, verifies and pins; a longer name than any file is refused by Holdfast, not by the router', async () => {
    const profile = 'p'.repeat(64);
    await holdfast.addProfile(profileFor(server, profile, 'shop'));
    const long = await holdfast.backup(profile, { suffix: 'nightly-full-before-migration' });
    expect(long.filename.length).toBeGreaterThan(100);
    const response = await download(long.filename);
    expect(response.status).toBe(200);
    expect(await sha256Of(response)).toEqual({ checksum: long.checksum, bytes: long.size });
    const post = (path: string, body: unknown) =>
      fetch(`http://127.0.0.1:${http.port}/api/backup/${encodeURIComponent(long.filename)}/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${http.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('pin', { pinned: true })).status).toBe(200);
    expect((await post('verify', {})).status).toBe(200);
    // Past any file name: the route's own schema answers, with the server's headers, after the token is checked.
    const tooLong = await download('a'.repeat(300));
    expect(tooLong.status).toBe(400);
    expect(tooLong.headers.get('content-security-policy')).not.toBeNull();
    expect(await tooLong.json()).toMatchObject({ success: false, error: { code: 'BAD_INPUT' } });
    expect((await download('a'.repeat(300), '', '')).status).toBe(401);
  }, 60_000);

  test('Content-Disposition keeps any name safe: an ASCII fallback without quotes, and the exact name encoded', () => {
    expect(contentDisposition('a"b\\c é.dump')).toBe(`attachment; filename="a_b_c _.dump"; filename*=UTF-8''a%22b%5Cc%20%C3%A9.dump`);
  });
});
