// The catalogue's record of each backup's copies (table backup_copies): state, every upload attempt,
// and while an upload is in progress which process owns it (pid + process token) and, on S3, the
// multipart upload it opened. A row left 'pending' or 'uploading' by a process that is gone is what
// the next start recovers (copy-recovery.ts).
import type Database from 'better-sqlite3';
import type { BackupCopy, BackupMetadata, CopyAttempt, CopyState } from '../model/types.ts';
import { isProcessAlive, PROCESS_TOKEN } from '../process/liveness.ts';

interface CopyRow {
  backup_id: string;
  destination: string;
  key: string;
  size: number;
  checksum: string;
  state: CopyState;
  error: string | null;
  verified_at: string | null;
  updated_at: string;
  attempts: string;
  owner_pid: number | null;
  owner_token: string | null;
  upload_id: string | null;
  retry_at: string | null;
  auto_retries: number;
}

const copyOf = (row: CopyRow): BackupCopy => ({
  destination: row.destination,
  key: row.key,
  size: row.size,
  checksum: row.checksum,
  state: row.state,
  error: row.error,
  verifiedAt: row.verified_at,
  updatedAt: row.updated_at,
  attempts: JSON.parse(row.attempts) as CopyAttempt[],
  retryAt: row.retry_at,
  autoRetries: row.auto_retries,
});

/** A copy whose uploading process is gone: its row, and the multipart upload it may have left open. */
export interface AbandonedCopy {
  backupId: string;
  destination: string;
  key: string;
  uploadId: string | null;
}

/** A copy's row as the deleter took it (take), to put back unchanged (putBack). */
export type TakenCopy = Readonly<CopyRow>;

export class CopyRows {
  constructor(private readonly db: Database.Database) {}

  record(backup: Pick<BackupMetadata, 'id' | 'filename' | 'size' | 'checksum'>, destination: string, state: CopyState, error: string | null = null): void {
    const now = new Date().toISOString();
    // An uploading row belongs to this process until it is settled; a settled one belongs to nobody.
    const owned = state === 'uploading' || state === 'pending';
    this.db
      .prepare(
        `INSERT INTO backup_copies (backup_id, destination, key, size, checksum, state, error, verified_at, updated_at, owner_pid, owner_token)
         VALUES (@id, @destination, @key, @size, @checksum, @state, @error, @verifiedAt, @now, @pid, @token)
         ON CONFLICT (backup_id, destination) DO UPDATE SET state = excluded.state, error = excluded.error,
           verified_at = COALESCE(excluded.verified_at, verified_at), updated_at = excluded.updated_at,
           owner_pid = excluded.owner_pid, owner_token = excluded.owner_token,
           upload_id = CASE WHEN excluded.owner_pid IS NULL THEN NULL ELSE upload_id END,
           retry_at = CASE WHEN excluded.state = 'verified' THEN NULL ELSE retry_at END,
           auto_retries = CASE WHEN excluded.state = 'verified' THEN 0 ELSE auto_retries END`,
      )
      .run({
        id: backup.id,
        destination,
        key: backup.filename,
        size: backup.size,
        checksum: backup.checksum,
        state,
        error,
        verifiedAt: state === 'verified' ? now : null,
        now,
        pid: owned ? process.pid : null,
        token: owned ? PROCESS_TOKEN : null,
      });
  }

  /**
   * As record, but only while the row is there: false when it is gone (the backup was deleted, and
   * its copies taken by the deleter). A copier settles through here so it never brings a row back.
   */
  update(backup: Pick<BackupMetadata, 'id' | 'filename' | 'size' | 'checksum'>, destination: string, state: CopyState, error: string | null = null, attempt?: CopyAttempt): boolean {
    return this.db
      .transaction(() => {
        if (!this.db.prepare('SELECT 1 FROM backup_copies WHERE backup_id = ? AND destination = ?').get(backup.id, destination)) return false;
        if (attempt) this.addAttempt(backup.id, destination, attempt);
        this.record(backup, destination, state, error);
        return true;
      })
      .immediate();
  }

