// The off-thread decrypting pass against the standard tool (Debian's age, `.ci/setup` installs it):
// files `age` wrote of every size around the chunk and slot boundaries, through a ring small enough
// to wrap; every kind of damage age-stream's spec refuses, refused here with the same words; a file
// changed while it is read; a slow consumer (the worker waits, memory stays bounded); and a thread
// that dies or a consumer that fails is an error of the pass, never a pass.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CHUNK_SIZE } from './age-stream.ts';
import { decryptAgeFileOffThread, type OffThreadOptions } from './decrypt-off-thread.ts';

const hasAge = spawnSync('age', ['--version']).status === 0 || Boolean(process.env.CI);
const dir = mkdtempSync(join(tmpdir(), 'holdfast-off-thread-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SEALED = CHUNK_SIZE + 16;
/** The smallest ring: 2 slots of 2 chunks, so a few hundred KiB already wrap it many times. */
const TINY: OffThreadOptions = { slotChunks: 2, slots: 2 };

function keygen(name: string): { file: string; identity: string; recipient: string } {
  const file = join(dir, `${name}.txt`);
  execFileSync('age-keygen', ['-o', file], { stdio: 'pipe' });
  const text = readFileSync(file, 'utf8');
  return { file, identity: text.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'))!, recipient: /# public key: (\S+)/.exec(text)![1]! };
}

async function decrypt(path: string, identity: string, options: OffThreadOptions = TINY, onPlain?: (plain: Buffer) => Promise<void>): Promise<{ plain: Buffer; stored: string }> {
  const pieces: Buffer[] = [];
  const pass = await decryptAgeFileOffThread(path, [{ identity }], onPlain ?? (async (plain) => void pieces.push(plain)), undefined, options);
  return { plain: Buffer.concat(pieces), stored: pass.storedChecksum };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(!hasAge)('decryptAgeFileOffThread and the age binary', () => {
  const alice = hasAge ? keygen('alice') : undefined!;
  const bob = hasAge ? keygen('bob') : undefined!;

  test.each([0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE + 17, 7 * CHUNK_SIZE, 11 * CHUNK_SIZE + 5])(
    '%i bytes age encrypted: the same plaintext, and the stored checksum of every byte of the file',
    async (size) => {
      const plain = randomBytes(size);
      const path = join(dir, `plain-${size}.age`);
      execFileSync('age', ['-e', '-r', alice.recipient, '-r', bob.recipient, '-o', path], { input: plain });
      const { plain: opened, stored } = await decrypt(path, alice.identity);
      expect(opened.equals(plain)).toBe(true);
      expect(stored).toBe(sha256(readFileSync(path)));
      // The default ring (slots of 16 chunks) and the key of the second recipient give the same.
      expect((await decrypt(path, bob.identity, {})).plain.equals(plain)).toBe(true);
    },
  );

  test('damage is refused with the stream reader’s words: flipped byte, cuts, trailing bytes, swapped chunks, an empty chunk after data, wrong key, not age', async () => {
    const seal = (plain: Buffer) => execFileSync('age', ['-e', '-r', alice.recipient], { input: plain });
    const nonceEnd = (sealed: Buffer) => sealed.indexOf('\n--- ') + 1 + 48 + 16;
    const sealed = seal(randomBytes(3 * CHUNK_SIZE));
    const at = nonceEnd(sealed);
    const flipped = Buffer.from(sealed);
    flipped[at + CHUNK_SIZE + 100]! ^= 1;
    const whole = seal(randomBytes(2 * CHUNK_SIZE));
    const short = seal(randomBytes(CHUNK_SIZE + 100));
    const shortAt = nonceEnd(short);
    const swapped = Buffer.concat([short.subarray(0, shortAt), short.subarray(shortAt + SEALED), short.subarray(shortAt, shortAt + SEALED)]);
    const empty = seal(Buffer.alloc(0));
    const cases: Array<[string, Buffer, string, RegExp]> = [
      ['flipped', flipped, alice.identity, /chunk 1 .* does not authenticate: the file was changed or damaged/],
      ['cut at a chunk boundary', sealed.subarray(0, at + 2 * SEALED), alice.identity, /chunk 1 .* does not authenticate: the file was truncated, changed or damaged/],
      ['cut inside a chunk', sealed.subarray(0, sealed.length - 5), alice.identity, /truncated/],
      ['cut inside the header', sealed.subarray(0, 40), alice.identity, /the file ends inside its header: it is truncated/],
      ['cut after the header, before any chunk', empty.subarray(0, nonceEnd(empty)), alice.identity, /the file ends without its last chunk: it is truncated/],
      ['empty file', Buffer.alloc(0), alice.identity, /the file is empty/],
      ['garbage after a full last chunk', Buffer.concat([whole, Buffer.from('x'.repeat(16))]), alice.identity, /authenticate/],
      ['garbage after a short last chunk', Buffer.concat([short, Buffer.from('garbage')]), alice.identity, /authenticate|damaged/],
      ['swapped chunks', swapped, alice.identity, /authenticate/],
      ['an empty last chunk after data', Buffer.concat([whole.subarray(0, nonceEnd(whole) + SEALED), empty.subarray(nonceEnd(empty))]), alice.identity, /authenticate|damaged/],
      ['wrong key', sealed, keygen('carol').identity, /none of the available identities/],
      ['not age', randomBytes(1000), alice.identity, /not an age file/],
    ];
    for (const [what, bytes, identity, message] of cases) {
      const path = join(dir, 'damaged.age');
      writeFileSync(path, bytes);
      await expect(decrypt(path, identity), what).rejects.toThrow(message);
      if (what !== 'wrong key') expect(spawnSync('age', ['-d', '-i', alice.file], { input: bytes }).status, `age accepts ${what}`).not.toBe(0);
    }
  });

  test('a file that grows while it is read is refused (its size is taken once, at the start)', async () => {
    const path = join(dir, 'growing.age');
    execFileSync('age', ['-e', '-r', alice.recipient, '-o', path], { input: randomBytes(6 * CHUNK_SIZE) });
    let grown = false;
    const growing = decrypt(path, alice.identity, TINY, async () => {
      if (!grown) appendFileSync(path, 'more');
      grown = true;
    });
    await expect(growing).rejects.toThrow(/grew while it was read/);
  });

  test('a slow consumer holds the worker back (plaintext is handed over in order, one call at a time)', async () => {
    const plain = randomBytes(20 * CHUNK_SIZE + 3);
    const path = join(dir, 'slow.age');
    execFileSync('age', ['-e', '-r', alice.recipient, '-o', path], { input: plain });
    const pieces: Buffer[] = [];
    let inside = 0;
    let most = 0;
    await decrypt(path, alice.identity, TINY, async (piece) => {
      inside += 1;
      most = Math.max(most, inside);
      await new Promise((resolve) => setTimeout(resolve, 5));
      pieces.push(piece);
      inside -= 1;
    });
    expect(most).toBe(1);
    expect(Buffer.concat(pieces).equals(plain)).toBe(true);
  });

  test('a decrypting thread that dies mid-file, or a consumer that fails, fails the pass; the next pass still works', async () => {
    const plain = randomBytes(12 * CHUNK_SIZE);
    const path = join(dir, 'crash.age');
    execFileSync('age', ['-e', '-r', alice.recipient, '-o', path], { input: plain });
    let killed = false;
    const crashed = decryptAgeFileOffThread(
      path,
      [{ identity: alice.identity }],
      async () => {
        // Stalled here, the worker waits on the ring; it is killed before the file's end.
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
      undefined,
      {
        ...TINY,
        onWorker: (worker) =>
          setTimeout(() => {
            killed = true;
            void worker.terminate();
          }, 5),
      },
    );
    await expect(crashed).rejects.toThrow(/the decrypting thread stopped before the end of the file/);
    expect(killed).toBe(true);
    await expect(decrypt(path, alice.identity, TINY, () => Promise.reject(new Error('the disk is full')))).rejects.toThrow('the disk is full');
    expect((await decrypt(path, alice.identity)).plain.equals(plain)).toBe(true);
  });
});
