import { createHash, randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { hashingSource } from './hashing-source.ts';
import { bufferSource } from './source.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function walk(bytes: Buffer, reads: Array<[number, number]>): Promise<string> {
  const hashing = hashingSource(bufferSource(bytes));
  for (const [position, length] of reads) {
    const target = Buffer.alloc(length);
    const read = await hashing.source.readAt(target, 0, length, position);
    // The walk still gets exactly the file's bytes.
    expect(target.subarray(0, read).equals(bytes.subarray(position, position + read))).toBe(true);
  }
  return hashing.digest();
}

test("the checksum is the file's whatever the walk read: overlapping windows, re-reads of the head, hops over large chunks, an early stop", async () => {
  const bytes = randomBytes(9 * 1024 * 1024 + 77);
  const whole = sha256(bytes);
  expect(await walk(bytes, [])).toBe(whole);
  expect(await walk(bytes, [[0, bytes.length]])).toBe(whole);
  // The head sniffed, then read again by the TOC reader; windows that overlap; a hop of 5 MB; a read past the end.
  expect(
    await walk(bytes, [
      [0, 512],
      [0, 64 * 1024],
      [40 * 1024, 256 * 1024],
      [6 * 1024 * 1024, 8 * 1024],
      [6 * 1024 * 1024 + 4096, 8 * 1024],
      [bytes.length - 10, 100],
    ]),
  ).toBe(whole);
  // A walk that stops early (a damaged archive): digest() still reads the rest.
  expect(await walk(bytes, [[1000, 10]])).toBe(whole);
});
