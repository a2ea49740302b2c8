// An import whose dump arrives as a stream (a file picked in the browser, sent to `holdfast serve`)
// rather than as a path on this host. The bytes go to a private directory inside BACKUP_DIR (so the
// checked dump is moved, not copied, to its temp name: one write, on the filesystem whose free space
// was checked), then through the same checks and cataloguing as `holdfast import`. The directory is
// removed whatever happens: a refused dump, a cut or cancelled upload, a full disk. A crash leaves it
// named like a durable write's temp (writer's pid and host in it), which start-up clean-up removes once
// that process is gone (leftover-temps.ts).
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EventBus } from '../events/bus.ts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../fsutil/durable.ts';
import { ensureBackupDir } from '../fsutil/dir-ownership.ts';
import { HOST_TAG, tempClaim } from '../fsutil/temp-claim.ts';
import { DISK_FULL_HINT, HoldfastError, isDiskFull } from '../model/errors.ts';
import { humanBytes } from '../model/human.ts';
import type { BackupMetadata } from '../model/types.ts';
import { MAX_UPLOAD_BYTES } from '../model/upload.ts';
import type { EngineContext } from './backup.ts';
import { importSource, requireImportProfile, type ImportedCheck } from './import-dump.ts';
import { formatFromHead, readHead, reserveRoomFor } from './import-source.ts';

/** The longest file name an upload may carry (most filesystems' limit on one name). */
const MAX_NAME_BYTES = 255;

/**
 * The upload's private directory in BACKUP_DIR: shaped as a durable write's temp (leftover-temps.ts),
 * so start-up's clean-up keeps it while its process lives and removes it after a crash.
 */
export function uploadDirName(pid: number, tag: string, host: string = HOST_TAG): string {
  return `.backup-upload.${tempClaim(pid, tag, host)}.tmp`;
}

export interface UploadRequest {
  profile: string;
  /** The file's name on the uploader's machine: shown and recorded, never used as a path. */
  name: string;
  /** The size the uploader declared (Content-Length); the stream must hold exactly this many bytes. */
  size: number;
  /** The file's modification time on the uploader's machine, when known (never later than now is used). */
  modifiedAt?: Date;
  body: Readable;
}

function refused(message: string, hint: string): HoldfastError {
  return new HoldfastError('BAD_INPUT', message, hint);
}

/** The name is a plain file name: no directory part, no control character, not "." or "..". */
export function checkUploadName(name: string): void {
  const hint = 'Rename the file to a plain name (letters, digits, dots, dashes) and upload it again.';
  if (name.trim() === '') throw refused('The uploaded file has no name.', hint);
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw refused(`The uploaded file's name is longer than ${MAX_NAME_BYTES} bytes.`, hint);
  if (/[\u0000-\u001f\u007f]/.test(name)) throw refused(`The uploaded file's name ${JSON.stringify(name)} contains a control character (a newline, tab or similar).`, hint);
  if (/[/\\]/.test(name) || name === '.' || name === '..') throw refused(`The uploaded file's name ${JSON.stringify(name)} has a directory part; an upload is one file, named without a path.`, hint);
}

/**
 * The declared size is one the engine takes: not empty, within the limit and the free space; that
 * room is then held against other imports until release().
 */
function reserveUploadSize(name: string, size: number, backupDir: string): { release(): void } {
  if (!Number.isSafeInteger(size) || size <= 0)
    throw refused(`The upload of ${name} declares no size (or an empty file): there is no dump in it.`, 'Pick the file pg_dump wrote, and upload it again.');
  if (size > MAX_UPLOAD_BYTES) {
    throw refused(
      `${name} is ${humanBytes(size)}; an upload may be at most ${humanBytes(MAX_UPLOAD_BYTES)}.`,
      'Copy the dump to the machine Holdfast runs on and import it from there by its path (Import…, or holdfast import PATH).',
    );
  }
  return reserveRoomFor(name, size, backupDir);
}

/** Passes the bytes on, and fails the stream as soon as they exceed what was declared. */
function atMost(limit: number, name: string): Transform & { received(): number } {
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > limit) done(refused(`The upload of ${name} holds more bytes than the ${limit} it declared.`, 'Upload the file again; if it persists, a proxy in between changes the request.'));
      else done(null, chunk);
    },
  });
  return Object.assign(counter, { received: () => received });
}

export async function importUpload(engine: EngineContext & { events: Pick<EventBus, 'emit'> }, request: UploadRequest): Promise<BackupMetadata & ImportedCheck> {
  const { config } = engine;
  // Every refusal that needs no byte of the dump comes before one is received.
  checkUploadName(request.name);
  const profile = requireImportProfile(engine, request.profile);
  await ensureBackupDir(config.backupDir);
  const room = reserveUploadSize(request.name, request.size, config.backupDir);
  const shownAs = `upload of ${request.name}`;
  const dir = join(config.backupDir, uploadDirName(process.pid, randomBytes(4).toString('hex')));
  try {
    await mkdir(dir, { mode: PRIVATE_DIR_MODE });
    const file = join(dir, 'dump');
    const counter = atMost(request.size, request.name);
    try {
      await pipeline(request.body, counter, createWriteStream(file, { flags: 'wx', mode: PRIVATE_FILE_MODE }));
    } catch (error) {
      if (error instanceof HoldfastError) throw error;
      if (isDiskFull(error)) throw new HoldfastError('BACKUP_FAILED', `Receiving ${request.name} into ${config.backupDir} failed: the disk is full.`, DISK_FULL_HINT);
      throw new HoldfastError(
        'CANCELLED',
        `The upload of ${request.name} ended after ${humanBytes(counter.received())} of ${humanBytes(request.size)}: nothing was imported.`,
        'Upload the file again.',
      );
    }
    if (counter.received() !== request.size) {
      throw refused(`The upload of ${request.name} ended after ${counter.received()} of the ${request.size} bytes it declared: nothing was imported.`, 'Upload the file again.');
    }
    const modifiedAt = request.modifiedAt && request.modifiedAt.getTime() < Date.now() ? request.modifiedAt : new Date();
    await utimes(file, modifiedAt, modifiedAt);
    const { format, gzip, origin } = formatFromHead(request.name, await readHead(file));
    return await importSource(engine, profile, { path: file, format, gzip, modifiedAt, origin }, { shownAs, take: 'move' });
  } finally {
    await rm(dir, { recursive: true, force: true });
    room.release();
  }
}
