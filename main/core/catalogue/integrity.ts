// When the catalogue's open runs SQLite's quick_check. The check reads every page, so it grew with
// the catalogue and was paid by every command's start (bench row 8d: ~35 ms of CPU warm and up to
// ~140 ms cold at 10,000 backups, and more on a busy disk). It now runs when the file is not
// byte-for-byte the one a clean open left behind, or when the last real check is a day old:
//
// - After a check passed, and again when a Holdfast process closes the catalogue, the files' identity
//   (device, inode, size, mtime and ctime of the database and of its -wal, or the -wal's absence) is
//   kept beside it in `<catalogue>.checked` with the time of the last real check. Anything else
//   writing the file — a bad copy, a restore from elsewhere, a crash that left a -wal, a second
//   Holdfast that is still running — changes the identity, and the next open checks again before
//   anything is read or written.
// - What the identity cannot see is a disk that changes bytes without a write (media errors): the
//   daily check bounds how long that goes unnoticed by the open (SQLite still refuses any damaged
//   page it reads in the meantime).
// Nothing secret is in the record; a record that cannot be read or parsed means "check".
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import * as z from 'zod';
import { PRIVATE_FILE_MODE } from '../fsutil/durable.ts';
import { fileIdentity } from '../fsutil/file-identity.ts';
import { HoldfastError } from '../model/errors.ts';

/** How old the last real quick_check may be before an unchanged catalogue is checked again. */
export const QUICK_CHECK_MAX_AGE_MS = 24 * 3_600_000;

const CleanRecord = z.object({ checkedAt: z.number(), identity: z.string() });
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

/**
 * At open, before anything is read or written: runs quick_check unless the files are as a clean open
 * left them (`identity`, taken before SQLite opened them) less than a day after a real check. Returns
 * when the check last passed; throws when it fails.
 */
export function checkAtOpen(db: Database.Database, catalogueFile: string, identity: string, now = Date.now()): number {
  const record = readCleanRecord(catalogueFile);
  if (quickCheckCanBeSkipped(record, identity, now)) return record!.checkedAt;
  const check = db.pragma('quick_check', { simple: true });
  if (check !== 'ok') {
    throw new HoldfastError(
      'INTERNAL',
      `The catalogue ${catalogueFile} failed SQLite's integrity check: ${String(check)}`,
      'Restore it from a copy, or move it aside and re-adopt the backup directory with `holdfast adopt <dir>`.',
    );
  }
  return now;
}

/**
 * Keeps the files' identity now as clean, with the time of the last real check. Best effort: a home
 * that cannot take the record only means the next open checks again.
 */
export function recordClean(catalogueFile: string, checkedAt: number): void {
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
