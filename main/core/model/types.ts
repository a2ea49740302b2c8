// The records every shell shows. A backup's record is a zod schema (backup-metadata.ts, which the
// sidecar and the REST API derive from); its types are re-exported here beside the others.
import type { BackupScope } from '../backup/options.ts';
import type { WholeServer } from '../profiles/profile-schema.ts';
import type { BackupMetadata } from './backup-metadata.ts';

export type { BackupLocation, BackupMetadata, BackupStatus, GlobalsInfo } from './backup-metadata.ts';

export interface Profile {
  id: string;
  name: string;
  host: string;
  port: number;
  user: string;
  dbname: string;
  sslmode: string | null;
  sslrootcert: string | null;
  sslcert: string | null;
  sslkey: string | null;
  /** A libpq service name (pg_service.conf) whose other settings apply too. */
  service: string | null;
  tags: string[];
  notes: string | null;
  /** Client tools for this profile only; overrides discovery like HOLDFAST_PG_BIN. */
  pgBinDir: string | null;
  /** SQL statements a restore drill must find true in the restored database (first column of the first row). */
  drillChecks: string[];
  /**
   * Named destinations its backups are copied to by default (scheduled ones too); a backup's own list
   * overrides it. Every catalogued profile says; one Holdfast makes up (a drill's target) leaves it out: none.
   */
  copyTo?: string[];
  /** Its backups are kept on their destinations only (--no-local-copy); absent: false. A backup's own choice overrides it. */
  noLocalCopy?: boolean;
  /** True when the OS keychain holds this profile's password (account = profile id). */
  keychainPassword: boolean;
  /**
   * Whether libpq's own password sources (~/.pgpass or PGPASSFILE, a service file's password) may
   * answer for this profile; an inherited PGPASSWORD never does. Every catalogued profile says; a
   * profile Holdfast makes up for itself (a drill's scratch server) leaves it out, which means no.
   */
  libpqPasswordFiles?: boolean;
  /** A whole-server profile (backup sets); null or absent: the one database dbname. */
  wholeServer?: WholeServer | null;
  /** Who its backups are encrypted to: recipients (age1…) and key names, or "none"; null or absent: BACKUP_ENCRYPTION_KEY decides. */
  encryptTo?: string[] | 'none' | null;
  createdAt: string;
}

export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';

/**
 * What a list of backups shows (the desktop's table, the restore wizard's choice): the catalogue's
 * columns without the per-backup detail (tables, row counts, options, roles file, files, checksum).
 * With 10,000 backups the full records are ~13 MB of JSON; this is about a seventh of that.
 */
/** A table row's worth of a backup; scope stands in for the options, so a schema-only backup never looks full. */
export type BackupSummary = Pick<
  BackupMetadata,
  'id' | 'filename' | 'timestamp' | 'size' | 'duration' | 'profile' | 'database' | 'format' | 'compression' | 'status' | 'lastVerified' | 'restoreTest'
> & {
  scope: BackupScope;
  pinned: boolean;
  /** The age recipients it was encrypted to; null when it is not encrypted. */
  encryptedTo: string[] | null;
  /** An encrypted backup in a list: whether a secret that opens it is on this machine (encryption/key-here.ts). */
  keyHere?: boolean;
  /** A dump made elsewhere and imported (holdfast import), not a backup Holdfast took. */
  imported: boolean;
};

export interface RunRecord {
  id: string;
  kind: 'backup' | 'verify' | 'restore';
  profile: string | null;
  backupId: string | null;
  status: RunStatus;
  /** Interrupted because the user cancelled it: not a failure. */
  cancelled: boolean;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  detail: Record<string, unknown> | null;
}

/** Which process runs the schedules. */
export const SCHEDULE_HOST_KINDS = ['desktop', 'daemon', 'serve'] as const;
export type ScheduleHostKind = (typeof SCHEDULE_HOST_KINDS)[number];

/** Whether a host can obtain what a profile's backup would use as its password, without connecting. */
export interface CredentialCheck {
  profile: string;
  ok: boolean;
  /** Where the backup's password comes from on that host. */
  source: 'secret-store' | 'libpq-files' | 'none';
  /** Why it cannot (ok false): the store and its error. */
  problem?: string;
  /** What to do about it (ok false): the store's own advice when it has some (a wrong key), else how a service gets a store. */
  hint?: string;
}

/** A backup's copy on a named destination, as the catalogue's backup_copies table records it (storage/copies.ts). */
export type CopyState = 'pending' | 'uploading' | 'verified' | 'failed' | 'missing';
export interface BackupCopy {
  destination: string;
  /** The dump's key on the destination (its sidecar and roles file sit beside it). */
  key: string;
  size: number;
  /** sha256:<hex>, the backup's own checksum the copy was compared with. */
  checksum: string;
  state: CopyState;
  /** Why the copy failed or is missing; null otherwise. */
  error: string | null;
  /** When the copy was last read back and matched. */
  verifiedAt: string | null;
  updatedAt: string;
  /** Each upload attempt, oldest first (absent on a copy recorded before attempts were kept). */
  attempts?: CopyAttempt[];
  /** The next automatic try of a copy that does not count (null: none planned, or it gave up). */
  retryAt?: string | null;
  /** Automatic rounds made so far (the scheduler's tick; bounded by AUTO_RETRY_DELAYS_MS). */
  autoRetries?: number;
}

/**
 * What one re-read of a copy found (verify --copies). 'unreachable': the destination could not be
 * asked (down, unmounted, refused the login), so the copy was not checked and its recorded state
 * stands; only a destination that answers "no such object" (missing) or other bytes (failed) changes it.
 */
export type CopyCheckOutcome = 'verified' | 'missing' | 'failed' | 'unreachable';
export interface CheckedCopy extends BackupCopy {
  checked: CopyCheckOutcome;
  /** Why it is not verified this time (the destination's error when unreachable); null when it is. */
  problem: string | null;
}

/** One try at uploading a copy: a failed one says why; retries and `holdfast copies retry` add more. */
export interface CopyAttempt {
  startedAt: string;
  finishedAt: string;
  outcome: 'verified' | 'failed';
  error: string | null;
}
