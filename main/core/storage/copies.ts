// A sealed backup's copies on named destinations. Each copy is the dump, its roles file and its
// sidecar (last, so a sidecar on a destination means the copy is whole), put under the same names
// at the destination's root; the dump is read back from the destination and its SHA-256 compared
// with the backup's checksum, and only then does the copy count ('verified'). Once: a remote medium's
// put reads its object back itself (putReadsBack), and a second read of the same bytes cost the
// bench's 81 MB copy about a second for nothing; a directory's put is read back here. A copy that
// fails is recorded with its reason and what it put is removed; it never touches the local backup,
// which was complete before any copy began. Rows live in the catalogue's backup_copies table.
import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { CopyRows } from './copy-rows.ts';
import { SIDECAR_SUFFIX } from '../backup/naming.ts';
import { PRIVATE_FILE_MODE } from '../fsutil/durable.ts';
import { HoldfastError, toErrorInfo } from '../model/errors.ts';
import type { BackupCopy, BackupMetadata } from '../model/types.ts';
import type { Destination } from './destination.ts';
import type { Destinations } from './destinations.ts';
import { makeDownloadDir } from './private-temp.ts';
import { nextRetryAt } from './copy-retry-plan.ts';
import { LOCAL_DESTINATION } from './location.ts';
import type { BackupStorage } from './storage.ts';

export interface CopyContext {
  destinations: Destinations;
  storage: BackupStorage;
  rows: CopyRows;
  /** The pauses between tries (COPY_RETRY_DELAYS_MS unless a suite shortens them). */
  retryDelaysMs?: readonly number[];
}

/** A failed upload is tried again after these pauses (so three tries in all) within the same run. */
export const COPY_RETRY_DELAYS_MS: readonly number[] = [2_000, 8_000];

/** Errors a retry cannot mend: a refused input, a name taken, an unknown destination. */
const FINAL_CODES = new Set(['BAD_INPUT', 'CONFLICT', 'NOT_FOUND', 'NO_KEYCHAIN']);

/**
 * Copies the backup to each destination in turn, each with up to three tries (COPY_RETRY_DELAYS_MS
 * between them), every attempt recorded on the copy's row; never throws for a copy's failure: its
 * row (and the answer) says why. `replace`: what a non-counting earlier copy left under the keys is
 * removed first (holdfast copies retry, after a crash or a tampered object).
 */
export async function copyBackup(context: CopyContext, backup: BackupMetadata, names: readonly string[], options: { replace?: boolean } = {}): Promise<BackupCopy[]> {
  // A retry's row is there already; one that is gone was taken by a delete, and is not brought back.
  const started = names.filter((name) => {
    if (options.replace) return context.rows.update(backup, name, 'pending');
    context.rows.record(backup, name, 'pending');
    return true;
  });
  for (const name of started) await copyWithRetries(context, backup, name, options.replace ?? false);
  return context.rows.of(backup.id).filter((copy) => names.includes(copy.destination));
}

/**
 * Each step is settled on the copy's row only while the row is there: a delete of the backup takes
 * the row first (copy-rows.ts take), so a copier that finds it gone stops, and one that finished
 * uploading removes what it put instead of recording a copy of a backup nobody has any more.
 */
