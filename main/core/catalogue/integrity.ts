// When the catalogue's open runs SQLite's quick_check. The check reads every page, so it grew with
// the catalogue and was paid by every command's start (bench row 8d: ~35 ms of CPU warm and up to
// ~140 ms cold at 10,000 backups, and more on a busy disk). It now runs when the file is not
// byte-for-byte the one a clean open left behind, or when the last real check is a day old:
//
// - When a Holdfast process closes the catalogue, and its database file is still the one it opened
//   and checked (closeRecordingClean), the files' identity (device, inode, size, mtime and ctime of
//   the database and of its -wal, or the -wal's absence) is kept beside it in `<catalogue>.checked`
//   with the time of the last real check. Anything else writing the file — a bad copy, a restore
//   from elsewhere, a crash that left a -wal, a second Holdfast that is still running — changes the
//   identity, and the next open checks again before anything is read or written; so does a copy
//   moved or written into place while a process had the catalogue open (its close records nothing).
// - What the identity cannot see is a disk that changes bytes without a write (media errors): the
//   daily check bounds how long that goes unnoticed by the open (SQLite still refuses any damaged
//   page it reads in the meantime).
// Nothing secret is in the record; a record that cannot be read or parsed means "check".
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import * as z from 'zod';
import { lazySchema } from '../model/lazy-schema.ts';
import { PRIVATE_FILE_MODE } from '../fsutil/durable.ts';
import { fileIdentity } from '../fsutil/file-identity.ts';
import { HoldfastError } from '../model/errors.ts';

/** How old the last real quick_check may be before an unchanged catalogue is checked again. */
export const QUICK_CHECK_MAX_AGE_MS = 24 * 3_600_000;

const CleanRecord = lazySchema(() => z.object({ checkedAt: z.number(), identity: z.string() }));
export type CleanRecord = z.infer<typeof CleanRecord>;

export function cleanRecordPath(catalogueFile: string): string {
  return `${catalogueFile}.checked`;
}

/** The catalogue's and its -wal's identity (the -shm is SQLite's scratch, rewritten by every open). */
export function catalogueIdentity(catalogueFile: string): string {
  return `${fileIdentity(catalogueFile) ?? 'none'}|${fileIdentity(`${catalogueFile}-wal`) ?? 'none'}`;
}

export function readCleanRecord(catalogueFile: string): CleanRecord | undefined {
  try {
    const parsed = CleanRecord.safeParse(JSON.parse(readFileSync(cleanRecordPath(catalogueFile), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** True when `identity` is the one a clean open left and the last real check is younger than a day. */
export function quickCheckCanBeSkipped(record: CleanRecord | undefined, identity: string, now: number): boolean {
  return record !== undefined && record.identity === identity && now >= record.checkedAt && now - record.checkedAt < QUICK_CHECK_MAX_AGE_MS;
}

/** The file a process opened as its catalogue, and when quick_check last passed on it: what its close may record. */
export interface OpenedCatalogue {
  checkedAt: number;
  /** The database file's identity (file-identity.ts) as checked, without its -wal. */
  file: string | undefined;
}

/**
 * At open, before anything is read or written: runs quick_check unless the files are as a clean open
 * left them (`identity`, taken before SQLite opened them) less than a day after a real check, and the
 * file SQLite opened is still the one that identity describes (one renamed into place in between is
 * checked). Returns when the check last passed and which file was opened; throws when the check fails.
 */
export function checkAtOpen(db: Database.Database, catalogueFile: string, identity: string, now = Date.now()): OpenedCatalogue {
  const file = fileIdentity(catalogueFile);
  const record = readCleanRecord(catalogueFile);
  if (identity.split('|')[0] === file && quickCheckCanBeSkipped(record, identity, now)) return { checkedAt: record!.checkedAt, file };
  const check = db.pragma('quick_check', { simple: true });
  if (check !== 'ok') {
    throw new HoldfastError(
      'INTERNAL',
      `The catalogue ${catalogueFile} failed SQLite's integrity check: ${String(check)}`,
      'Restore it from a copy, or move it aside and re-adopt the backup directory with `holdfast adopt <dir>`.',
    );
  }
  return { checkedAt: now, file };
}

/**
 * Closes the catalogue and keeps the files' identity as clean, when the database file is still the very
 * one this process opened and checked. In WAL mode a process's writes go to the -wal and reach the file
 * only by a checkpoint, so a file changed since the open was written by a checkpoint (a long session's,
 * another Holdfast process's: the next open checks once more) or by something else: a copy put in place
 * (mv, rsync) or written over it (cp) was never checked, and must not be recorded as clean.
 */
export function closeRecordingClean(db: Database.Database, catalogueFile: string, opened: OpenedCatalogue): void {
  const untouched = opened.file !== undefined && fileIdentity(catalogueFile) === opened.file;
  db.close(); // its checkpoint is this process's own write
  if (untouched) recordClean(catalogueFile, opened.checkedAt);
}

/**
 * Keeps the files' identity now as clean, with the time of the last real check. Best effort: a home
 * that cannot take the record only means the next open checks again.
 */
function recordClean(catalogueFile: string, checkedAt: number): void {
  const path = cleanRecordPath(catalogueFile);
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify({ checkedAt, identity: catalogueIdentity(catalogueFile) } satisfies CleanRecord), { mode: PRIVATE_FILE_MODE });
    renameSync(temp, path);
  } catch {
    // Not kept: the next open runs the check.
    rmSync(temp, { force: true });
  }
}
