// What `holdfast import` is asked to read: a dump made elsewhere, named by a path on this host. Every
// refusal happens here, before anything is written: the path must name the dump itself (not a link
// to somewhere else, not a device, not a file Holdfast already keeps), and its first bytes must be a
// pg_dump output — custom or tar archive, directory dump (its toc.dat), or a plain script. Whether
// it is whole is decided later, on the copy (import-dump.ts), since the copy is what will be kept.
import { constants } from 'node:fs';
import { lstat, open, realpath, type FileHandle } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { sniff } from '../archive/sniff.ts';
import type { DumpFormat, DumpOrigin } from '../archive/types.ts';
import { freeBytes } from '../fsutil/durable.ts';
import { readFilePrefix } from '../fsutil/file-prefix.ts';
import { HoldfastError } from '../model/errors.ts';
import { humanBytes } from '../model/human.ts';

/** A named dump that passed the checks on its path and first bytes. */
export interface ImportSource {
  /** Absolute, as given (never a link's target). */
  path: string;
  format: DumpFormat;
  /** plain only: gzip-compressed. */
  gzip: boolean;
  /**
   * Its modification time: when the dump was written, as far as the file system knows; never later
   * than now. A file's mtime is whatever its owner set (touch -d 2099…): a future one would make the
   * import the profile's newest backup for years, hiding a stale profile in health and taking the
   * newest-good-backup rule from the last backup Holdfast took, which retention then deletes.
   */
  modifiedAt: Date;
  /** A plain script's opening comments (an archive's header is read with its structure). */
  origin: DumpOrigin;
}

const HEAD_BYTES = 64 * 1024;
const AGE_HEADER = 'age-encryption.org/v1\n';

function refused(message: string, hint: string): HoldfastError {
  return new HoldfastError('BAD_INPUT', message, hint);
}

/** Control characters in a path would break the log's lines and the audit's rows that name it. */
function checkPathText(file: string): void {
  if (/[\u0000-\u001f\u007f]/.test(file)) {
    throw refused(
      `The file name ${JSON.stringify(file)} contains a control character (a newline, tab or similar); Holdfast does not import it, as the name would break the lines of its log and audit.`,
      'Rename the file (mv) to a name without control characters, then import it again.',
    );
  }
}

/** A file's time, or now when it claims to be later. */
function notFuture(mtime: Date): Date {
  const now = Date.now();
  return mtime.getTime() > now ? new Date(now) : mtime;
}

/**
 * A regular file opened for reading, never through a link at its last component, and never waiting:
 * the path was checked by lstat before, but a pipe put in its place since would block the open until
 * a writer came (O_NONBLOCK), and a device would be read for ever (the fstat on what was opened).
 */
export async function openRegularFile(path: string): Promise<FileHandle> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) {
      throw refused(
        `${path} is not a regular file (a device, socket or pipe, or it was replaced by one): there is no dump to copy from it.`,
        'Name the file pg_dump wrote, and leave it in place while it is imported.',
      );
    }
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The first bytes of a regular file, opened without following a link at its last component. */
export function readHead(path: string): Promise<Buffer> {
  return readFilePrefix(path, HEAD_BYTES, openRegularFile);
}

/** The start of a gzip stream's content, as far as the first bytes reach; a broken stream says nothing. */
function gunzipHead(head: Buffer): Buffer {
  try {
    return gunzipSync(head, { finishFlush: 2 /* Z_SYNC_FLUSH: a cut stream gives what it has */ });
  } catch {
    return Buffer.alloc(0);
  }
}

/**
 * "-- Dumped from database version 15.18 (…)" and "-- Dumped by pg_dump version 15.18 (…)", near a plain
 * script's top, and the database a --create script connects to after its CREATE DATABASE. A script
 * without one does not say which database it is of.
 */
export function plainOrigin(text: string): DumpOrigin {
  const origin: DumpOrigin = {};
  const server = /^-- Dumped from database version (.+)$/m.exec(text)?.[1];
  const dumper = /^-- Dumped by pg_dump version (.+)$/m.exec(text)?.[1];
  const database = connectedDatabase(/^\\connect (.+)$/m.exec(text)?.[1]);
  if (server) origin.serverVersion = server.trim();
  if (dumper) origin.pgDumpVersion = dumper.trim();
  if (database !== undefined) origin.database = database;
  return origin;
}