async function copyWithRetries(context: CopyContext, backup: BackupMetadata, name: string, replace: boolean): Promise<void> {
  const delays = context.retryDelaysMs ?? COPY_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt += 1) {
    const startedAt = new Date().toISOString();
    if (!context.rows.update(backup, name, 'uploading')) return;
    const tried = (outcome: 'verified' | 'failed', error: string | null) => ({ startedAt, finishedAt: new Date().toISOString(), outcome, error });
    try {
      // A try after a failed one clears what that one could not (its connection dropped mid-put).
      await copyTo(context, backup, name, replace || attempt > 0, () => context.rows.update(backup, name, 'verified', null, tried('verified', null)));
      return;
    } catch (error) {
      if (error instanceof BackupDeleted) return;
      const info = toErrorInfo(error);
      const delay = delays[attempt];
      const final = delay === undefined || FINAL_CODES.has(info.code);
      if (!context.rows.update(backup, name, final ? 'failed' : 'uploading', final ? info.message : null, tried('failed', info.message))) return;
      if (final) {
        // The scheduler's tick tries it again later, unless no retry can mend it or the rounds are spent.
        const rounds = context.rows.of(backup.id).find((copy) => copy.destination === name)?.autoRetries ?? 0;
        context.rows.planRetry(backup.id, name, nextRetryAt(rounds, !FINAL_CODES.has(info.code), new Date()));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Removes the copy's objects from the destination, the sidecar first (so what is left never looks like a whole copy). */
export async function clearCopy(destination: Destination, backup: Pick<BackupMetadata, 'filename' | 'globals'>): Promise<void> {
  await destination.remove(`${backup.filename}${SIDECAR_SUFFIX}`);
  if (backup.globals.filename) await destination.remove(backup.globals.filename);
  await destination.remove(backup.filename);
}

/** The copy's row was taken by a delete while it uploaded: what it put is removed, nothing is recorded. */
class BackupDeleted extends Error {}

/** Puts and reads back the copy, then `settle` records it; false (the row is gone) removes what was put. */
async function copyTo(context: CopyContext, backup: BackupMetadata, name: string, replace: boolean, settle: () => boolean): Promise<void> {
  const destination = await context.destinations.open(name);
  const local = context.storage.locate(backup);
  const put: string[] = [];
  const hooks = { onMultipartUpload: (uploadId: string | null) => context.rows.setUploadId(backup.id, name, uploadId) };
  try {
    if (!(await local.destination.stat(local.key)))
      throw new HoldfastError('NOT_FOUND', `The local backup ${backup.filename} is gone, so there is nothing to copy to "${name}".`, 'Copy it from another copy by restoring, or take a new backup.');
    if (replace) await clearEarlierTries(destination, backup);
    if (backup.format === 'directory') {
      const source = await local.destination.localFile(local.key);
      try {
        await destination.putTree(backup.filename, source.path, backup.files ?? []);
      } finally {
        await source.release();
      }
    } else {
      await destination.put(backup.filename, await local.destination.open(local.key), { sha256: hexOf(backup.checksum), size: backup.size }, hooks);
    }
    put.push(backup.filename);
    if (local.globalsKey && backup.globals.filename && backup.globals.checksum) {
      const roles = await readAll(await local.destination.open(local.globalsKey));
      if (`sha256:${sha256(roles)}` !== backup.globals.checksum) throw new Error(`the local roles file ${backup.globals.filename} no longer matches its recorded checksum`);
      await destination.put(backup.globals.filename, Readable.from([roles]), { sha256: sha256(roles), size: roles.length });
      put.push(backup.globals.filename);
    }
    const sidecar = await readAll(await local.destination.open(local.sidecarKey));
    await destination.put(`${backup.filename}${SIDECAR_SUFFIX}`, Readable.from([sidecar]), { sha256: sha256(sidecar), size: sidecar.length });
    put.push(`${backup.filename}${SIDECAR_SUFFIX}`);
    if (backup.format !== 'directory' && !destination.putReadsBack) await checkCopy(destination, backup);
    if (!settle()) throw new BackupDeleted(`${backup.filename} was deleted while its copy on "${name}" was made`);
  } catch (error) {
    for (const key of put) await destination.remove(key).catch(() => undefined);
    throw error;
  } finally {
    (destination as { destroy?: () => void }).destroy?.();
  }
}

/**
 * What earlier tries left: objects under the copy's keys, and a put's leftovers beside them (an SFTP
 * temp file, an open S3 multipart upload) that a dropped connection kept that try from removing.
 * Only ever for a copy this process now owns (its row is 'uploading' here), so no live put is touched.
 */
async function clearEarlierTries(destination: Destination, backup: BackupMetadata): Promise<void> {
  await clearCopy(destination, backup);
  const keys = [backup.filename, backup.globals.filename, `${backup.filename}${SIDECAR_SUFFIX}`].filter((key): key is string => Boolean(key));
  for (const key of keys) await destination.clearAbandonedPut(key, null);
}

/** Reads the dump back from the destination; throws unless its size and SHA-256 are the backup's. */
export async function checkCopy(destination: Destination, backup: Pick<BackupMetadata, 'filename' | 'size' | 'checksum'>): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of await destination.open(backup.filename)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const found = `sha256:${hash.digest('hex')}`;
  if (found !== backup.checksum || size !== backup.size)
    throw new CopyMismatch(`${destination.describe(backup.filename)} holds ${size} bytes with ${found}, not the backup's ${backup.size} bytes with ${backup.checksum}`);
}

/** The destination answered, with other bytes than the backup's: the one read-back verdict that makes a copy failed. */
export class CopyMismatch extends HoldfastError {
  constructor(detail: string) {
    super('VERIFY_FAILED', detail, 'Upload it again (holdfast copies retry), or restore from the local file or another copy.');
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const hexOf = (checksum: string) => checksum.replace(/^sha256:/, '');

/**
 * The backup as read from its copy on `name`: the dump (and its roles file) downloaded into a private
 * 0700 directory as 0600 files, each checked against the recorded SHA-256 before it is handed out;
 * refused, naming the copy, when they do not match. release() removes the directory; so does any failure.
 */
export async function readableCopy(context: CopyContext, backup: BackupMetadata, name: string): Promise<{ backup: BackupMetadata; release: () => Promise<void> }> {
  const copy = context.rows.of(backup.id).find((entry) => entry.destination === name);
  if (!copy)
    throw new HoldfastError(
      'NOT_FOUND',
      `Backup ${backup.filename} has no copy on destination "${name}".`,
      "holdfast list --json shows each backup's copies; restore from one of them, or from the local file.",
    );
  if (backup.format === 'directory') throw new HoldfastError('BAD_INPUT', `Restoring a directory-format backup from a copy is not supported yet.`, 'Restore it from its local file.');
  const dir = await makeDownloadDir('copy');
  const release = () => rm(dir, { recursive: true, force: true });
  const destination = await context.destinations.open(name).catch(async (error: unknown) => {
    await release();
    throw error;
  });
  try {
    // A share that is not mounted (or a server that is down) is said as such, with what to do, before
    // the download's own ENOENT or socket error could reach the DBA as "a bug in Holdfast".
    await destination.requireReachable?.().catch((error: unknown) => {
      const info = toErrorInfo(error);
      throw new HoldfastError(
        'CONNECTION_FAILED',
        `${backup.filename} is read from its copy on destination "${name}" (no local file here), and that destination cannot be read: ${info.message}`,
        `Nothing was changed on the target. ${info.code === 'INTERNAL' ? `Check the destination (holdfast destination test ${name}), then try again.` : (info.hint ?? '')}`.trim(),
      );
    });
    const dumpPath = join(dir, backup.filename);
    const dump = await download(destination, backup.filename, dumpPath);
    if (`sha256:${dump.sha256}` !== backup.checksum || dump.size !== backup.size) {
      context.rows.update(backup, name, 'failed', `read back ${dump.size} bytes with sha256:${dump.sha256}, not the backup's ${backup.size} bytes with ${backup.checksum}`);
      throw new HoldfastError(
        'RESTORE_REFUSED',
        `The copy of ${backup.filename} on destination "${name}" (${destination.describe(backup.filename)}) does not match the backup's checksum, so it was not restored: ${dump.size} bytes with sha256:${dump.sha256}, expected ${backup.size} bytes with ${backup.checksum}.`,
        'Nothing was changed on the target. Restore from the local file or another copy (holdfast verify <id> --copies says which are intact).',
      );
    }
    if (backup.globals.filename && backup.globals.checksum && (await destination.stat(backup.globals.filename))) {
      const roles = await download(destination, backup.globals.filename, join(dir, backup.globals.filename));
      if (`sha256:${roles.sha256}` !== backup.globals.checksum)
        throw new HoldfastError(
          'RESTORE_REFUSED',
          `The roles file ${backup.globals.filename} on destination "${name}" does not match its checksum, so the backup was not restored from that copy.`,
          'Restore from the local file or another copy.',
        );
    }
    return { backup: { ...backup, path: dumpPath, location: { destination: LOCAL_DESTINATION, key: dumpPath.split(sep).join('/') } }, release };
  } catch (error) {
    await release();
    throw error;
  } finally {
    (destination as { destroy?: () => void }).destroy?.();
  }
}

/** The object into a new 0600 file, hashed on the way. */
async function download(destination: Destination, key: string, path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const handle = await open(path, 'wx', PRIVATE_FILE_MODE);
  try {
    for await (const chunk of await destination.open(key)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
      for (let offset = 0; offset < (chunk as Buffer).length;) offset += (await handle.write(chunk as Buffer, offset)).bytesWritten;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), size };
}
