// The catalogue is the source of truth for profiles, backups and every run. SQLite in WAL mode with
// synchronous=FULL, so a crash mid-write leaves the last committed state, never a damaged file.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { HoldfastError } from '../model/errors.ts';
import type { BackupMetadata, BackupStatus, BackupSummary, Profile, RunRecord, RunStatus } from '../model/types.ts';
import { migrations } from './migrations.ts';
import { noSuchBackup } from './not-a-backup.ts';
import { catalogueIdentity, checkAtOpen, closeRecordingClean, type OpenedCatalogue } from './integrity.ts';
import { isProcessAlive, isSameProcessAlive, PROCESS_TOKEN } from '../process/liveness.ts';
import type { ChildRecord } from '../process/child.ts';
import { freeBytes, PRIVATE_FILE_MODE } from '../fsutil/durable.ts';
import { backupFromRow, backupWhere, selectBackupSummaries, VERIFIED_CHECKSUM_ONLY, type BackupFilter, type BackupRow } from './backup-rows.ts';
import { encryptToColumn, profileFromRow, type NewProfile, type ProfileRow } from './profile-rows.ts';
import { runFromRow, type RunRow, type StaleRun } from './run-rows.ts';

export { failedCheck, type BackupFilter } from './backup-rows.ts';
export type { NewProfile } from './profile-rows.ts';
export type { StaleRun } from './run-rows.ts';

export function newId(): string {
  return randomBytes(6).toString('hex');
}

/** backupDir: BACKUP_DIR, which the migration keys existing local backups against (backup-rows.ts, keyLocalBackups). */
export interface CatalogueOptions {
  backupDir?: string;
}

/** Every start's first read (recovery/reconcile.ts): the runs_running index answers it without reading every finished run. */
export const STALE_RUN_CANDIDATES = `SELECT id, pid, owner_token, temp_path, detail, sealing FROM runs WHERE status = 'running'`;

export class Catalogue {
  readonly db: Database.Database;
  /** The file opened, and when SQLite's quick_check last passed on it (integrity.ts): at this open, or an earlier one. */
  private readonly opened: OpenedCatalogue;

