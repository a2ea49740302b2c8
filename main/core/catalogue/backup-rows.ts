// Backups as the catalogue stores them: the metadata as JSON, with what has been proven about each
// (verify, drill) and its pin in columns of their own; and where each is stored (its location).
import type Database from 'better-sqlite3';
import { scopeOf } from '../backup/options.ts';
import type { BackupMetadata, BackupStatus, BackupSummary } from '../model/types.ts';
import { localLocation } from '../storage/location.ts';

export interface BackupRow {
  id: string;
  status: BackupStatus;
  metadata: string;
  verified_at: string | null;
  verify_valid: number | null;
  restore_test_at: string | null;
  restore_test_ok: number | null;
  pinned: number;
}

interface SummaryRow extends Omit<BackupRow, 'metadata'> {
  filename: string;
  created_at: string;
  size: number;
  profile_name: string;
  duration: number;
  database: string | null;
  format: BackupMetadata['format'];
  compression: string;
  /** JSON true/false come out of json_extract as 1/0; absent options as null. */
  schema_only: number | null;
  data_only: number | null;
  filtered: number;
  /** The encryption's recipients as JSON text; null when not encrypted. */
  recipients: string | null;
  imported: number;
}

export interface BackupFilter {
  profile?: string;
  statuses?: BackupStatus[];
  /** Only these backups (a page of the list). */
  ids?: readonly string[];
}

/** The file name of a listed backup (completed or missing) with exactly this checksum, if there is one. */
export function listedBackupWithChecksum(db: Database.Database, checksum: string): string | undefined {
  return db.prepare(`SELECT filename FROM backups WHERE checksum = ? AND status IN ('completed', 'missing') LIMIT 1`).pluck().get(checksum) as string | undefined;
}

/** What the catalogue lists unless asked otherwise: deleted backups stay on record, out of the list. */
export const LISTED_BACKUP_STATUSES = ['completed', 'missing'] as const satisfies readonly BackupStatus[];

export function backupFromRow(row: BackupRow): BackupMetadata {
  const metadata = JSON.parse(row.metadata) as BackupMetadata;
  return { ...metadata, status: row.status, ...proofFromRow(row), pinned: row.pinned === 1 };
}

/** What has been proven about a backup lives in columns of its own, updated without rewriting the metadata. */
/**
 * verify_valid: 1 verified, 0 failed, and this: the stored file's checksum held but its content could
 * not be checked here (an encrypted backup whose key is not on this machine). Not 1, so everything that
 * counts a backup as verified (the list's proof rank, a set verified whole) does not count it.
 */
export const VERIFIED_CHECKSUM_ONLY = 2;

export function proofFromRow(row: Pick<BackupRow, 'verified_at' | 'verify_valid' | 'restore_test_at' | 'restore_test_ok'>): Pick<BackupMetadata, 'lastVerified' | 'restoreTest'> {
  return {
    lastVerified: row.verified_at
      ? {
          at: row.verified_at,
          valid: row.verify_valid === 1 || row.verify_valid === VERIFIED_CHECKSUM_ONLY,
          ...(row.verify_valid === VERIFIED_CHECKSUM_ONLY ? { contentChecked: false as const } : {}),
        }
      : null,
    restoreTest: row.restore_test_at ? { status: row.restore_test_ok === 1 ? 'passed' : 'failed', at: row.restore_test_at } : null,
  };
}

/**
 * Which check a backup last failed, if any: its last verify, else its last restore drill. A backup
 * that failed one is not a good copy (retention, health), even when the other passed.
 */
export function failedCheck(backup: Pick<BackupMetadata, 'lastVerified' | 'restoreTest'>): 'verify' | 'drill' | null {
  if (backup.lastVerified?.valid === false) return 'verify';
  return backup.restoreTest?.status === 'failed' ? 'drill' : null;
}

export function backupWhere(filter: BackupFilter): { where: string; params: unknown[] } {
  const statuses = filter.statuses ?? LISTED_BACKUP_STATUSES;
  const params: unknown[] = [...statuses];
  // With ids, unary + keeps SQLite on the primary key: the status index would read every row first.
  let where = `${filter.ids ? '+' : ''}status IN (${statuses.map(() => '?').join(', ')})`;
  if (filter.profile) {
    where += ' AND profile_name = ?';
    params.push(filter.profile);
  }
  if (filter.ids) {
    where += ` AND id IN (${filter.ids.map(() => '?').join(', ') || 'NULL'})`;
    params.push(...filter.ids);
  }
  return { where, params };
}

/**
 * The backups as summaries. SQLite picks the few fields out of the metadata JSON (json_extract, in
 * C): parsing every record in JavaScript only to drop most of it was most of the time a
 * 10,000-backup list took.
 */
