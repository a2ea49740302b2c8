// POST /api/backup/import/upload: a dump picked in a browser, streamed to `holdfast serve` and imported
// as `holdfast import` imports a path — checked, catalogued, marked imported, pinned. A non-dump, a
// hostile name, a cut upload or a caller without the role stores nothing, and no temp is left behind.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { startServer, type RunningServer } from '../main/serve/server.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, waitFor, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let http: RunningServer;
let elsewhere: string;
let dump: Buffer;

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(200));
  http = await startServer(holdfast);
  elsewhere = mkdtempSync(join(tmpdir(), 'holdfast-upload-'));
  const file = join(elsewhere, 'nightly.dump');
  execFileSync(join(server.binDir, 'pg_dump'), ['-Fc', '-f', file, '-h', server.host, '-p', String(server.port), '-U', server.user, 'shop'], { stdio: ['ignore', 'ignore', 'pipe'] });
  dump = readFileSync(file);
}, 120_000);
afterAll(async () => {
  rmSync(elsewhere, { recursive: true, force: true });
  await http?.close();
  await closeShop({ server, home, holdfast });
});

const upload = (body: Buffer, query: Record<string, string>, token = http.token) =>
  fetch(`http://127.0.0.1:${http.port}/api/backup/import/upload?${new URLSearchParams(query).toString()}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(body),
  });

/** What a refused upload must not leave: files in BACKUP_DIR (the upload's temp included), backups, runs. */
function traces() {
  const backupDir = holdfast.config.backupDir;
  return {
    files: existsSync(backupDir) ? readdirSync(backupDir).sort() : [],
    backups: holdfast.catalogue.listBackups({}).length,
    runs: holdfast.catalogue.db.prepare('SELECT COUNT(*) FROM runs').pluck().get(),
  };
}

async function expectRefused(response: Response, status: number, message: RegExp): Promise<void> {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { success: boolean; error: { message: string; hint?: string } };
  expect(body.success).toBe(false);
  expect(body.error.message).toMatch(message);
  expect(body.error.hint).toEqual(expect.any(String));
}

describe('import by upload', () => {
  test('a non-dump is refused naming what it looks like, and stores nothing', async () => {
    const before = traces();
    await expectRefused(await upload(Buffer.from('just some notes\n'), { profile: 'shop', name: 'notes.txt' }), 400, /^notes\.txt is not a pg_dump output/);
    expect(traces()).toEqual(before);
  });

  test('a hostile file name is refused before a byte is written', async () => {
    const before = traces();
    for (const name of ['../../catalogue.db', 'a/b.dump', 'new\nline.dump', '..']) {
      await expectRefused(await upload(dump, { profile: 'shop', name }), 400, /name/);
    }
    expect(traces()).toEqual(before);
  });

  test('a truncated dump is refused as incomplete, and stores nothing', async () => {
    const before = traces();
    await expectRefused(await upload(dump.subarray(0, Math.floor(dump.length / 2)), { profile: 'shop', name: 'half.dump' }), 400, /^upload of half\.dump is not a complete custom-format dump/);
    expect(traces()).toEqual(before);
  });

  test('an admin is refused: importing needs the role backup.import needs (super-admin)', async () => {
    const admin = holdfast.addUser('uploader', 'admin').token;
    const before = traces();
    await expectRefused(await upload(dump, { profile: 'shop', name: 'nightly.dump' }, admin), 403, /needs a super-admin/);
    expect(traces()).toEqual(before);
  });

  test('an upload cut off mid-way is removed, and nothing is recorded', async () => {
    const before = traces();
    await new Promise<void>((resolve) => {
      const query = new URLSearchParams({ profile: 'shop', name: 'cut.dump' }).toString();
      const req = httpRequest({
        host: '127.0.0.1',
        port: http.port,
        method: 'POST',
        path: `/api/backup/import/upload?${query}`,
        headers: { authorization: `Bearer ${http.token}`, 'content-type': 'application/octet-stream', 'content-length': String(dump.length) },
      });
      req.on('error', () => resolve());
      req.write(dump.subarray(0, 1000), () => setTimeout(() => (req.destroy(), resolve()), 300));
    });
    await waitFor('the cut upload to be cleaned up', () => (JSON.stringify(traces()) === JSON.stringify(before) ? true : undefined));
  });

  test('a real pg_dump file is imported: listed as imported from the upload, pinned, its bytes intact', async () => {
    const modified = Date.parse('2026-11-30T02:00:00Z');
    const response = await upload(dump, { profile: 'shop', name: 'nightly.dump', modified: String(modified) });
    expect(response.status).toBe(201);
    const { data } = (await response.json()) as {
      data: { id: string; filename: string; path: string; checksum: string; pinned: boolean; timestamp: string; imported: { from: string }; pgRestore: { status: string } };
    };
    expect(data.imported.from).toBe('upload of nightly.dump');
    expect(data.pinned).toBe(true);
    expect(data.pgRestore.status).toBe('ok');
    expect(data.timestamp).toBe(new Date(modified).toISOString());
    expect(data.checksum).toBe(`sha256:${createHash('sha256').update(dump).digest('hex')}`);
    expect(statSync(data.path).size).toBe(dump.length);
    expect(holdfast.list({ profile: 'shop' }).map((b) => b.id)).toContain(data.id);
    // The upload's private directory went with the move.
    expect(readdirSync(holdfast.config.backupDir).filter((name) => name.includes('upload'))).toEqual([]);
    expect((await holdfast.verify(data.id)).valid).toBe(true);

    // The same bytes again: refused as already catalogued, and nothing more stored.
    const before = traces();
    await expectRefused(await upload(dump, { profile: 'shop', name: 'again.dump' }), 409, /already in the catalogue/);
    expect(traces()).toEqual(before);
  });
});
