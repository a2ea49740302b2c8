// pg_restore --list of an archive that streamed by once (an encrypted backup's verify): read from the
// head kept during the pass, and from a second pass only when the table of contents ran past it.
// A real pg_dump archive, a real pg_restore.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { HeadCapture, listTableOfContents } from '../main/core/verify/toc-listing.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';

let server: PgServer;
let archive: Buffer;
const scratch = mkdtempSync(join(tmpdir(), 'holdfast-toc-listing-'));

beforeAll(async () => {
  server = await startPgServer();
  await server.query('CREATE DATABASE shop');
  await server.query(`CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders SELECT g, md5(g::text) FROM generate_series(1, 20000) g;`, 'shop');
  const file = join(scratch, 'shop.dump');
  const dumped = spawnSync(join(server.binDir, 'pg_dump'), ['-Fc', '-h', server.host, '-p', String(server.port), '-U', server.user, '-f', file, 'shop']);
  expect(dumped.status, dumped.stderr.toString()).toBe(0);
  archive = readFileSync(file);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const pgRestore = () => join(server.binDir, 'pg_restore');

async function headOf(bytes: Buffer, limit: number): Promise<HeadCapture> {
  const head = new HeadCapture(limit);
  // In pieces, as a decryption hands them over.
  await pipeline(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), head);
  return head;
}

test('a table of contents inside the kept head is listed from it, without a second pass', async () => {
  const head = await headOf(archive, 1024 * 1024);
  let passes = 0;
  const listed = await listTableOfContents(pgRestore(), head, 30_000, async () => {
    passes += 1;
  });
  expect(listed.exitCode, listed.stderr).toBe(0);
  expect(passes).toBe(0);
});

test('a table of contents longer than the kept head is read from a second pass, not reported broken', async () => {
  const head = await headOf(archive, 200);
  expect(head.overflowed).toBe(true);
  let passes = 0;
  const listed = await listTableOfContents(pgRestore(), head, 30_000, async (sink: Writable) => {
    passes += 1;
    await pipeline(Readable.from([archive]), sink);
  });
  expect(listed.exitCode, listed.stderr).toBe(0);
  expect(passes).toBe(1);
});

test('an archive cut inside its table of contents fails: whole in the head, no second pass can help', async () => {
  const cut = archive.subarray(0, 300);
  const head = await headOf(cut, 1024 * 1024);
  expect(head.overflowed).toBe(false);
  let passes = 0;
  const listed = await listTableOfContents(pgRestore(), head, 30_000, async () => {
    passes += 1;
  });
  expect(listed.exitCode).not.toBe(0);
  expect(passes).toBe(0);
});

test('a second pass that fails ends the stream, so pg_restore reports the archive short instead of waiting for it', async () => {
  const head = await headOf(archive, 200);
  const listed = await listTableOfContents(pgRestore(), head, 30_000, async (sink: Writable) => {
    sink.write(archive.subarray(0, 300));
    throw new Error('the backup did not decrypt');
  });
  expect(listed.exitCode).not.toBe(0);
  expect(listed.stoppedBecause).toBeUndefined();
});
