// What the engine's backup-keeping operations answer (reconcile at start, list, delete, adopt): plain
// records the shells print or send as they are.
import type { NewDatabaseRecovery } from '../restore/new-database-record.ts';
import type { SwapRecovery } from '../restore/swap-journal.ts';

export interface ReconcileReport {
  interruptedRuns: string[];
  removedTempFiles: string[];
  missingBackups: string[];
  foundAgain: string[];
  /** Children (pg_dump, …) of a Holdfast that died, still running until this start ended them. */
  endedProcesses: Array<{ run: string; pid: number }>;
  /** Children that would not end within the wait: their runs stay running (the profile stays locked) until a later start. */
  stuckProcesses: Array<{ run: string; pid: number }>;
  /** Server backends of those runs' tools, ended (pg/run-backends.ts: a killed pg_dump's backend can wait on in a lock queue); absent: none. */
  endedBackends?: Array<{ run: string; pid: number; profile: string }>;
  /** Profiles whose server could not be asked about those backends (absent: none). */
  backendsNotReached?: Array<{ profile: string; runs: string[]; message: string }>;
  /** Backups a crash caught between their first rename and their catalogue row, finished from the run's record. */
  finishedBackups: string[];
  /** Restores into a new database a crash stopped: the half-restored database dropped, or why not (absent: none). */
  newDatabases?: NewDatabaseRecovery[];
  /** Replace restores a crash left mid-swap, rolled back or forward (absent: none were pending). */
  recoveredRestores?: SwapRecovery[];
  /** Offsite copies a crash left uploading: leftovers cleared, marked failed (absent: none). */
  recoveredCopies?: Array<{ backup: string; destination: string; cleared: string[]; problems: string[] }>;
}

export interface ListEntry {
  id: string;
  status: string;
  profile: string | null;
  timestamp: string;
  filename: string | null;
  error?: string | null;
  /** What to do about the failure, as it was said when it happened (CLI words; appHint: the app's, when they differ). */
  hint?: string;
  appHint?: string;
  /** The whole-server set this attempt was part of (its own run or a member's): listed under the set, never beside it. */
  set?: string;
}

export interface DeleteReport {
  deleted: string;
  freedBytes: number;
  /** Why the file stayed: other listed backups name the same path (only this row was removed). */
  filesKept?: string;
}

export interface AdoptReport {
  adopted: string[];
  skipped: Array<{ file: string; reason: string }>;
}
