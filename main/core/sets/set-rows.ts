// Backup sets as the catalogue stores them: a backup_sets row per set (its record as JSON, its status
// and manifest checksum in columns), and its members as ordinary backups rows linked by set_id.
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import { backupFromRow, type BackupRow } from '../catalogue/backup-rows.ts';
import type { BackupMetadata } from '../model/types.ts';
import { BackupSetSchema, type BackupSet, type SetStatus } from './set-record.ts';

interface SetRow {
  id: string;
  run_id: string;
  status: SetStatus;
  manifest: string;
}

function setFromRow(row: SetRow): BackupSet {
  return { ...BackupSetSchema.parse(JSON.parse(row.manifest)), status: row.status };
}

export class SetStore {
  constructor(private readonly db: Database.Database) {}

  /** The set's row while it runs: a crash leaves it 'running' for the next start to mark interrupted. */
  start(set: BackupSet, runId: string): void {
    this.db
      .prepare(`INSERT INTO backup_sets (id, run_id, profile_name, created_at, status, manifest) VALUES (?, ?, ?, ?, 'running', ?)`)
      .run(set.id, runId, set.profile, set.timestamp, JSON.stringify(set));
  }

  finish(set: BackupSet): void {
    this.db
      .prepare(`UPDATE backup_sets SET status = ?, manifest = ?, manifest_path = ?, manifest_checksum = ? WHERE id = ?`)
      .run(set.status, JSON.stringify(set), set.manifest?.filename ?? null, set.manifest?.checksum ?? null, set.id);
  }

  /**
   * The roles file the running set sealed, with its SHA-256, recorded before it is renamed to its name:
   * a clean-up after a kill adopts the file under that name only when it holds these bytes.
   */
  recordGlobals(id: string, globals: BackupSet['globals']): void {
    this.db.prepare(`UPDATE backup_sets SET manifest = json_set(manifest, '$.globals', json(?)) WHERE id = ? AND status = 'running'`).run(JSON.stringify(globals), id);
  }

  setStatus(id: string, status: SetStatus): void {
    this.db.prepare(`UPDATE backup_sets SET status = ? WHERE id = ?`).run(status, id);
  }

  /** At start: sets left running whose run is no longer running (its Holdfast died); interrupted-sets.ts settles them. */
  abandoned(): Array<{ id: string; runId: string }> {
    return this.db.prepare(`SELECT s.id, s.run_id AS runId FROM backup_sets s JOIN runs r ON r.id = s.run_id WHERE s.status = 'running' AND r.status <> 'running'`).all() as Array<{
      id: string;
      runId: string;
    }>;
  }

  find(id: string): BackupSet | undefined {
    const row = this.db.prepare(`SELECT * FROM backup_sets WHERE id = ?`).get(id) as SetRow | undefined;
    return row && setFromRow(row);
  }

  /** Sets not deleted, oldest first; of one profile when given. */
  list(filter: { profile?: string | undefined; statuses?: readonly SetStatus[] } = {}): BackupSet[] {
    const statuses = filter.statuses ?? ['completed', 'partial', 'interrupted', 'running'];
    const params: unknown[] = [...statuses];
    let where = `status IN (${statuses.map(() => '?').join(', ')})`;
    if (filter.profile) {
      where += ' AND profile_name = ?';
      params.push(filter.profile);
    }
    return (this.db.prepare(`SELECT * FROM backup_sets WHERE ${where} ORDER BY created_at`).all(...params) as SetRow[]).map(setFromRow);
  }

  /**
   * Where a set's own file (its manifest or roles file) is: the directory the set wrote it in, beside
   * its members (the BACKUP_DIR in force when it was taken), found from any member's recorded path,
   * deleted ones too. BACKUP_DIR as it is now only for a set none of whose databases was written.
   */
  fileOf(setId: string, filename: string, backupDir: string): string {
    const memberPath = this.db.prepare(`SELECT path FROM backups WHERE set_id = ? ORDER BY created_at LIMIT 1`).pluck().get(setId) as string | undefined;
    return join(memberPath === undefined ? backupDir : dirname(memberPath), filename);
  }

  /** The member backups on record (completed or missing; deleted with the set). */
  members(setId: string): BackupMetadata[] {
    return (this.db.prepare(`SELECT * FROM backups WHERE set_id = ? AND status IN ('completed', 'missing') ORDER BY created_at`).all(setId) as BackupRow[]).map(backupFromRow);
  }

  /** The set each run belongs to: a set's own run (backup_sets.run_id) and its members' runs (detail.set). */
  setsOfRuns(): Map<string, string> {
    const rows = this.db
      .prepare(
        `SELECT run_id AS run, id AS setId FROM backup_sets
         UNION ALL SELECT id, json_extract(detail, '$.set') FROM runs WHERE kind = 'backup' AND json_extract(detail, '$.set') IS NOT NULL`,
      )
      .all() as Array<{ run: string; setId: string }>;
    return new Map(rows.map((row) => [row.run, row.setId]));
  }

  /** Every set id that has a member, for telling members from single backups in a list. */
  memberSetIds(): Map<string, string> {
    const rows = this.db.prepare(`SELECT id, set_id FROM backups WHERE set_id IS NOT NULL`).all() as Array<{ id: string; set_id: string }>;
    return new Map(rows.map((row) => [row.id, row.set_id]));
  }
}