export function selectBackupSummaries(db: Database.Database, filter: BackupFilter): BackupSummary[] {
  const { where, params } = backupWhere(filter);
  const rows = db
    .prepare(
      `SELECT id, filename, created_at, size, profile_name, status, verified_at, verify_valid, restore_test_at, restore_test_ok, pinned,
              json_extract(metadata, '$.duration') AS duration, json_extract(metadata, '$.database') AS database,
              json_extract(metadata, '$.format') AS format, json_extract(metadata, '$.compression') AS compression,
              json_extract(metadata, '$.encryption.recipients') AS recipients,
              json_extract(metadata, '$.options.schemaOnly') AS schema_only, json_extract(metadata, '$.options.dataOnly') AS data_only,
              (COALESCE(json_array_length(metadata, '$.options.tables'), 0) + COALESCE(json_array_length(metadata, '$.options.excludeTables'), 0)
                + COALESCE(json_array_length(metadata, '$.options.schemas'), 0) + COALESCE(json_array_length(metadata, '$.options.excludeSchemas'), 0)) > 0 AS filtered,
              json_extract(metadata, '$.imported') IS NOT NULL AS imported
       FROM backups WHERE ${where} ORDER BY created_at`,
    )
    .all(...params) as SummaryRow[];
  return rows.map((row) => ({
    id: row.id,
    filename: row.filename,
    timestamp: row.created_at,
    size: row.size,
    duration: row.duration,
    profile: row.profile_name,
    database: row.database,
    format: row.format,
    compression: row.compression,
    status: row.status,
    scope: scopeOf({ schemaOnly: row.schema_only === 1, dataOnly: row.data_only === 1, filtered: row.filtered === 1 }),
    ...proofFromRow(row),
    pinned: row.pinned === 1,
    encryptedTo: row.recipients === null ? null : (JSON.parse(row.recipients) as string[]),
    imported: row.imported === 1,
  }));
}

/**
 * Gives every row without a location (from before locations existed) one from its path: 'local', keyed
 * relative to BACKUP_DIR when it lies under it, else by its absolute path; without a backup directory
 * (a catalogue opened on its own) every key is the absolute path, which names the same file.
 */
export function keyLocalBackups(db: Database.Database, backupDir: string | undefined): number {
  const rows = db.prepare(`SELECT id, path FROM backups WHERE json_extract(metadata, '$.location') IS NULL`).all() as Array<{ id: string; path: string }>;
  const update = db.prepare(`UPDATE backups SET metadata = json_set(metadata, '$.location', json(?)) WHERE id = ?`);
  for (const row of rows) update.run(JSON.stringify(localLocation(row.path, backupDir)), row.id);
  return rows.length;
}

/** A listed backup as the start-up file check needs it: where it is stored, nothing more. */
export interface FileCheckRow {
  id: string;
  filename: string;
  status: BackupStatus;
  path: string;
  location?: BackupMetadata['location'];
  globals: { filename: string | null };
  /** Kept on its destinations only (--no-local-copy). */
  noLocalCopy: boolean;
}

/** Where the file check's last batch ended: the (created_at, id) of its newest row. */
export interface FileCheckCursor {
  createdAt: string;
  id: string;
}

/**
 * Listed backups, oldest first, as the file check reads them: SQLite picks the few fields out of the
 * metadata (json_extract, in C). Parsing each whole record in JavaScript made every command's start on
 * a 10,000-backup home take seconds. A batch at a time (`limit` rows after `after`), so serve's check,
 * which runs beside requests, never holds the thread for long. The backups_file_check index holds
 * these very expressions (migrations.ts): the rows' metadata is never read.
 */
function fileCheckStatement(batch: { after?: FileCheckCursor; limit: number }): { sql: string; params: unknown[] } {
  const { where, params } = backupWhere({});
  // Unary + keeps SQLite off the status index, which would read every row first.
  const after = batch.after ? ' AND (created_at, id) > (?, ?)' : '';
  return {
    sql: `SELECT id, created_at, filename, status, path, json_extract(metadata, '$.location') AS location, json_extract(metadata, '$.globals.filename') AS globals_filename,
              json_extract(metadata, '$.options.noLocalCopy') AS no_local_copy
       FROM backups WHERE +${where}${after} ORDER BY created_at, id LIMIT ?`,
    params: [...params, ...(batch.after ? [batch.after.createdAt, batch.after.id] : []), batch.limit],
  };
}

/** How SQLite runs the file check's statement (EXPLAIN QUERY PLAN details): the spec checks it reads one index, never the rows. */
export function explainFileCheckRows(db: Database.Database, batch: { after?: FileCheckCursor; limit: number }): string[] {
  const { sql, params } = fileCheckStatement(batch);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((row) => row.detail);
}

export function selectFileCheckRows(db: Database.Database, batch: { after?: FileCheckCursor; limit: number }): Array<FileCheckRow & { cursor: FileCheckCursor }> {
  const { sql, params } = fileCheckStatement(batch);
  const rows = db.prepare(sql).all(...params) as Array<{
    id: string;
    created_at: string;
    filename: string;
    status: BackupStatus;
    path: string;
    location: string | null;
    globals_filename: string | null;
    no_local_copy: number | null;
  }>;
  return rows.map((row) => ({
    cursor: { createdAt: row.created_at, id: row.id },
    id: row.id,
    filename: row.filename,
    status: row.status,
    path: row.path,
    ...(row.location === null ? {} : { location: JSON.parse(row.location) as NonNullable<BackupMetadata['location']> }),
    globals: { filename: row.globals_filename },
    noLocalCopy: row.no_local_copy === 1,
  }));
}
