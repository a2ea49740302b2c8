// Runs as the catalogue stores them, and what a start finds of the runs a dead Holdfast left.
import type Database from 'better-sqlite3';
import type { ChildRecord } from '../process/child.ts';
import type { BackupMetadata, RunRecord, RunStatus } from '../model/types.ts';

export interface RunRow {
  id: string;
  kind: RunRecord['kind'];
  profile_name: string | null;
  backup_id: string | null;
  status: RunStatus;
  cancelled: number;
  started_at: string;
  finished_at: string | null;
  pid: number | null;
  temp_path: string | null;
  error: string | null;
  detail: string | null;
}

/** A run left `running` by a Holdfast that is gone: what the next start must end, finish or clean. */
export interface StaleRun {
  id: string;
  tempPath: string | null;
  detail: Record<string, unknown> | null;
  /** Its children that may still run (pg_dump, pg_dumpall): ended before its files are touched. */
  children: ChildRecord[];
  /** Set between a backup's first rename and its catalogue row: the full record, final paths included. */
  sealing: BackupMetadata | null;
}

export function runFromRow(row: RunRow): RunRecord {
  return {
    id: row.id,
    kind: row.kind,
    profile: row.profile_name,
    backupId: row.backup_id,
    status: row.status,
    cancelled: row.cancelled === 1,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
  };
}

/** A run that did not happen after all (a refused import): its row and its children's go, as if never started. */
export function discardRun(db: Database.Database, id: string): void {
  db.transaction(() => {
    db.prepare('DELETE FROM run_children WHERE run_id = ?').run(id);
    db.prepare('DELETE FROM runs WHERE id = ?').run(id);
  })();
}