/**
 * The database of pg_dump's \connect line (appendPsqlMetaConnect): a name of letters, digits, _ and . as it is, any other
 * as `-reuse-previous=on "dbname='…'"` (a quoted identifier holding a connection-string value). A line
 * of another shape says nothing Holdfast can read for sure.
 */
function connectedDatabase(argument: string | undefined): string | undefined {
  if (argument === undefined) return undefined;
  if (/^(?:[A-Za-z0-9_.]|[^\x00-\x7f])+$/.test(argument)) return argument;
  const quoted = /^-reuse-previous=on "((?:[^"]|"")*)"$/.exec(argument)?.[1]?.replaceAll('""', '"');
  const value = quoted === undefined ? undefined : /^dbname=(?:'((?:[^'\\]|\\.)*)'|([^\s'\\]+))$/.exec(quoted);
  if (!value) return undefined;
  return value[2] ?? value[1]!.replace(/\\(.)/g, '$1');
}

/** Which dump a file's first bytes say it is; a refusal naming what it looks like instead. */
export function formatFromHead(path: string, head: Buffer): { format: Exclude<DumpFormat, 'directory'>; gzip: boolean; origin: DumpOrigin } {
  if (head.length === 0) throw refused(`${path} is empty: there is no dump in it.`, 'Check that pg_dump finished writing it (and the copy you made of it), then import the complete file.');
  if (head.subarray(0, AGE_HEADER.length).toString('latin1') === AGE_HEADER) {
    throw refused(
      `${path} is an age-encrypted file: Holdfast imports dumps it can read, since it checks that a dump is complete before it keeps it.`,
      `Decrypt it with the key it was made for (age --decrypt -i key.txt -o dump ${path}), import the decrypted dump under a profile whose backups are not encrypted (Holdfast keeps an imported dump as it came, in the clear), and remove the plaintext after.`,
    );
  }
  const kind = sniff(head);
  if (kind === 'a pg_dump custom-format archive') return { format: 'custom', gzip: false, origin: {} };
  if (kind === 'a tar archive') return { format: 'tar', gzip: false, origin: {} };
  const gzip = kind === 'gzip-compressed data';
  const script = gzip ? gunzipHead(head) : head;
  const text = script.toString('utf8');
  if (text.includes('PostgreSQL database cluster dump')) {
    throw refused(
      `${path} is a pg_dumpall script of a whole cluster (every database and the roles); Holdfast imports one database's pg_dump output.`,
      'Dump each database on its own (pg_dump -Fc -d NAME -f NAME.dump) and import those, or restore the cluster script with psql yourself.',
    );
  }
  if (sniff(script) === 'a plain SQL script' && /PostgreSQL database dump/.test(text)) return { format: 'plain', gzip, origin: plainOrigin(text) };
  const looks = gzip ? `gzip-compressed ${script.length === 0 ? 'data that does not decompress' : sniff(script).replace(/^an? /, '')}` : kind;
  throw refused(
    `${path} is not a pg_dump output: it looks like ${looks}. Holdfast imports pg_dump's custom (-Fc), tar (-Ft) and directory (-Fd) archives and its plain SQL scripts (-Fp, optionally gzip-compressed).`,
    'Name the file pg_dump wrote (a .dump, .tar, .sql or .sql.gz file, or a directory dump holding toc.dat).',
  );
}

/**
 * The checks on the named path: it exists, is a regular file or a directory dump (never a link or a
 * device), lies outside BACKUP_DIR, and starts as a pg_dump output.
 */
