import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { OffThreadSha256 } from './hash-off-thread.ts';

describe('OffThreadSha256', () => {
  test('gives the digest node:crypto gives for the same bytes, however they are split, through a ring far smaller than the data (it wraps and waits)', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 7);
    const hasher = new OffThreadSha256(64 * 1024 + 3);
    for (let at = 0; at < bytes.length; at += 100_003) await hasher.update(bytes.subarray(at, at + 100_003));
    expect(await hasher.digest()).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  test('hashes the bytes as they were when given: the caller may reuse its buffer at once', async () => {
    const buffer = Buffer.from('first');
    const hasher = new OffThreadSha256();
    await hasher.update(buffer);
    buffer.write('XXXXX');
    await hasher.update(Buffer.from('second'));
    expect(await hasher.digest()).toBe(createHash('sha256').update('firstsecond').digest('hex'));
  });

  test('a slice of a pooled buffer sends only its own bytes; nothing given is the empty digest; close without a digest ends the thread', async () => {
    const pooled = Buffer.from('abc'); // small buffers share Node's 8 KiB pool
    const hasher = new OffThreadSha256();
    await hasher.update(pooled);
    expect(await hasher.digest()).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(await new OffThreadSha256().digest()).toBe(createHash('sha256').digest('hex'));
    // A piece larger than the whole ring goes through in parts.
    const large = randomBytes(200_000);
    const small = new OffThreadSha256(4096);
    await small.update(large);
    expect(await small.digest()).toBe(createHash('sha256').update(large).digest('hex'));
    const abandoned = new OffThreadSha256();
    await abandoned.update(Buffer.from('x'));
    await abandoned.close();
  });
});
