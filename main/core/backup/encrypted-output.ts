// An encrypted backup's bytes on their way from pg_dump (or pg_dumpall) to the disk: the plaintext
// exists only in this process's memory and the pipe from the child, never in a file. As it passes,
// the plaintext is hashed and handed to the structural check (archive/stream-inspect.ts); then it
// is encrypted (encryption/age-stream.ts), the ciphertext hashed, and written to the temp file the
// backup seals and renames like any other. The stored file's SHA-256 is the backup's checksum.
import { createHash } from 'node:crypto';
import { close, open, write, writev } from 'node:fs';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AgeEncryptStream, type AgeTarget } from '../encryption/age-stream.ts';
import { lend, letGo, LETS_GO, letsGo, offer } from '../fsutil/lent-buffers.ts';

export interface EncryptedWrite {
  /** The stored (encrypted) file. */
  size: number;
  checksum: string;
  /** What pg_dump wrote, before encryption. */
  plaintextSize: number;
  plaintextChecksum: string;
}

function hashing(onChunk?: (chunk: Buffer) => Promise<void>, onEnd?: () => void, hashed = false): { tap: Transform; digest: () => { size: number; checksum: string } } {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!hashed) hash.update(chunk);
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
 * The temp file's writer (what createWriteStream would be), letting go of each chunk once it is on
 * its way to the disk, so the encryptor's next 64 KiB reuses that memory (fsutil/lent-buffers.ts).
 */
class StoredFileWriter extends Writable {
  readonly [LETS_GO] = true;
  private fd: number | undefined;
  /** Bytes the file system took, as write() reported them. */
  bytesWritten = 0;

  constructor(private readonly path: string) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _construct(done: (error?: Error | null) => void): void {
    open(this.path, 'w', 0o600, (error, fd) => {
      this.fd = fd;
      done(error);
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.writeFrom(chunk, 0, done);
  }

  /** Writes `chunk` from byte `from` on, to its end, then lets go of it. */
  private writeFrom(chunk: Buffer, from: number, done: (error?: Error | null) => void): void {
    write(this.fd!, chunk, from, chunk.length - from, null, (error, written) => {
      if (error) return done(error);
      this.bytesWritten += written;
      if (from + written < chunk.length) return this.writeFrom(chunk, from + written, done);
      letGo(chunk);
      done();
    });
  }

  /**
   * Chunks that queued while a write was on its way go to the disk in one writev: each write is a trip
   * through libuv's pool, which on the VMs this runs on costs the main thread ~0.2 ms (a 99 MB backup
   * is ~1,500 chunks of 64 KiB, written one by one when the disk keeps up, in batches when it lags).
   */
  override _writev(chunks: Array<{ chunk: Buffer }>, done: (error?: Error | null) => void): void {
    const buffers = chunks.map(({ chunk }) => chunk);
    const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    writev(this.fd!, buffers, (error, written) => {
      if (error) return done(error);
      this.bytesWritten += written;
      if (written === total) {
        for (const buffer of buffers) letGo(buffer);
        return done();
      }
      // A short write (rare on a file): what is left goes one chunk at a time, from where it stopped.
      let skipped = written;
      const rest: Array<{ buffer: Buffer; from: number }> = [];
      for (const buffer of buffers) {
        if (skipped >= buffer.length) {
          skipped -= buffer.length;
          letGo(buffer);
        } else {
          rest.push({ buffer, from: skipped });
          skipped = 0;
        }
      }
      const next = (index: number): void => {
        if (index === rest.length) return done();
        this.writeFrom(rest[index]!.buffer, rest[index]!.from, (failed) => (failed ? done(failed) : next(index + 1)));
      };
      next(0);
    });
  }

  override _final(done: (error?: Error | null) => void): void {
    this.closeFile(done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.closeFile((closing) => done(error ?? closing));
  }

  private closeFile(done: (error?: Error | null) => void): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) done();
    else close(fd, (error) => done(error));
  }
}

/** How many readers of each plaintext chunk let go of it: the encryptor, and the check when it lets go (a custom archive's); 0 when the check keeps chunks. */
export function plaintextReaders(inspect?: Writable): number {
  return inspect ? (letsGo(inspect) ? 2 : 0) : 1;
}

/** Plaintext read on a thread of its own (backup/dump-pipe.ts): each chunk comes lent to plaintextReaders(inspect), and hashed. */
export interface ThreadRead {
  readonly bytes: Readable;
  readonly sha256: Promise<string>;
}

/**
 * Encrypts `plaintext` to `target` (recipients or a passphrase) into `path` (an existing private temp file), feeding the
 * plaintext to `inspect` on the way. Rejects when reading, encrypting or writing fails.
 */
export async function writeEncrypted(plaintext: Readable | ThreadRead, path: string, target: AgeTarget, inspect?: Writable): Promise<EncryptedWrite> {
  // Each chunk pg_dump wrote is freed once the check (when it lets go: a custom archive's) and the
  // encryptor are done with it, and each sealed chunk once it is written: fsutil/lent-buffers.ts.
  // A thread's read lends them itself, and hashes them there.
  const threadRead = 'sha256' in plaintext ? plaintext : undefined;
  const readers = threadRead ? 0 : plaintextReaders(inspect);
  const plain = hashing(
    inspect
      ? (chunk) => {
          if (readers > 0) lend(chunk, readers);
          return offer(inspect, chunk);
        }
      : async (chunk) => {
          if (!threadRead) lend(chunk, readers);
        },
    () => inspect?.end(),
    threadRead !== undefined,
  );
  const stored = hashing(async (chunk) => lend(chunk, 1));
  const encryptor = new AgeEncryptStream(target);
  const writer = new StoredFileWriter(path);
  try {
    await pipeline(threadRead ? threadRead.bytes : (plaintext as Readable), plain.tap, encryptor, stored.tap, writer);
  } finally {
    if (inspect && !inspect.writableEnded) inspect.end();
  }
  const before = threadRead ? { size: plain.digest().size, checksum: `sha256:${await threadRead.sha256}` } : plain.digest();
  const after = stored.digest();
  // The checksums are of the bytes as they were handed over, not read back: had a buffer been freed
  // before its last reader was done (it then reads as empty), the file would be shorter than they say.
  // Counted at both ends, such a file is refused here instead of being recorded as a good backup.
  if (encryptor.sealedBytes !== before.size || writer.bytesWritten !== after.size) {
    throw new Error(
      `the encrypted file is not what was handed over: ${before.size} bytes of pg_dump's output, ${encryptor.sealedBytes} encrypted; ${after.size} bytes sealed, ${writer.bytesWritten} written (a bug in Holdfast: please report it)`,
    );
  }
  return { size: after.size, checksum: after.checksum, plaintextSize: before.size, plaintextChecksum: before.checksum };
}
