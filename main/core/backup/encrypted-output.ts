// An encrypted backup's bytes on their way from pg_dump (or pg_dumpall) to the disk: the plaintext
// exists only in this process's memory and the pipe from the child, never in a file. As it passes,
// the plaintext is hashed and handed to the structural check (archive/stream-inspect.ts); then it
// is encrypted (encryption/age-stream.ts), the ciphertext hashed, and written to the temp file the
// backup seals and renames like any other. The stored file's SHA-256 is the backup's checksum.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AgeEncryptStream, type AgeTarget } from '../encryption/age-stream.ts';

export interface EncryptedWrite {
  /** The stored (encrypted) file. */
  size: number;
  checksum: string;
  /** What pg_dump wrote, before encryption. */
  plaintextSize: number;
  plaintextChecksum: string;
}

/** Writes `chunk` to `sink` unless it was closed; resolves when it may take more. */
function offer(sink: Writable, chunk: Buffer): Promise<void> {
  if (sink.destroyed || sink.writableEnded) return Promise.resolve();
  if (sink.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const go = () => {
      sink.off('drain', go);
      sink.off('close', go);
      resolve();
    };
    sink.on('drain', go);
    sink.on('close', go);
  });
}

function hashing(onChunk?: (chunk: Buffer) => Promise<void>, onEnd?: () => void): { tap: Transform; digest: () => { size: number; checksum: string } } {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      if (!onChunk) return done(null, chunk);
      onChunk(chunk).then(() => done(null, chunk), done);
    },
    flush(done) {
      onEnd?.();
      done();
    },
  });
  return { tap, digest: () => ({ size, checksum: `sha256:${hash.digest('hex')}` }) };
}

/**
 * Encrypts `plaintext` to `target` (recipients or a passphrase) into `path` (an existing private temp file), feeding the
 * plaintext to `inspect` on the way. Rejects when reading, encrypting or writing fails.
 */
export async function writeEncrypted(plaintext: Readable, path: string, target: AgeTarget, inspect?: Writable): Promise<EncryptedWrite> {
  const plain = hashing(inspect ? (chunk) => offer(inspect, chunk) : undefined, () => inspect?.end());
  const stored = hashing();
  try {
    await pipeline(plaintext, plain.tap, new AgeEncryptStream(target), stored.tap, createWriteStream(path, { flags: 'w', mode: 0o600 }));
  } finally {
    if (inspect && !inspect.writableEnded) inspect.end();
  }
  const before = plain.digest();
  const after = stored.digest();
  return { size: after.size, checksum: after.checksum, plaintextSize: before.size, plaintextChecksum: before.checksum };
}
