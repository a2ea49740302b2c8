// The age stream against the standard tool (Debian's age 1.1.1, `.ci/setup` installs it): every size
// around the 64 KiB chunk boundary both ways, several recipients, and every kind of damage refused.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { Decrypter, Encrypter } from 'age-encryption';
import { lend } from '../fsutil/lent-buffers.ts';
import { AgeDecryptStream, AgeEncryptStream, CHUNK_SIZE } from './age-stream.ts';

const hasAge = spawnSync('age', ['--version']).status === 0 || Boolean(process.env.CI);
const dir = mkdtempSync(join(tmpdir(), 'holdfast-age-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keygen(name: string): { file: string; identity: string; recipient: string } {
  const file = join(dir, `${name}.txt`);
  execFileSync('age-keygen', ['-o', file], { stdio: 'pipe' });
  const text = readFileSync(file, 'utf8');
  return { file, identity: text.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'))!, recipient: /# public key: (\S+)/.exec(text)![1]! };
}

const held = (...identities: string[]) => identities.map((identity) => ({ identity }));

/** `age -d` asking for the passphrase on its terminal: `script` gives it a pseudo-terminal fed from stdin. */
function ageWithPassphrase(file: string, passphrase: string): { status: number | null; output: Buffer } {
  const out = join(dir, 'by-age.out');
  rmSync(out, { force: true });
  const typed = spawnSync('script', ['-qec', `age -d -o ${out} ${file}`, '/dev/null'], { input: `${passphrase}\n`, timeout: 60_000 });
  let output = Buffer.alloc(0);
  try {
    output = readFileSync(out);
  } catch {
    // age refused: no output file
  }
  return { status: typed.status, output };
}

async function run(stream: NodeJS.ReadWriteStream, input: Buffer, pieceSize = 10_000): Promise<Buffer> {
  const out: Buffer[] = [];
  const pieces: Buffer[] = [];
  for (let at = 0; at < input.length; at += pieceSize) pieces.push(input.subarray(at, at + pieceSize));
  await pipeline(
    Readable.from(pieces),
    stream,
    new Writable({
      write(chunk: Buffer, _e, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

describe.skipIf(!hasAge)('age-stream and the age binary', () => {
  const alice = hasAge ? keygen('alice') : undefined!;
  const bob = hasAge ? keygen('bob') : undefined!;

  test.each([0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE + 17])('%i bytes: age decrypts what Holdfast encrypts, and Holdfast what age encrypts', async (size) => {
    const plain = randomBytes(size);
    const ours = await run(new AgeEncryptStream({ recipients: [alice.recipient, bob.recipient] }), plain);
    for (const key of [alice, bob]) expect(execFileSync('age', ['-d', '-i', key.file], { input: ours }).equals(plain)).toBe(true);
    const theirs = execFileSync('age', ['-e', '-r', alice.recipient], { input: plain });
    expect((await run(new AgeDecryptStream(held(bob.identity, alice.identity)), theirs, 777)).equals(plain)).toBe(true);
  });

  // Chunks are sealed and opened straight from the input where they can be (no copy): pieces smaller
  // than a chunk, exactly one sealed chunk, a little more, and many chunks at once must all give the same bytes.
  test.each([1000, CHUNK_SIZE, CHUNK_SIZE + 16, CHUNK_SIZE + 17, 3 * CHUNK_SIZE + 5, 1024 * 1024])('pieces of %i bytes through both streams round-trip with age', async (pieceSize) => {
    const plain = randomBytes(9 * CHUNK_SIZE + 3);
    const ours = await run(new AgeEncryptStream({ recipients: [alice.recipient] }), plain, pieceSize);
    expect(execFileSync('age', ['-d', '-i', alice.file], { input: ours }).equals(plain)).toBe(true);
    const theirs = execFileSync('age', ['-e', '-r', alice.recipient], { input: plain });
    expect((await run(new AgeDecryptStream(held(alice.identity)), theirs, pieceSize)).equals(plain)).toBe(true);
    const exact = randomBytes(4 * CHUNK_SIZE);
    const sealed = await run(new AgeEncryptStream({ recipients: [alice.recipient] }), exact, pieceSize);
    expect(execFileSync('age', ['-d', '-i', alice.file], { input: sealed }).equals(exact)).toBe(true);
    expect((await run(new AgeDecryptStream(held(alice.identity)), sealed, pieceSize)).equals(exact)).toBe(true);
  });

  // Both streams let go of what they are lent (fsutil/lent-buffers.ts) only once done with it: a
  // piece freed while a view of it was still held would lose bytes, so the round trip would fail.
  test.each([20_000, CHUNK_SIZE + 17, 1024 * 1024])('pieces of %i bytes lent to both streams round-trip with age and are all freed', async (pieceSize) => {
    const lentRun = async (stream: NodeJS.ReadWriteStream, input: Buffer) => {
      const pieces: Buffer[] = [];
      for (let at = 0; at < input.length; at += pieceSize) pieces.push(Buffer.from(input.subarray(at, at + pieceSize)));
      for (const piece of pieces) lend(piece, 1);
      const out: Buffer[] = [];
      await pipeline(
        Readable.from(pieces),
        stream,
        new Writable({
          write(chunk: Buffer, _e, done) {
            out.push(Buffer.from(chunk));
            done();
          },
        }),
      );
      expect(pieces.filter((piece) => piece.length > 0 && piece.length >= 16 * 1024)).toEqual([]);
      return Buffer.concat(out);
    };
    const plain = randomBytes(9 * CHUNK_SIZE + 3);
    const ours = await lentRun(new AgeEncryptStream({ recipients: [alice.recipient] }), plain);
    expect(execFileSync('age', ['-d', '-i', alice.file], { input: ours }).equals(plain)).toBe(true);
    expect((await lentRun(new AgeDecryptStream(held(alice.identity)), ours)).equals(plain)).toBe(true);
  });

  test('a flipped byte, a cut at a chunk boundary, a cut inside a chunk, and the wrong key are all refused', async () => {
    const plain = randomBytes(3 * CHUNK_SIZE);
    const sealed = await run(new AgeEncryptStream({ recipients: [alice.recipient] }), plain);
    const payload = sealed.indexOf('\n--- ') + 1 + 48 + 16;
    const flipped = Buffer.from(sealed);
    flipped[payload + CHUNK_SIZE + 100]! ^= 1;
    const cases: Array<[string, Buffer, string[], RegExp]> = [
      ['flipped', flipped, [alice.identity], /does not authenticate/],
      ['cut at a chunk boundary', sealed.subarray(0, payload + 2 * (CHUNK_SIZE + 16)), [alice.identity], /truncated/],
      ['cut inside a chunk', sealed.subarray(0, sealed.length - 5), [alice.identity], /truncated|authenticate/],
      ['cut inside the header', sealed.subarray(0, 40), [alice.identity], /header/],
      ['wrong key', sealed, [bob.identity], /none of the available identities/],
      ['not age', plain, [alice.identity], /not an age file/],
    ];
    for (const [what, bytes, identities, message] of cases) {
      await expect(run(new AgeDecryptStream(held(...identities)), bytes), what).rejects.toThrow(message);
      if (what !== 'wrong key') expect(spawnSync('age', ['-d', '-i', alice.file], { input: bytes }).status, `age accepts the ${what} file`).not.toBe(0);
    }
  });

  test('trailing bytes after the last chunk, swapped chunks, a payload of no chunk at all, and an empty chunk after data are refused', async () => {
    const nonceEnd = (sealed: Buffer) => sealed.indexOf('\n--- ') + 1 + 48 + 16;
    const whole = await run(new AgeEncryptStream({ recipients: [alice.recipient] }), randomBytes(2 * CHUNK_SIZE));
    const short = await run(new AgeEncryptStream({ recipients: [alice.recipient] }), randomBytes(CHUNK_SIZE + 100));
    const at = nonceEnd(short);
    const swapped = Buffer.concat([short.subarray(0, at), short.subarray(at + CHUNK_SIZE + 16), short.subarray(at, at + CHUNK_SIZE + 16)]);
    const empty = await run(new AgeEncryptStream({ recipients: [alice.recipient] }), Buffer.alloc(0));
    const cases: Array<[string, Buffer, RegExp]> = [
      ['garbage after a full last chunk', Buffer.concat([whole, Buffer.from('x'.repeat(16))]), /authenticate/],
      ['garbage after a short last chunk', Buffer.concat([short, Buffer.from('garbage')]), /authenticate|damaged/],
      ['a second copy of the last chunk', Buffer.concat([short, short.subarray(at + CHUNK_SIZE + 16)]), /authenticate|damaged/],
      ['swapped chunks', swapped, /authenticate|damaged/],
      ['header and nonce without any chunk', empty.subarray(0, nonceEnd(empty)), /truncated/],
      ['an empty last chunk after data', Buffer.concat([whole.subarray(0, nonceEnd(whole) + CHUNK_SIZE + 16), empty.subarray(nonceEnd(empty))]), /authenticate|damaged/],
    ];
    for (const [what, bytes, message] of cases) {
      await expect(run(new AgeDecryptStream(held(alice.identity)), bytes), what).rejects.toThrow(message);
      expect(spawnSync('age', ['-d', '-i', alice.file], { input: bytes }).status, `age accepts ${what}`).not.toBe(0);
    }
  });

  test('an identity the age library cannot read is never quoted in the error', async () => {
    const sealed = await run(new AgeEncryptStream({ recipients: [alice.recipient] }), Buffer.from('hello'));
    const broken = `${bob.identity.slice(0, -1)}${bob.identity.endsWith('Q') ? 'P' : 'Q'}`;
    const error: unknown = await run(new AgeDecryptStream(held(broken)), sealed).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain(broken.slice(16, 40));
    // The next identity is still tried.
    expect((await run(new AgeDecryptStream(held(broken, alice.identity)), sealed)).toString()).toBe('hello');
  });

  test('the identity that opened the file is reported', async () => {
    const sealed = await run(new AgeEncryptStream({ recipients: [bob.recipient] }), Buffer.from('hello'));
    let opened: number | undefined;
    writeFileSync(join(dir, 'x'), sealed);
    await run(new AgeDecryptStream(held(alice.identity, bob.identity), ({ identityIndex }) => (opened = identityIndex)), sealed);
    expect(opened).toBe(1);
  });

  test('passphrase mode: the file has one scrypt stanza, and age (on its terminal) and the age library open it with the passphrase, not with a wrong one', async () => {
    const plain = randomBytes(CHUNK_SIZE + 5);
    const passphrase = 'correct horse battery staple';
    const sealed = await run(new AgeEncryptStream({ passphrase }), plain);
    expect(sealed.toString('latin1').match(/\n-> /g)).toHaveLength(1);
    expect(sealed.toString('latin1')).toContain('\n-> scrypt ');
    const decrypter = new Decrypter();
    decrypter.addPassphrase(passphrase);
    expect(Buffer.from(await decrypter.decrypt(new Uint8Array(sealed))).equals(plain)).toBe(true);
    writeFileSync(join(dir, 'pass.age'), sealed);
    if (spawnSync('script', ['--version']).status === 0) {
      const byAge = ageWithPassphrase(join(dir, 'pass.age'), passphrase);
      expect(byAge.status).toBe(0);
      expect(byAge.output.equals(plain)).toBe(true);
      expect(ageWithPassphrase(join(dir, 'pass.age'), 'wrong').status).not.toBe(0);
    }
    expect((await run(new AgeDecryptStream([{ passphrase }]), sealed)).equals(plain)).toBe(true);
    await expect(run(new AgeDecryptStream([{ passphrase: 'wrong' }, { identity: alice.identity }]), sealed)).rejects.toThrow(/none of the available identities/);
  }, 120_000);

  test('passphrase mode reads what the age library encrypts with a passphrase', async () => {
    const encrypter = new Encrypter();
    encrypter.setPassphrase('from the library');
    encrypter.setScryptWorkFactor(12);
    const sealed = Buffer.from(await encrypter.encrypt(new Uint8Array(Buffer.from('hello'))));
    expect((await run(new AgeDecryptStream([{ identity: alice.identity }, { passphrase: 'from the library' }]), sealed)).toString()).toBe('hello');
  });
});