  constructor(
    readonly file: string,
    private readonly options: CatalogueOptions = {},
  ) {
    makePrivate(file);
    // Taken before SQLite opens the file: the identity the last clean close left, or not.
    const identity = catalogueIdentity(file);
    try {
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
    } catch (error) {
      const free = freeBytes(dirname(file));
      // SQLite says "disk I/O error" when it cannot even create its -shm file on a full disk.
      if (free !== undefined && free < 1024 * 1024) {
        throw new HoldfastError(
          'INTERNAL',
          `Cannot open the catalogue ${file}: ${(error as Error).message}; the disk holding it is full (${free} bytes free).`,
          "Free space in HOLDFAST_HOME's file system, then run the command again.",
        );
      }
      throw new HoldfastError('INTERNAL', `Cannot open the catalogue ${file}: ${(error as Error).message}`, 'Check that HOLDFAST_HOME is writable and the file is a Holdfast catalogue.');
    }
    this.opened = checkAtOpen(this.db, file, identity);
    this.migrate();
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current > migrations.length) {
      throw new HoldfastError(
        'INTERNAL',
        `The catalogue ${this.file} was written by a newer Holdfast (schema ${current}, this one knows ${migrations.length}).`,
        'Upgrade Holdfast, or point HOLDFAST_HOME elsewhere.',
      );
    }
    for (let version = current; version < migrations.length; version += 1) {
      this.db.transaction(() => {
        const migration = migrations[version]!;
        if (typeof migration === 'string') this.db.exec(migration);
        else migration(this.db, { backupDir: this.options.backupDir });
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  /** BACKUP_DIR, which the 'local' keys of its rows are relative to; undefined when opened on its own. */
  get backupDir(): string | undefined {
    return this.options.backupDir;
  }

  /** Closes the file and keeps its identity as clean (integrity.ts), so the next open need not read every page. */
  close(): void {
    if (this.db.open) closeRecordingClean(this.db, this.file, this.opened);
  }

  // --- profiles -------------------------------------------------------------------------------

  addProfile(input: NewProfile): Profile {
    const now = new Date().toISOString();
    const profile: Profile = { ...input, id: newId(), createdAt: now, keychainPassword: false };
    try {
      this.db
        .prepare(
          `INSERT INTO profiles (id, name, host, port, user, dbname, sslmode, sslrootcert, sslcert, sslkey, service, notes, pg_bin_dir, drill_checks, copy_to, no_local_copy, tags, libpq_password_files, whole_server, encrypt_to, created_at, updated_at)
           VALUES (@id, @name, @host, @port, @user, @dbname, @sslmode, @sslrootcert, @sslcert, @sslkey, @service, @notes, @pgBinDir, @drillChecks, @copyTo, @noLocalCopy, @tags, @libpqPasswordFiles, @wholeServer, @encryptTo, @createdAt, @createdAt)`,
        )
        .run({
          ...profile,
          keychainPassword: undefined,
          tags: JSON.stringify(profile.tags),
          drillChecks: JSON.stringify(profile.drillChecks),
          copyTo: JSON.stringify(profile.copyTo ?? []),
          noLocalCopy: profile.noLocalCopy ? 1 : 0,
          libpqPasswordFiles: input.libpqPasswordFiles ? 1 : 0,
          wholeServer: wholeServerColumn(input.wholeServer),
          encryptTo: encryptToColumn(input.encryptTo),
        });
    } catch (error) {
      if (String((error as Error).message).includes('UNIQUE')) {
        throw new HoldfastError('CONFLICT', `A profile named "${input.name}" already exists.`, 'Choose another name, or remove the existing profile first.');
      }
      throw error;
    }
    return profile;
  }

  getProfile(name: string): Profile | undefined {
    const row = this.db.prepare('SELECT * FROM profiles WHERE name = ?').get(name) as ProfileRow | undefined;
    return row && profileFromRow(row);
  }

  requireProfile(name: string): Profile {
    const profile = this.getProfile(name);
    if (!profile) {
      throw new HoldfastError('NOT_FOUND', `No profile named "${name}".`, 'List profiles with `holdfast profile list`, or add one with `holdfast profile add`.');
    }
    return profile;
  }

  listProfiles(): Profile[] {
    return (this.db.prepare('SELECT * FROM profiles ORDER BY name').all() as ProfileRow[]).map(profileFromRow);
  }

  /** Replaces a profile's fields (not its id); renaming keeps the keychain entry, keyed by id. */
  updateProfile(id: string, fields: NewProfile): Profile {
    try {
      this.db
        .prepare(
          `UPDATE profiles SET name = @name, host = @host, port = @port, user = @user, dbname = @dbname, sslmode = @sslmode,
             sslrootcert = @sslrootcert, sslcert = @sslcert, sslkey = @sslkey, service = @service, notes = @notes,
             pg_bin_dir = @pgBinDir, drill_checks = @drillChecks, copy_to = @copyTo, no_local_copy = @noLocalCopy, tags = @tags, libpq_password_files = @libpqPasswordFiles, whole_server = @wholeServer, encrypt_to = @encryptTo, updated_at = @now WHERE id = @id`,
        )
        .run({
          ...fields,
          tags: JSON.stringify(fields.tags),
          drillChecks: JSON.stringify(fields.drillChecks),
          copyTo: JSON.stringify(fields.copyTo ?? []),
          noLocalCopy: fields.noLocalCopy ? 1 : 0,
          libpqPasswordFiles: fields.libpqPasswordFiles ? 1 : 0,
          wholeServer: wholeServerColumn(fields.wholeServer),
          encryptTo: encryptToColumn(fields.encryptTo),
          now: new Date().toISOString(),
          id,
        });
    } catch (error) {
      if (String((error as Error).message).includes('UNIQUE')) {
        throw new HoldfastError('CONFLICT', `A profile named "${fields.name}" already exists.`, 'Choose another name.');
      }
      throw error;
    }
    return this.requireProfile(fields.name);
  }

  setKeychainPassword(id: string, stored: boolean): void {
    this.db.prepare('UPDATE profiles SET keychain_password = ? WHERE id = ?').run(stored ? 1 : 0, id);
  }

  removeProfile(name: string): boolean {
    return this.db.prepare('DELETE FROM profiles WHERE name = ?').run(name).changes > 0;
  }

  // --- runs -----------------------------------------------------------------------------------

  startRun(input: { kind: RunRecord['kind']; profile: string | null; backupId?: string | null; tempPath?: string | null; detail?: Record<string, unknown> }): string {
    const id = newId();
    this.db
      .prepare(
        `INSERT INTO runs (id, kind, profile_name, backup_id, status, started_at, pid, owner_token, temp_path, detail)
         VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)`,
      )
      .run(id, input.kind, input.profile, input.backupId ?? null, new Date().toISOString(), process.pid, PROCESS_TOKEN, input.tempPath ?? null, input.detail ? JSON.stringify(input.detail) : null);
    return id;
  }

  finishRun(id: string, status: Exclude<RunStatus, 'running'>, extra: { error?: string; backupId?: string; detail?: Record<string, unknown>; cancelled?: boolean } = {}): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE runs SET status = ?, finished_at = ?, error = ?, backup_id = COALESCE(?, backup_id),
             detail = COALESCE(?, detail), temp_path = NULL, sealing = NULL, cancelled = ? WHERE id = ?`,
        )
        .run(status, new Date().toISOString(), extra.error ?? null, extra.backupId ?? null, extra.detail ? JSON.stringify(extra.detail) : null, extra.cancelled ? 1 : 0, id);
      this.db.prepare('DELETE FROM run_children WHERE run_id = ?').run(id);
    })();
  }

  /** A child process of the run, recorded as soon as it exists (process/child.ts says why). */
  recordChild(runId: string, child: ChildRecord): void {
    this.db.prepare('INSERT OR REPLACE INTO run_children (run_id, pid, pgid, start_token) VALUES (?, ?, ?, ?)').run(runId, child.pid, child.pgid, child.startToken);
  }

  private childrenOf(runId: string): ChildRecord[] {
    const rows = this.db.prepare('SELECT pid, pgid, start_token FROM run_children WHERE run_id = ? ORDER BY pid').all(runId) as Array<{ pid: number; pgid: number; start_token: string | null }>;
    return rows.map((row) => ({ pid: row.pid, pgid: row.pgid, startToken: row.start_token }));
  }

  /** The backup's full record, final paths included, before anything is renamed into place (backup/seal.ts). */
  recordSealing(runId: string, metadata: BackupMetadata): void {
    this.db.prepare('UPDATE runs SET sealing = ? WHERE id = ?').run(JSON.stringify(metadata), runId);
  }

  getRun(id: string): RunRecord | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && runFromRow(row);
  }

  listRuns(filter: { kind?: RunRecord['kind']; statuses?: RunStatus[]; profile?: string } = {}): RunRecord[] {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (filter.kind) {
      clauses.push('kind = ?');
      params.push(filter.kind);
    }
    if (filter.profile) {
      clauses.push('profile_name = ?');
      params.push(filter.profile);
    }
    if (filter.statuses?.length) {
      clauses.push(`status IN (${filter.statuses.map(() => '?').join(', ')})`);
      params.push(...filter.statuses);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    return (this.db.prepare(`SELECT * FROM runs ${where} ORDER BY started_at`).all(...params) as RunRow[]).map(runFromRow);
  }

  /**
   * A backup of the profile running in a live process (this one or another Holdfast), or one whose
   * Holdfast is gone but whose pg_dump still runs (`orphanPid`): a second backup must not start beside it.
   * An import into the profile does not count: it copies a file and never touches the database.
   */
  runningBackupOf(profile: string): { id: string; startedAt: string; orphanPid?: number } | undefined {
    const rows = this.db
      .prepare(`SELECT id, pid, owner_token, started_at FROM runs WHERE kind = 'backup' AND status = 'running' AND profile_name = ? AND json_extract(detail, '$.importedFrom') IS NULL`)
      .all(profile) as Array<{
      id: string;
      pid: number | null;
      owner_token: string | null;
      started_at: string;
    }>;
    const live = rows.find((row) => row.pid !== null && isProcessAlive(row.pid, row.owner_token));
    if (live) return { id: live.id, startedAt: live.started_at };
    for (const row of rows) {
      const orphan = this.childrenOf(row.id).find(isSameProcessAlive);
      if (orphan) return { id: row.id, startedAt: row.started_at, orphanPid: orphan.pid };
    }
    return undefined;
  }

  /** Runs still marked running whose process is gone; the caller ends their children, then finishes or cleans them. */
  staleRuns(): StaleRun[] {
    const rows = this.db.prepare(STALE_RUN_CANDIDATES).all() as Array<{
      id: string;
      pid: number | null;
      owner_token: string | null;
      temp_path: string | null;
      detail: string | null;
      sealing: string | null;
    }>;
    return rows
      .filter((row) => row.pid === null || !isProcessAlive(row.pid, row.owner_token))
      .map((row) => ({
        id: row.id,
        tempPath: row.temp_path,
        detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
        children: this.childrenOf(row.id),
        sealing: row.sealing ? (JSON.parse(row.sealing) as BackupMetadata) : null,
      }));
  }

  // --- backups --------------------------------------------------------------------------------

  insertBackup(metadata: BackupMetadata, runId: string): void {
    this.db
      .prepare(
        `INSERT INTO backups (id, run_id, profile_name, filename, path, status, created_at, size, checksum, metadata, set_id, pinned)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        metadata.id,
        runId,
        metadata.profile,
        metadata.filename,
        metadata.path,
        metadata.status,
        metadata.timestamp,
        metadata.size,
        metadata.checksum,
        JSON.stringify(metadata),
        metadata.set ?? null,
        // An imported dump (backup/import-dump.ts) enters pinned: Holdfast cannot take it again, so retention never deletes it unasked.
        metadata.imported ? 1 : 0,
      );
  }

  /** The file names of the other listed backups (completed or missing) whose rows name the same path. */
  backupsSharingPath(id: string, path: string): string[] {
    return this.db.prepare(`SELECT filename FROM backups WHERE path = ? AND id <> ? AND status IN ('completed', 'missing') ORDER BY created_at`).pluck().all(path, id) as string[];
  }

  /** By id or by exact filename; nothing else, so a name like "../x" can only miss. */
  findBackup(ref: string): BackupMetadata | undefined {
    const row = this.db.prepare('SELECT * FROM backups WHERE id = ? OR filename = ?').get(ref, ref) as BackupRow | undefined;
    return row && backupFromRow(row);
  }

  requireBackup(ref: string): BackupMetadata {
    const backup = this.findBackup(ref);
    if (!backup || backup.status === 'deleted') throw noSuchBackup(this.db, ref);
    return backup;
  }

  listBackups(filter: BackupFilter = {}): BackupMetadata[] {
    const { where, params } = backupWhere(filter);
    return (this.db.prepare(`SELECT * FROM backups WHERE ${where} ORDER BY created_at`).all(...params) as BackupRow[]).map(backupFromRow);
  }

  /** The same backups as listBackups, as summaries (backup-rows.ts says how they are read). */
  listBackupSummaries(filter: BackupFilter = {}): BackupSummary[] {
    return selectBackupSummaries(this.db, filter);
  }

  /** With `from`, only while the row still has that status (a check that ran beside a delete must not undo it). */
  setBackupStatus(id: string, status: BackupStatus, from?: BackupStatus): void {
    if (from) this.db.prepare('UPDATE backups SET status = ? WHERE id = ? AND status = ?').run(status, id, from);
    else this.db.prepare('UPDATE backups SET status = ? WHERE id = ?').run(status, id);
  }

  /** Pinned backups are kept whatever the retention policy; the pin is a column, so it never touches the metadata. */
  setBackupPinned(id: string, pinned: boolean): void {
    this.db.prepare('UPDATE backups SET pinned = ? WHERE id = ?').run(pinned ? 1 : 0, id);
  }

  recordRestoreTest(id: string, passed: boolean, at: string): void {
    this.db.prepare('UPDATE backups SET restore_test_at = ?, restore_test_ok = ? WHERE id = ?').run(at, passed ? 1 : 0, id);
  }

  /** contentChecked false: the stored file held, but its content could not be read here (backup-rows.ts VERIFIED_CHECKSUM_ONLY). */
  recordVerification(id: string, valid: boolean, contentChecked = true): void {
    this.db.prepare('UPDATE backups SET verified_at = ?, verify_valid = ? WHERE id = ?').run(new Date().toISOString(), valid ? (contentChecked ? 1 : VERIFIED_CHECKSUM_ONLY) : 0, id);
  }

  // --- audit ----------------------------------------------------------------------------------

  audit(actor: string, action: string, target: string | null, detail?: Record<string, unknown>): void {
    this.db.prepare('INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)').run(new Date().toISOString(), actor, action, target, detail ? JSON.stringify(detail) : null);
  }

  auditEntries(limit = 100): Array<{ at: string; actor: string; action: string; target: string | null; detail: unknown }> {
    const rows = this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(limit) as Array<{ at: string; actor: string; action: string; target: string | null; detail: string | null }>;
    return rows.map((row) => ({ ...row, detail: row.detail ? JSON.parse(row.detail) : null }));
  }
}

function wholeServerColumn(wholeServer: Profile['wholeServer']): string | null {
  return wholeServer ? JSON.stringify(wholeServer) : null;
}

/**
 * The catalogue holds every profile and the audit log: 0600 whatever the umask. SQLite gives its -wal
 * and -shm files the main file's mode, so the main file is created 0600 before SQLite opens it, and
 * all three are set 0600 in case an older Holdfast left them 0644. Errors are left to the open.
 */
function makePrivate(file: string): void {
  try {
    closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  } catch {
    return;
  }
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      // Only when needed: a chmod moves the file's ctime, which the clean record (integrity.ts) compares.
      if ((statSync(path).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(path, PRIVATE_FILE_MODE);
    } catch {
      // No -wal or -shm yet: SQLite creates them from the main file's mode.
    }
  }
}