  /**
   * The deleter's claim: the row removed and handed back, in one step, before the copy's objects are
   * removed; a copier still uploading then finds it gone and removes what it put (copies.ts).
   * undefined when there was none.
   */
  take(backupId: string, destination: string): TakenCopy | undefined {
    return this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT * FROM backup_copies WHERE backup_id = ? AND destination = ?').get(backupId, destination) as CopyRow | undefined;
        if (row) this.forget(backupId, destination);
        return row;
      })
      .immediate();
  }

  /** A taken row put back as it was, when its objects could not be removed (a later delete tries again). */
  putBack(row: TakenCopy): void {
    const columns = Object.keys(row);
    this.db.prepare(`INSERT OR IGNORE INTO backup_copies (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})`).run(row);
  }

  /** Appends one upload attempt to the copy's history. */
  addAttempt(backupId: string, destination: string, attempt: CopyAttempt): void {
    this.db.prepare(`UPDATE backup_copies SET attempts = json_insert(attempts, '$[#]', json(?)) WHERE backup_id = ? AND destination = ?`).run(JSON.stringify(attempt), backupId, destination);
  }

  /** The multipart upload an S3 put opened (null once it is completed or aborted). */
  setUploadId(backupId: string, destination: string, uploadId: string | null): void {
    this.db.prepare('UPDATE backup_copies SET upload_id = ? WHERE backup_id = ? AND destination = ?').run(uploadId, backupId, destination);
  }

  /** The copy's next automatic try (null: none). */
  planRetry(backupId: string, destination: string, retryAt: string | null): void {
    this.db.prepare('UPDATE backup_copies SET retry_at = ? WHERE backup_id = ? AND destination = ?').run(retryAt, backupId, destination);
  }

  /** Copies that do not count whose automatic try has come. */
  dueRetries(now: Date): Array<{ backupId: string; destination: string; retryAt: string }> {
    const rows = this.db
      .prepare(`SELECT backup_id, destination, retry_at FROM backup_copies WHERE retry_at IS NOT NULL AND retry_at <= ? AND state IN ('failed', 'missing') ORDER BY retry_at`)
      .all(now.toISOString()) as Array<{ backup_id: string; destination: string; retry_at: string }>;
    return rows.map((row) => ({ backupId: row.backup_id, destination: row.destination, retryAt: row.retry_at }));
  }

  /** Takes a due try for this process (two hosts may tick one home): true only for the one whose update cleared it. */
  claimRetry(backupId: string, destination: string, retryAt: string): boolean {
    return (
      this.db.prepare('UPDATE backup_copies SET retry_at = NULL, auto_retries = auto_retries + 1 WHERE backup_id = ? AND destination = ? AND retry_at = ?').run(backupId, destination, retryAt)
        .changes === 1
    );
  }

  of(backupId: string): BackupCopy[] {
    return (this.db.prepare('SELECT * FROM backup_copies WHERE backup_id = ? ORDER BY destination').all(backupId) as CopyRow[]).map(copyOf);
  }

  /** Every backup's copies, by backup id (for list). */
  all(): Map<string, BackupCopy[]> {
    const byBackup = new Map<string, BackupCopy[]>();
    for (const row of this.db.prepare('SELECT * FROM backup_copies ORDER BY backup_id, destination').all() as CopyRow[]) {
      byBackup.set(row.backup_id, [...(byBackup.get(row.backup_id) ?? []), copyOf(row)]);
    }
    return byBackup;
  }

  /** Copies left pending or uploading by a process that is gone (killed, crashed, the machine lost power). */
  abandoned(): AbandonedCopy[] {
    const rows = this.db.prepare(`SELECT * FROM backup_copies WHERE state IN ('pending', 'uploading')`).all() as CopyRow[];
    return rows
      .filter((row) => row.owner_pid === null || !isProcessAlive(row.owner_pid, row.owner_token))
      .map((row) => ({ backupId: row.backup_id, destination: row.destination, key: row.key, uploadId: row.upload_id }));
  }

  /** Copies that do not count (failed, missing, or abandoned and recovered as failed): what a retry uploads again. */
  unverified(backupId?: string): Array<{ backupId: string; destination: string }> {
    const rows = this.db
      .prepare(`SELECT backup_id, destination FROM backup_copies WHERE state IN ('failed', 'missing') ${backupId ? 'AND backup_id = ?' : ''} ORDER BY updated_at`)
      .all(...(backupId ? [backupId] : [])) as Array<{ backup_id: string; destination: string }>;
    return rows.map((row) => ({ backupId: row.backup_id, destination: row.destination }));
  }

  forget(backupId: string, destination: string): void {
    this.db.prepare('DELETE FROM backup_copies WHERE backup_id = ? AND destination = ?').run(backupId, destination);
  }
}
