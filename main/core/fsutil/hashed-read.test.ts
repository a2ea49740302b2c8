import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { readHashed } from './hashed-read.ts';
import { letGo } from './lent-buffers.ts';

const dir = mkdtempSync(join(tmpdir(), 'holdfast-hashed-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileOf(bytes: Buffer): string {
  const path = join(dir, `f-${randomBytes(4).toString('hex')}`);
  writeFileSync(path, bytes);
  return path;
}

/** A reader that copies what it gets and lets go of it, as the decryption does. */
function collector(into: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      into.push(Buffer.from(chunk));
      letGo(chunk);
      done();
    },
  });
}

describe('readHashed', () => {
  test('hands out every byte in order through a ring smaller than the file, and its SHA-256 is of exactly those bytes', async () => {
    const bytes = randomBytes(1024 * 1024 + 12_345);
    const read = readHashed(fileOf(bytes), { slotSize: 64 * 1024, slots: 3 });
    const got: Buffer[] = [];
    await pipeline(read.bytes, collector(got));
    expect(Buffer.concat(got).equals(bytes)).toBe(true);
    expect(await read.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  test('a slot larger than the staging buffer, and not a multiple of it, is filled from several staged reads: the bytes and the digest are the same', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 4_321);
    const read = readHashed(fileOf(bytes), { slotSize: 300 * 1024, slots: 2 });
    const got: Buffer[] = [];
    await pipeline(read.bytes, collector(got));
    expect(got[0]!.length).toBe(300 * 1024);
    expect(Buffer.concat(got).equals(bytes)).toBe(true);
    expect(await read.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  test('an empty file is no bytes and the empty digest; a missing one fails the read and the digest', async () => {
    const empty = readHashed(fileOf(Buffer.alloc(0)));
    const got: Buffer[] = [];
    await pipeline(empty.bytes, collector(got));
    expect(got).toHaveLength(0);
    expect(await empty.sha256).toBe(createHash('sha256').digest('hex'));
    const missing = readHashed(join(dir, 'not-there'));
    await expect(pipeline(missing.bytes, collector([]))).rejects.toThrow(/not-there could not be read/);
    await expect(missing.sha256).rejects.toThrow(/ENOENT|no such file/);
  });

  test('a slot is not read into again while its chunk is held: a reader that has not let go sees its bytes unchanged', async () => {
    const bytes = randomBytes(8 * 64 * 1024);
    const read = readHashed(fileOf(bytes), { slotSize: 64 * 1024, slots: 2 });
    const held: Buffer[] = [];
    read.bytes.on('data', (chunk: Buffer) => held.push(chunk));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Two slots: two chunks out, none let go, so the thread waits and the first is intact.
    expect(held).toHaveLength(2);
    expect(held[0]!.equals(bytes.subarray(0, 64 * 1024))).toBe(true);
    const ended = new Promise((resolve) => read.bytes.once('end', resolve));
    const copies = held.map((chunk) => Buffer.from(chunk));
    for (const chunk of held) letGo(chunk);
    read.bytes.on('data', (chunk: Buffer) => {
      copies.push(Buffer.from(chunk));
      letGo(chunk);
    });
    await ended;
    expect(Buffer.concat(copies).equals(bytes)).toBe(true);
    expect(await read.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  test("a finished read's ring serves the next read only once none of its chunks is held: a chunk kept past the end keeps its bytes while other reads run", async () => {
    const first = randomBytes(3 * 64 * 1024);
    const read = readHashed(fileOf(first), { slotSize: 64 * 1024, slots: 2 });
    let kept: Buffer | undefined;
    const got: Buffer[] = [];
    await pipeline(
      read.bytes,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          got.push(Buffer.from(chunk));
          // The last chunk is held, not let go of; the others are.
          if (got.length === 3) kept = chunk;
          else letGo(chunk);
          done();
        },
      }),
    );
    await read.sha256;
    // Reads of the same ring size after it, while the chunk is held: its bytes stay the first file's.
    for (let i = 0; i < 3; i += 1) {
      const other = randomBytes(3 * 64 * 1024);
      const next = readHashed(fileOf(other), { slotSize: 64 * 1024, slots: 2 });
      const copies: Buffer[] = [];
      await pipeline(next.bytes, collector(copies));
      expect(Buffer.concat(copies).equals(other)).toBe(true);
    }
    expect(kept!.equals(first.subarray(2 * 64 * 1024))).toBe(true);
    letGo(kept!);
    // Let go of: the rings serve again, whole and in order.
    const last = randomBytes(5 * 64 * 1024 + 7);
    const again = readHashed(fileOf(last), { slotSize: 64 * 1024, slots: 2 });
    const copies: Buffer[] = [];
    await pipeline(again.bytes, collector(copies));
    expect(Buffer.concat(copies).equals(last)).toBe(true);
    expect(await again.sha256).toBe(createHash('sha256').update(last).digest('hex'));
  });

  test('a ring is not taken by another read while its own reader has yet to read what the thread put there', async () => {
    const first = randomBytes(3 * 64 * 1024);
    const read = readHashed(fileOf(first), { slotSize: 64 * 1024, slots: 4 });
    // The thread reads the whole file into the ring and answers; nothing of it has been read here yet.
    await read.sha256;
    const other = randomBytes(3 * 64 * 1024);
    const next = readHashed(fileOf(other), { slotSize: 64 * 1024, slots: 4 });
    const copies: Buffer[] = [];
    await pipeline(next.bytes, collector(copies));
    expect(Buffer.concat(copies).equals(other)).toBe(true);
    const got: Buffer[] = [];
    await pipeline(read.bytes, collector(got));
    expect(Buffer.concat(got).equals(first)).toBe(true);
  });

  test('destroying the bytes stops the thread mid-file: the digest is refused, and the next read works', async () => {
    const bytes = randomBytes(16 * 64 * 1024);
    const read = readHashed(fileOf(bytes), { slotSize: 64 * 1024, slots: 2 });
    read.bytes.once('data', () => read.bytes.destroy());
    await expect(read.sha256).rejects.toThrow(/stopped before its end/);
    const again = readHashed(fileOf(bytes), { slotSize: 64 * 1024, slots: 2 });
    await pipeline(again.bytes, collector([]));
    expect(await again.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});
