// What every remote medium (S3, Azure Blob, SFTP) does the same way around its own transfer: check
// the bytes on their way out, read the stored object back and compare, and hand a tool a private
// download. One copy of these rules, so the media cannot drift on what "verified" means.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open as openFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PRIVATE_FILE_MODE } from '../fsutil/durable.ts';
import { HoldfastError } from '../model/errors.ts';
import { checkKey, keyName, type LocalCopy } from './destination.ts';

export interface Expected {
  sha256: string;
  size: number;
}

/** A pass-through that counts and hashes, and fails before its end when the bytes are not the expected ones. */
export function expectBytes(expected: Expected, where: string): Transform & { problem?: HoldfastError } {
  const hash = createHash('sha256');
  let size = 0;
  const checked: Transform & { problem?: HoldfastError } = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      const sha256 = hash.digest('hex');
      if (sha256 === expected.sha256 && size === expected.size) return done();
      checked.problem = mismatch(where, `${size} bytes with SHA-256 ${sha256} were read, expected ${expected.size} bytes with ${expected.sha256}`);
      done(checked.problem);
    },
  });
  return checked;
}

export function mismatch(where: string, detail: string): HoldfastError {
  return new HoldfastError(
    'VERIFY_FAILED',
    `What was uploaded to ${where} does not match what was expected: ${detail}; nothing was left under that name.`,
    'The source changed or is damaged, or the service altered the object: check the backup (holdfast verify) and copy it again.',
  );
}

/** The SHA-256 and size of a stream, read to its end. */
export async function hashOf(stream: Readable): Promise<Expected> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Reads an uploaded object back; unless it is exactly the expected bytes, `discard` removes it and
 * the mismatch is thrown. What counts as a copy is only what was read back from the medium.
 */
export async function readBackOrDiscard(where: string, expected: Expected, read: () => Promise<Readable>, discard: () => Promise<void>): Promise<void> {
  const stored = await hashOf(await read());
  if (stored.sha256 !== expected.sha256 || stored.size !== expected.size) {
    await discard().catch(() => undefined);
    throw mismatch(where, `read back ${stored.size} bytes with SHA-256 ${stored.sha256}, expected ${expected.size} bytes with ${expected.sha256}`);
  }
}

/** A private download: a 0600 file in a fresh 0700 directory, removed by release() (and on any failure here). */
export async function privateDownload(key: string, read: () => Promise<Readable>): Promise<LocalCopy> {
  const dir = await mkdtemp(join(tmpdir(), 'holdfast-download-'));
  const release = () => rm(dir, { recursive: true, force: true });
  try {
    const path = join(dir, keyName(checkKey(key)));
    const handle = await openFile(path, 'wx', PRIVATE_FILE_MODE);
    try {
      await pipeline(await read(), handle.createWriteStream());
    } finally {
      await handle.close().catch(() => undefined);
    }
    return { path, release };
  } catch (error) {
    await release();
    throw error;
  }
}

/** A small object written, read back, compared and removed through the medium's own put: `holdfast destination test`. */
export function probeBody(): { key: string; body: Buffer; expected: Expected } {
  const body = Buffer.from(`holdfast destination test ${new Date().toISOString()}\n`);
  const key = `.holdfast-probe-${randomBytes(6).toString('hex')}`;
  return { key, body, expected: { sha256: createHash('sha256').update(body).digest('hex'), size: body.length } };
}
