// Attacks on the encrypted write path's early-freed buffers (fsutil/lent-buffers.ts): whatever the
// chunk sizes, backpressure or a check that stops reading, the stored file must be exactly what
// Debian's age decrypts back to pg_dump's bytes, and its recorded checksum must be the file's.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { letGo, LETS_GO } from '../fsutil/lent-buffers.ts';
import { describe, expect, it } from 'vitest';
import { inspectStream } from '../archive/stream-inspect.ts';
import { writeEncrypted } from './encrypted-output.ts';

const dir = mkdtempSync(join(tmpdir(), 'hf-encout-'));
const keyFile = join(dir, 'key.txt');
execFileSync('age-keygen', ['-o', keyFile], { stdio: 'pipe' });
const recipient = /# public key: (\S+)/.exec(readFileSync(keyFile, 'utf8'))![1]!;
const archive = readFileSync(new URL('../../../../shared/fixtures/pg18/custom-none.dump', import.meta.url));
const sha = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** pg_dump's pipe, in pieces of odd sizes, each owning its memory (as a pipe's reads do), arriving slowly when asked. */
function pieces(bytes: Buffer, sizes: () => number, delayEvery = 0): Readable {
  let at = 0;
  let count = 0;
  return new Readable({
    highWaterMark: 64 * 1024,
    read() {
      if (at >= bytes.length) return void this.push(null);
      const size = Math.min(sizes(), bytes.length - at);
      const piece = Buffer.allocUnsafeSlow(size);
      bytes.copy(piece, 0, at, at + size);
      at += size;
      count++;
      if (delayEvery > 0 && count % delayEvery === 0) setTimeout(() => this.push(piece), 2);
      else this.push(piece);
    },
  });
}

let run = 0;
async function encryptAndCheck(plaintext: Readable, inspect?: Writable): Promise<void> {
  const path = join(dir, `out-${run++}.age`);
  writeFileSync(path, '', { mode: 0o600 });
  const written = await writeEncrypted(plaintext, path, { recipients: [recipient] }, inspect);
  const stored = readFileSync(path);
  expect(written.size).toBe(stored.length);
  expect(written.checksum).toBe(sha(stored));
  const decrypted = execFileSync('age', ['-d', '-i', keyFile, path], { maxBuffer: 64 * 1024 * 1024 });
  expect(decrypted.length).toBe(archive.length);
  expect(sha(decrypted)).toBe(sha(archive));
  expect(written.plaintextChecksum).toBe(sha(archive));
}

describe('writeEncrypted with early-freed buffers', () => {
  const sizeSets: Array<[string, () => number]> = [
    ['64 KiB pipe reads', () => 64 * 1024],
    ['odd sizes around 16 KiB and 64 KiB', () => [16 * 1024, 16 * 1024 - 1, 65 * 1024 + 3, 64 * 1024 + 1, 100_003, 17][Math.floor(Math.random() * 6)]!],
    ['large reads', () => 300 * 1024 + Math.floor(Math.random() * 1000)],
  ];
  for (const [name, sizes] of sizeSets) {
    it(`stores exactly the archive with its custom check reading beside it (${name})`, async () => {
      const inspector = inspectStream('custom', 'test.dump');
      await encryptAndCheck(pieces(archive, sizes, 7), inspector.sink);
      expect((await inspector.result).ok).toBe(true);
    });
  }

  it('stores exactly the bytes when the check fails early (garbage after the header) and drops the rest', async () => {
    const damaged = Buffer.from(archive);
    randomBytes(4096).copy(damaged, 200);
    const inspector = inspectStream('custom', 'test.dump');
    const path = join(dir, `damaged.age`);
    writeFileSync(path, '', { mode: 0o600 });
    const written = await writeEncrypted(
      pieces(damaged, () => 40 * 1024),
      path,
      { recipients: [recipient] },
      inspector.sink,
    );
    expect((await inspector.result).ok).toBe(false);
    const decrypted = execFileSync('age', ['-d', '-i', keyFile, path], { maxBuffer: 64 * 1024 * 1024 });
    expect(sha(decrypted)).toBe(sha(damaged));
    expect(written.checksum).toBe(sha(readFileSync(path)));
  });

  it('stores exactly the bytes when the check is destroyed mid-stream', async () => {
    const inspector = inspectStream('custom', 'test.dump');
    let seen = 0;
    const plaintext = pieces(archive, () => 48 * 1024);
    plaintext.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > 1024 * 1024 && !inspector.sink.destroyed) inspector.sink.destroy();
    });
    await encryptAndCheck(plaintext, inspector.sink);
    // The check cannot have seen the whole archive: it must say so, not wait for bytes forever.
    const settled = await Promise.race([inspector.result, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3000))]);
    expect(settled).toMatchObject({ ok: false });
  });

  it('stores exactly the bytes with no check (pg_dumpall)', async () => {
    await encryptAndCheck(pieces(archive, () => 20 * 1024 + 5));
  });

  it('a holder that lets go of a chunk too early (a bug) fails the write, never leaves a short file reported good', async () => {
    // A check that frees each chunk at once, twice over: the encryptor then finds it empty.
    const careless = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          letGo(chunk);
          letGo(chunk);
          done();
        },
      }),
      { [LETS_GO]: true },
    );
    const path = join(dir, 'careless.age');
    writeFileSync(path, '', { mode: 0o600 });
    await expect(
      writeEncrypted(
        pieces(archive, () => 64 * 1024),
        path,
        { recipients: [recipient] },
        careless,
      ),
    ).rejects.toThrow(/encrypted|bytes/);
  });
});
