// Attacks on the decrypting pass's early-freed buffers (fsutil/lent-buffers.ts): the plaintext chunks
// are lent to the structure check and to pg_restore's feed and freed after both; whatever either
// does (reads slowly, stops reading), each must have seen every byte, and the stored file's checksum
// must be the file's. A file made by Debian's age, the fixture's real pg_dump archive.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { inspectStream } from '../archive/stream-inspect.ts';
import { ListingFeed } from '../verify/toc-listing.ts';
import { decryptFile } from './decrypt-file.ts';
import type { HeldIdentity } from './keyring.ts';

const dir = mkdtempSync(join(tmpdir(), 'hf-decrypt-'));
const keyFile = join(dir, 'key.txt');
execFileSync('age-keygen', ['-o', keyFile], { stdio: 'pipe' });
const keyText = readFileSync(keyFile, 'utf8');
const held: HeldIdentity = { name: 'k', kind: 'x25519', recipient: /# public key: (\S+)/.exec(keyText)![1]!, identity: keyText.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'))! };
const archivePath = new URL('../../../../shared/fixtures/pg18/custom-none.dump', import.meta.url).pathname;
const archive = readFileSync(archivePath);
const encrypted = join(dir, 'shop.dump.age');
execFileSync('age', ['-e', '-r', held.recipient, '-o', encrypted, archivePath]);
const sha = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const backup = { filename: 'shop.dump.age', encryption: { recipients: [held.recipient] } } as never;

/** Reads what pg_restore would, slowly (a pause every few pieces), optionally stopping after `stopAfter` bytes. */
async function slowReader(stream: Readable, feed: ListingFeed, stopAfter = Infinity): Promise<Buffer> {
  const got: Buffer[] = [];
  let size = 0;
  for await (const piece of stream as AsyncIterable<Buffer>) {
    got.push(Buffer.from(piece));
    size += piece.length;
    if (got.length % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 3));
    if (size >= stopAfter) {
      feed.stop();
      break;
    }
  }
  return Buffer.concat(got);
}

describe('decryptFile lending each plaintext chunk to the check and the listing feed', () => {
  it('both see every byte, however slowly the feed is read', async () => {
    const inspector = inspectStream('custom', 'shop.dump');
    const feed = new ListingFeed(256 * 1024);
    const [pass, fed] = await Promise.all([decryptFile(encrypted, backup, [held], [inspector.sink, feed]), slowReader(feed.archive, feed)]);
    expect(pass.storedChecksum).toBe(sha(readFileSync(encrypted)));
    expect(pass.plaintextChecksum).toBe(sha(archive));
    expect(sha(fed)).toBe(sha(archive));
    expect(await inspector.result).toMatchObject({ ok: true });
  });

  it('a feed stopped early (pg_restore done after the table of contents) leaves the check whole', async () => {
    const inspector = inspectStream('custom', 'shop.dump');
    const feed = new ListingFeed(128 * 1024);
    const [pass, fed] = await Promise.all([decryptFile(encrypted, backup, [held], [inspector.sink, feed], { hashPlaintext: false }), slowReader(feed.archive, feed, 300 * 1024)]);
    expect(pass.storedChecksum).toBe(sha(readFileSync(encrypted)));
    expect(sha(fed)).toBe(sha(archive.subarray(0, fed.length)));
    expect(await inspector.result).toMatchObject({ ok: true });
  });

  // The pass opens chunks as the reads arrive, straight from the shared memory: whatever it skips to
  // be fast, the end of the file is still checked. Each damaged copy must fail, and never deliver a
  // chunk it could not authenticate.
  it('a flipped byte in the last chunk, a cut at a chunk boundary and a cut inside the last chunk are all refused', async () => {
    const sealed = readFileSync(encrypted);
    const payload = sealed.indexOf('\n--- ') + 1 + 48 + 16;
    const chunks = Math.floor((sealed.length - payload) / (64 * 1024 + 16));
    const flipped = Buffer.from(sealed);
    flipped[sealed.length - 20]! ^= 1;
    const cases: Array<[string, Buffer, RegExp]> = [
      ['a flipped byte in the last chunk', flipped, /does not authenticate/],
      ['a cut at a chunk boundary', sealed.subarray(0, payload + chunks * (64 * 1024 + 16)), /truncated/],
      ['a cut inside the last chunk', sealed.subarray(0, sealed.length - 5), /truncated|authenticate/],
    ];
    for (const [what, bytes, message] of cases) {
      const damaged = join(dir, 'damaged.dump.age');
      writeFileSync(damaged, bytes);
      const inspector = inspectStream('custom', 'shop.dump');
      const error: unknown = await decryptFile(damaged, backup, [held], [inspector.sink]).catch((caught: unknown) => caught);
      expect(error, what).toMatchObject({ code: 'DECRYPT_FAILED', message: expect.stringMatching(message) });
      // The check saw only authenticated bytes, so it cannot report the cut archive as complete.
      expect(await inspector.result, what).toMatchObject({ ok: false });
    }
  });
});
