import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BackupMetadata } from '../core/model/types.ts';
import { registerAppProtocol } from './app-protocol.ts';
import { downloadRequest, saveDialogOptions, serveBackupDownload } from './backup-download.ts';
import { openTempHoldfast, type TempHoldfast } from './test-support.ts';

// A real catalogued backup without a server: pg_dump 18's fixture, imported into a throwaway home.
const FIXTURE = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'pg18', 'custom-gzip.dump');

let temp: TempHoldfast;
let elsewhere: string;
let backup: BackupMetadata;

beforeAll(async () => {
  temp = await openTempHoldfast();
  elsewhere = mkdtempSync(join(tmpdir(), 'holdfast-download-'));
  copyFileSync(FIXTURE, join(elsewhere, 'fixture.dump'));
  await temp.holdfast.addProfile({ name: 'shop', host: '127.0.0.1', port: 5432, user: 'postgres', dbname: 'shop' });
  backup = await temp.holdfast.importDump({ file: join(elsewhere, 'fixture.dump'), profile: 'shop' });
});

afterAll(() => {
  temp.close();
  rmSync(elsewhere, { recursive: true, force: true });
});

describe('downloadRequest', () => {
  test('reads the download link the renderer follows, with its part', () => {
    expect(downloadRequest('holdfast://app/api/backup/backup-x.dump/download')).toEqual({ filename: 'backup-x.dump', part: 'backup' });
    expect(downloadRequest('holdfast://app/api/backup/backup-x.dump/download?part=roles')).toEqual({ filename: 'backup-x.dump', part: 'roles' });
    expect(downloadRequest(`holdfast://app/api/backup/${encodeURIComponent('backup-é x.dump')}/download`)).toEqual({ filename: 'backup-é x.dump', part: 'backup' });
  });

  test('is null for everything else: the renderer files, other origins, other parts, nested paths', () => {
    for (const url of [
      'holdfast://app/',
      'holdfast://app/assets/app.js',
      'holdfast://other/api/backup/x/download',
      'https://app/api/backup/x/download',
      'holdfast://app/api/backup/x/download?part=secrets',
      'holdfast://app/api/backup/a/b/download',
      'holdfast://app/api/backup/%E0%A4%A/download',
      'not a url',
    ])
      expect(downloadRequest(url)).toBeNull();
  });
});

describe('serveBackupDownload', () => {
  test("streams the stored bytes as an attachment: their SHA-256 is the catalogue's", async () => {
    const response = await serveBackupDownload(temp.holdfast, { filename: backup.filename, part: 'backup' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Disposition')).toBe(`attachment; filename="${backup.filename}"; filename*=UTF-8''${backup.filename}`);
    expect(response.headers.get('Content-Length')).toBe(String(backup.size));
    expect(response.headers.get('X-Holdfast-Checksum')).toBe(backup.checksum);
    // A stream, not a buffer read up front.
    expect(response.body).toBeInstanceOf(ReadableStream);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(backup.checksum);
    expect(bytes.equals(readFileSync(FIXTURE))).toBe(true);
  });

  test('a name not in the catalogue (a path among them) touches no file: 404 with the engine error', async () => {
    for (const filename of ['backup-nope.dump', '../../../etc/passwd']) {
      const response = await serveBackupDownload(temp.holdfast, { filename, part: 'backup' });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
    }
  });

  test('a backup without a roles file (an imported one) says so', async () => {
    const response = await serveBackupDownload(temp.holdfast, { filename: backup.filename, part: 'roles' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND', message: expect.stringContaining('has no roles file') } });
  });

  test('through the app protocol: a download link is answered by the route, every other URL by the renderer files', async () => {
    const handlers: Array<(request: Request) => Response | Promise<Response>> = [];
    const root = mkdtempSync(join(tmpdir(), 'holdfast-renderer-'));
    try {
      registerAppProtocol({ handle: (_scheme, handler) => handlers.push(handler) }, root, (url) => {
        const wanted = downloadRequest(url);
        return wanted ? serveBackupDownload(temp.holdfast, wanted) : undefined;
      });
      const served = await handlers[0]!(new Request(`holdfast://app/api/backup/${encodeURIComponent(backup.filename)}/download`));
      expect(served.headers.get('X-Holdfast-Checksum')).toBe(backup.checksum);
      await served.body?.cancel();
      expect((await handlers[0]!(new Request('holdfast://app/missing.js'))).status).toBe(404);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

test('the save dialog offers the backup under its own name in the downloads folder', () => {
  expect(saveDialogOptions('backup-x.dump', '/home/dba/Downloads')).toEqual({ title: 'Save backup', defaultPath: '/home/dba/Downloads/backup-x.dump', buttonLabel: 'Save' });
});
