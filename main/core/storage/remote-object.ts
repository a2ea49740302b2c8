// What every remote medium (S3, Azure Blob, SFTP) does the same way around its own transfer: check
// the bytes on their way out, read the stored object back and compare, and hand a tool a private
// download. One copy of these rules, so the media cannot drift on what "verified" means.
import { createHash, randomBytes } from 'node:crypto';
import { open as openFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PRIVATE_FILE_MODE } from '../fsutil/durable.ts';
import { HoldfastError } from '../model/errors.ts';
import { checkKey, keyName, type LocalCopy } from './destination.ts';
import { makeDownloadDir } from './private-temp.ts';

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

/** What a remote medium needs to store an object the checked way: see checkedPut. */
export interface CheckedPut {
  where: string;
  source: Readable;
  expected: Expected;
  /** Is something under the key already? */
  exists(): Promise<boolean>;
  /** Sends the checked body; must not make it visible under the key unless the body ends without error. */
  send(body: Readable): Promise<void>;
  open(): Promise<Readable>;
  remove(): Promise<void>;
  /** The medium's own wording of a transport error. */
  failure(what: string, error: unknown): HoldfastError;
}

/**
 * A put as S3 and Azure do it: refused when the key is taken; the bytes checked on their way out (a
 * mismatch errors the body before its end, so the medium never completes the object); then read back
 * and compared, and removed unless they match.
 */
export async function checkedPut(put: CheckedPut): Promise<void> {
  const { where, source, expected } = put;
  if (await put.exists()) throw new HoldfastError('CONFLICT', `${where} already exists; it was left as it is.`, 'Remove what is there, or store the backup under another name.');
  const checked = expectBytes(expected, where);
  source.once('error', (error) => checked.destroy(error));
  try {
    await put.send(source.pipe(checked));
  } catch (error) {
    // An SDK wraps a body's error in its own; the check's own verdict is the one to tell.
    throw checked.problem ?? (error instanceof HoldfastError ? error : put.failure(`Uploading ${where}`, error));
  }
  try {
    await readBackOrDiscard(where, expected, put.open, put.remove);
  } catch (error) {
    throw error instanceof HoldfastError ? error : put.failure(`Reading back ${where}`, error);
  }
}

/** A directory-format backup on a medium that cannot hold a tree yet. */
export function treeRefused(where: string, medium: string): HoldfastError {
  return new HoldfastError(
    'BAD_INPUT',
    `${where}: a directory-format backup (a tree of files) cannot be copied to ${medium} destination yet.`,
    `Use the custom, tar or plain format for backups copied to ${medium} destination, or a directory destination.`,
  );
}

/** A private download: a 0600 file in a fresh 0700 directory, removed by release() (and on any failure here). */
export async function privateDownload(key: string, read: () => Promise<Readable>): Promise<LocalCopy> {
  const dir = await makeDownloadDir('download');
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
