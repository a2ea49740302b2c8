// pg_restore --list of an archive that streams by once (an encrypted backup's verify): pg_restore
// starts with the pass and reads copies of the plaintext from a feed as it arrives, and the feed drops
// the rest once pg_restore has stopped reading. A real pg_dump archive, a real pg_restore.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readCustom } from '../main/core/archive/custom.ts';
import { bufferSource } from '../main/core/archive/source.ts';
import { lend } from '../main/core/fsutil/lent-buffers.ts';
import { ListingFeed, listFrom } from '../main/core/verify/toc-listing.ts';
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

/** Pids whose parent is `parent` (Linux /proc). */
function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return /^\d+$/.test(entry) && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Writes `bytes` into the feed in 64 KiB pieces, each a buffer of its own, as a decryption hands them over. */
async function passThrough(feed: ListingFeed, bytes: Buffer, pieces: Buffer[] = []): Promise<void> {
  for (let at = 0; at < bytes.length; at += 64 * 1024) pieces.push(Buffer.from(bytes.subarray(at, at + 64 * 1024)));
  await pipeline(Readable.from(pieces), feed);
}

test('pg_restore lists an archive fed to it as it passes, and the pass frees its own buffers as it goes', async () => {
  const feed = new ListingFeed();
  const listing = listFrom(pgRestore(), feed, 30_000);
  const pieces: Buffer[] = [];
  for (let at = 0; at < archive.length; at += 64 * 1024) {
    const piece = Buffer.from(archive.subarray(at, at + 64 * 1024));
    if (piece.length === 64 * 1024) lend(piece, 1);
    pieces.push(piece);
  }
  await passThrough(feed, Buffer.alloc(0), pieces);
  const listed = await listing;
  expect(listed.exitCode, listed.stderr).toBe(0);
  // pg_restore read copies: every whole piece the pass lent was freed once handed over.
  expect(pieces.filter((piece) => piece.length === 0).length).toBe(Math.floor(archive.length / (64 * 1024)));
});

test('once pg_restore has read the table of contents, the rest of a long pass is dropped, never waited for', async () => {
  const feed = new ListingFeed(256 * 1024);
  const listing = listFrom(pgRestore(), feed, 30_000);
  // The archive, then far more than the feed may hold: pg_restore stops reading after the table of contents.
  const [listed] = await Promise.all([listing, passThrough(feed, Buffer.concat([archive, Buffer.alloc(8 * 1024 * 1024)]))]);
  expect(listed.exitCode, listed.stderr).toBe(0);
});

test('an archive cut inside its table of contents fails', async () => {
  const feed = new ListingFeed();
  const listing = listFrom(pgRestore(), feed, 30_000);
  await passThrough(feed, archive.subarray(0, 300));
  const listed = await listing;
  expect(listed.exitCode).not.toBe(0);
});

test('a pass that fails ends the feed, so pg_restore reports the archive short instead of waiting for it', async () => {
  const feed = new ListingFeed();
  const listing = listFrom(pgRestore(), feed, 30_000);
  feed.write(archive.subarray(0, 300));
  feed.end();
  const listed = await listing;
  expect(listed.exitCode).not.toBe(0);
  expect(listed.stoppedBecause).toBeUndefined();
});

test('a pass that fails mid-file leaves no pg_restore behind, and none was forked by this process', async () => {
  const feed = new ListingFeed();
  const listing = listFrom(pgRestore(), feed, 30_000);
  const before = childrenOf(process.pid);
  feed.write(Buffer.from(archive.subarray(0, 200)));
  // What the pass does when a chunk does not authenticate: its sinks are ended, the feed stopped.
  feed.end();
  feed.stop();
  expect((await listing).exitCode).not.toBe(0);
  expect(childrenOf(process.pid).filter((pid) => !before.includes(pid) && commandOf(pid).includes('pg_restore'))).toEqual([]);
  const helpers = childrenOf(process.pid).filter((pid) => commandOf(pid).includes('running.values()'));
  expect(helpers).toHaveLength(1);
  expect(childrenOf(helpers[0]!)).toEqual([]);
});

test('a feed whose pg_restore never started (no client tools) is stopped and lets the pass run on', async () => {
  const feed = new ListingFeed(64 * 1024);
  feed.stop();
  await passThrough(feed, Buffer.alloc(4 * 1024 * 1024));
  expect(feed.writableFinished).toBe(true);
});

test('told where the table of contents ends, the feed hands pg_restore only through that chunk, which --list reads, and ends its input', async () => {
  let tocEnd = 0;
  await readCustom(bufferSource(archive), 'shop.dump', { onTocEnd: (offset) => (tocEnd = offset) });
  expect(tocEnd).toBeGreaterThan(0);
  expect(tocEnd).toBeLessThan(64 * 1024);
  const feed = new ListingFeed();
  const listed = listFrom(pgRestore(), feed, 30_000);
  const handed: number[] = [];
  feed.archive.on('data', (chunk: Buffer) => handed.push(chunk.length));
  feed.endAt(tocEnd);
  await passThrough(feed, archive);
  expect((await listed).exitCode).toBe(0);
  // Only the first 64 KiB piece (the one holding the end of the table of contents) went to pg_restore.
  expect(handed.reduce((sum, length) => sum + length, 0)).toBe(Math.min(archive.length, 64 * 1024));
});

test('a feed told the table of contents ended never holds the pass up, even when pg_restore has not read a byte', async () => {
  const feed = new ListingFeed(64 * 1024);
  feed.endAt(100);
  // 4 MiB through a 64 KiB feed nobody reads: without the end known this would wait forever.
  await passThrough(feed, Buffer.alloc(4 * 1024 * 1024));
  expect(feed.writableFinished).toBe(true);
});