export async function inspectImportSource(file: string, backupDir: string): Promise<ImportSource> {
  checkPathText(file);
  if (file.trim() === '') throw refused('No file was named.', 'Give the path of the dump to import.');
  const path = resolve(file);
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new HoldfastError('NOT_FOUND', `${path} does not exist.`, 'Check the path (it is read on the machine Holdfast runs on), then import again.');
    if (code === 'EACCES') throw refused(`${path} cannot be read: permission denied.`, 'Give the user Holdfast runs as read access to the dump, then import again.');
    throw error;
  }
  if (info.isSymbolicLink()) {
    throw refused(
      `${path} is a symbolic link; Holdfast imports the file you name, never what a link leads to (it could lead anywhere on this machine).`,
      'Name the dump itself: the path the link points to (readlink -f), after checking it is the dump you mean.',
    );
  }
  const backupRoot = await realpath(backupDir).catch(() => resolve(backupDir));
  const real = await realpath(path);
  const inside = relative(backupRoot, real);
  if (inside === '' || (!inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside))) {
    throw refused(
      `${path} is inside BACKUP_DIR (${backupRoot}), where Holdfast keeps its own backups; it imports copies of dumps kept elsewhere.`,
      `If it is a Holdfast backup with its .json sidecar, re-catalogue it with holdfast adopt ${backupRoot}; otherwise move it out of BACKUP_DIR first, then import it from there.`,
    );
  }
  if (info.isDirectory()) {
    const toc = join(path, 'toc.dat');
    const tocInfo = await lstat(toc).catch(() => undefined);
    if (!tocInfo?.isFile()) {
      throw refused(
        `${path} is a directory without toc.dat${tocInfo ? ' as a regular file' : ''}: it is not a pg_dump directory-format dump.`,
        'Name the directory pg_dump -Fd wrote (it holds toc.dat and one file per table), or a dump file.',
      );
    }
    const head = await readHead(toc);
    if (head.length === 0 || sniff(head) !== 'a pg_dump custom-format archive') {
      throw refused(`${toc} is not a pg_dump table of contents (${sniff(head)}): ${path} is not a directory-format dump.`, 'Name the directory pg_dump -Fd wrote.');
    }
    return { path, format: 'directory', gzip: false, modifiedAt: notFuture((await lstat(toc)).mtime), origin: {} };
  }
  if (!info.isFile()) {
    throw refused(`${path} is not a regular file (a device, socket or pipe): there is no dump to copy from it.`, 'Name the file pg_dump wrote.');
  }
  const { format, gzip, origin } = formatFromHead(path, await readHead(path));
  return { path, format, gzip, modifiedAt: notFuture(info.mtime), origin };
}

/** Bytes imports in flight in this process will still write, per backup directory. */
const reservedBytes = new Map<string, number>();

/**
 * Refuses a dump that cannot fit where it would be copied: the copy would fill the backup directory
 * (and fail every backup meanwhile) before it was refused. A sparse file counts at its full size, and
 * the room other imports in flight have reserved (reserveRoomFor) is not free.
 */
export function requireRoomFor(path: string, bytes: number, backupDir: string): void {
  const free = freeBytes(backupDir);
  if (free === undefined) return;
  const reserved = reservedBytes.get(resolve(backupDir)) ?? 0;
  if (bytes <= free - reserved) return;
  throw new HoldfastError(
    'BAD_INPUT',
    `${path} is ${humanBytes(bytes)} and the backup directory has ${humanBytes(free)} free${reserved > 0 ? `, ${humanBytes(reserved)} of it taken by imports in progress` : ''}: the copy would fill it, and other backups would fail meanwhile.`,
    reserved > 0
      ? 'Wait for the imports in progress to finish, or free space in BACKUP_DIR, then import the dump again.'
      : 'Free space in BACKUP_DIR (or point it at a larger disk), then import the dump again.',
  );
}

/** requireRoomFor, then holds that room against other imports until release() (once the bytes are on disk, or given up). */
export function reserveRoomFor(path: string, bytes: number, backupDir: string): { release(): void } {
  requireRoomFor(path, bytes, backupDir);
  const key = resolve(backupDir);
  reservedBytes.set(key, (reservedBytes.get(key) ?? 0) + bytes);
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      const left = (reservedBytes.get(key) ?? 0) - bytes;
      if (left > 0) reservedBytes.set(key, left);
      else reservedBytes.delete(key);
    },
  };
}
