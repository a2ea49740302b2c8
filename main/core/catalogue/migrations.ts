// Numbered migrations: each runs once, in order, inside a transaction; user_version records the last.
// Most are SQL; one that needs what SQL cannot know (BACKUP_DIR) is a function of the database.
import type Database from 'better-sqlite3';
import { keyLocalBackups } from './backup-rows.ts';
import { MOVE_UNWRITTEN_FILENAMES } from './unwritten-filenames.ts';

export interface MigrationContext {
  /** BACKUP_DIR when the catalogue is opened by the engine; absent when a catalogue is opened on its own. */
  backupDir: string | undefined;
}

export type Migration = string | ((db: Database.Database, context: MigrationContext) => void);

export const migrations: readonly Migration[] = [
  `
  CREATE TABLE profiles (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    user TEXT NOT NULL,
    dbname TEXT NOT NULL,
    sslmode TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('backup', 'verify', 'restore')),
    profile_name TEXT,
    backup_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    pid INTEGER,
    temp_path TEXT,
    error TEXT,
    detail TEXT
  );
  CREATE INDEX runs_started ON runs (started_at);
  CREATE TABLE backups (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    profile_name TEXT NOT NULL,
    filename TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('completed', 'missing', 'deleted')),
    created_at TEXT NOT NULL,
    size INTEGER NOT NULL,
    checksum TEXT NOT NULL,
    metadata TEXT NOT NULL,
    verified_at TEXT,
    verify_valid INTEGER
  );
  CREATE INDEX backups_profile ON backups (profile_name, created_at);
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT
  );
  `,
  `
  ALTER TABLE profiles ADD COLUMN sslrootcert TEXT;
  ALTER TABLE profiles ADD COLUMN sslcert TEXT;
  ALTER TABLE profiles ADD COLUMN sslkey TEXT;
  ALTER TABLE profiles ADD COLUMN service TEXT;
  ALTER TABLE profiles ADD COLUMN notes TEXT;
  ALTER TABLE profiles ADD COLUMN pg_bin_dir TEXT;
  -- Whether the keychain holds a password for the profile; the password itself is never here.
  ALTER TABLE profiles ADD COLUMN keychain_password INTEGER NOT NULL DEFAULT 0;
  `,
  `
  CREATE TABLE schedules (
    id TEXT PRIMARY KEY,
    profile_name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('daily', 'weekly', 'monthly', 'custom')),
    cron TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    options TEXT NOT NULL,
    retention TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    -- The next due time is stored, so a slot missed while Holdfast was not running is seen at start.
    next_run TEXT NOT NULL,
    last_run TEXT,
    last_status TEXT,
    last_error TEXT,
    last_catch_up INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  CREATE INDEX schedules_due ON schedules (enabled, next_run);
  `,
  `
  -- The latest restore drill of each backup (every drill is also a verify run with its detail).
  ALTER TABLE backups ADD COLUMN restore_test_at TEXT;
  ALTER TABLE backups ADD COLUMN restore_test_ok INTEGER;
  `,
  `
  -- The starting process's random token beside its pid: see process/liveness.ts.
  ALTER TABLE runs ADD COLUMN owner_token TEXT;
  `,
  `
  -- SQL a restore drill must find true in the restored database (JSON array of strings).
  ALTER TABLE profiles ADD COLUMN drill_checks TEXT NOT NULL DEFAULT '[]';
  `,
  `
  -- Run a restore drill after each backup this schedule takes.
  ALTER TABLE schedules ADD COLUMN test_restore INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- API users of holdfast serve. Only the SHA-256 of each token is kept (see core/users/users.ts).
  CREATE TABLE users (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'super-admin')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    token_issued_at TEXT NOT NULL,
    last_used_at TEXT
  );
  `,
  `
  -- Whether libpq's own password files (~/.pgpass, PGPASSFILE, a service file's password) may answer
  -- for the profile. Profiles from before were all made by the local owner, who relied on them.
  ALTER TABLE profiles ADD COLUMN libpq_password_files INTEGER NOT NULL DEFAULT 1;
  `,
  `
  -- A pinned backup is kept whatever the retention policy (holdfast pin).
  ALTER TABLE backups ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- Each replace restore's swap steps, written before each is taken, so the next start (or
  -- holdfast restore --recover) can roll a swap that Holdfast died in back or forward (restore/swap-journal.ts).
  CREATE TABLE restore_swaps (
    run_id TEXT PRIMARY KEY,
    profile_name TEXT NOT NULL,
    database TEXT NOT NULL,
    scratch_name TEXT NOT NULL,
    before_name TEXT NOT NULL,
    keep_before INTEGER NOT NULL,
    original_oid INTEGER NOT NULL,
    copy_oid INTEGER,
    step TEXT NOT NULL,
    allowconn_changed INTEGER NOT NULL DEFAULT 0,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    claimed_pid INTEGER,
    claimed_token TEXT,
    -- The last recovery attempt: a start retries an unreachable server only now and then.
    attempted_at TEXT,
    resolved_at TEXT,
    outcome TEXT,
    outcome_message TEXT
  );
  CREATE INDEX restore_swaps_unresolved ON restore_swaps (resolved_at);
  `,
  `
  -- The child processes of a run (pg_dump, pg_dumpall) with their process group and start time, so the
  -- next start ends what a killed Holdfast left running, and only that (process/child.ts).
  CREATE TABLE run_children (
    run_id TEXT NOT NULL,
    pid INTEGER NOT NULL,
    pgid INTEGER NOT NULL,
    start_token TEXT,
    PRIMARY KEY (run_id, pid)
  );
  -- A backup between its first rename and its catalogue row: its full metadata, final paths
  -- included, for the next start to finish it or take it back (backup/seal.ts).
  ALTER TABLE runs ADD COLUMN sealing TEXT;
  `,
  // Each backup's location (destination + key) beside its path: 'local' with the key relative to
  // BACKUP_DIR, or the absolute path as the key for a backup outside it (storage/location.ts).
  (db, context) => {
    keyLocalBackups(db, context.backupDir);
  },
  `
  -- Each process that runs the schedules (the desktop app, holdfast daemon, holdfast serve) and its
  -- heartbeat, so every shell can say who runs them and when it last ticked, and what this host found
  -- when it checked it can read each scheduled profile's password (catalogue/hosts.ts).
  CREATE TABLE schedule_hosts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('desktop', 'daemon', 'serve')),
    pid INTEGER NOT NULL,
    start_token TEXT,
    host_name TEXT NOT NULL,
    secret_store TEXT NOT NULL,
    started_at TEXT NOT NULL,
    last_tick TEXT NOT NULL,
    tick_interval_ms INTEGER NOT NULL,
    credentials TEXT NOT NULL DEFAULT '[]',
    credentials_checked_at TEXT
  );
  `,
  `
  -- Named storage destinations beyond BACKUP_DIR (storage/destinations.ts): a type and its settings as
  -- JSON. A destination's secret (an S3 secret key) lives in this host's secret store, never here;
  -- has_secret says whether one was stored (account "destination:<id>").
  CREATE TABLE destinations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL CHECK (type IN ('directory', 's3')),
    settings TEXT NOT NULL,
    has_secret INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  `
  -- Each backup's copies on named destinations (storage/copies.ts): a copy counts only once it was
  -- read back and its SHA-256 matched the backup's (state 'verified', verified_at).
  CREATE TABLE backup_copies (
    backup_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    key TEXT NOT NULL,
    size INTEGER NOT NULL,
    checksum TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'uploading', 'verified', 'failed', 'missing')),
    error TEXT,
    verified_at TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (backup_id, destination)
  );
  `,
  `
  -- Azure Blob and SFTP destinations (storage/azure-destination.ts, sftp-destination.ts): the type's
  -- CHECK is widened by rebuilding the table (SQLite cannot alter a CHECK); rows are kept as they are.
  CREATE TABLE destinations_new (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL CHECK (type IN ('directory', 's3', 'azure', 'sftp')),
    settings TEXT NOT NULL,
    has_secret INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  INSERT INTO destinations_new SELECT id, name, type, settings, has_secret, created_at, updated_at FROM destinations;
  DROP TABLE destinations;
  ALTER TABLE destinations_new RENAME TO destinations;
  `,
  `
  -- A copy's lifecycle (storage/copy-rows.ts): every upload attempt as JSON [{startedAt, finishedAt,
  -- outcome, error}]; which process is uploading it (pid + process token, so a start after a crash
  -- knows the copy is nobody's); an S3 multipart upload's id while one is open, so it can be aborted.
  ALTER TABLE backup_copies ADD COLUMN attempts TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE backup_copies ADD COLUMN owner_pid INTEGER;
  ALTER TABLE backup_copies ADD COLUMN owner_token TEXT;
  ALTER TABLE backup_copies ADD COLUMN upload_id TEXT;
  -- Where a profile's backups are copied by default (names of destinations, JSON); backup --copy-to overrides.
  ALTER TABLE profiles ADD COLUMN copy_to TEXT NOT NULL DEFAULT '[]';
  `,
  `
  -- Whole-server profiles (issue 16): NULL for one database, else JSON {excludeDatabases, parallelDatabases}.
  ALTER TABLE profiles ADD COLUMN whole_server TEXT;
  -- A backup set: one roles file and one member backup per database of a whole-server profile, taken
  -- as one run (sets/take-set.ts). Members are ordinary backups rows linked by set_id; the set is
  -- 'running' until its end is recorded, then completed (every expected database held), partial (the
  -- failures say which and why), interrupted (its Holdfast stopped), or deleted (retention, as a unit).
  CREATE TABLE backup_sets (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    profile_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'partial', 'interrupted', 'deleted')),
    manifest_path TEXT,
    manifest_checksum TEXT,
    manifest TEXT NOT NULL
  );
  CREATE INDEX backup_sets_profile ON backup_sets (profile_name, created_at);
  ALTER TABLE backups ADD COLUMN set_id TEXT;
  CREATE INDEX backups_set ON backups (set_id);
  `,
  `
  -- Who a profile's backups are encrypted to (encryption/encrypt-to.ts): JSON, a list of age
  -- recipients and key names or "none"; NULL leaves it to BACKUP_ENCRYPTION_KEY.
  ALTER TABLE profiles ADD COLUMN encrypt_to TEXT;
  `,
  `
  -- Settings changed in the app or with holdfast config set (config/app-settings.ts): each value as the
  -- text its environment variable would hold, parsed by the same schema. An environment variable that
  -- is set still wins. No secret is ever stored here (webhook URLs and passwords go to the secret store).
  CREATE TABLE app_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
  );
  `,
  `
  -- Notification channels added in the app (notify/app-channels.ts): kind, which events, and what is
  -- not secret. The webhook URL or SMTP password is in this host's secret store (account
  -- "notify:<id>"), never here; last_result is the channel's last delivery, for the Settings page.
  CREATE TABLE notify_channels (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('slack', 'webhook', 'teams', 'discord', 'email')),
    events TEXT NOT NULL CHECK (events IN ('failures', 'all', 'drills', 'copies')),
    settings TEXT NOT NULL,
    has_secret INTEGER NOT NULL DEFAULT 0,
    last_result TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  `
  -- What a run's client tools wrote to stderr (process/tool-output.ts): pg_dump and pg_dumpall for a
  -- backup, pg_restore or psql for a restore, scrubbed of row data and passwords and bounded to the
  -- last 64 KiB; shown in the run's details. A table of its own, so listing runs never reads it.
  CREATE TABLE run_tool_output (
    run_id TEXT PRIMARY KEY,
    output TEXT NOT NULL,
    truncated INTEGER NOT NULL DEFAULT 0,
    recorded_at TEXT NOT NULL
  );
  -- An interrupted run the user ended (Cancel): listed as cancelled, never counted as a failure.
  ALTER TABLE runs ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- A profile whose backups are kept on their destinations only (backup/offsite-only.ts): the local
  -- files go once every copy was read back and matched.
  ALTER TABLE profiles ADD COLUMN no_local_copy INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- A copy that did not count is tried again by the scheduler's tick (storage/copy-auto-retry.ts):
  -- retry_at is its next automatic try (NULL: none planned, or it gave up), auto_retries the rounds made.
  ALTER TABLE backup_copies ADD COLUMN retry_at TEXT;
  ALTER TABLE backup_copies ADD COLUMN auto_retries INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX backup_copies_retry ON backup_copies (retry_at) WHERE retry_at IS NOT NULL;
  `,
  `
  -- A schedule's own destinations (JSON list of names); NULL: the profile's default ones.
  ALTER TABLE schedules ADD COLUMN copy_to TEXT;
  `,
  `
  -- A destination's own retention policy text (retention/copy-cleanup.ts), applied by cleanup and the
  -- scheduled cleanup to the copies it holds; NULL: its copies go only with their backups.
  ALTER TABLE destinations ADD COLUMN retention TEXT;
  `,
  `
  -- The Backups list a page at a time (catalogue/backup-page.ts): its newest backups without sorting
  -- them all, how many there are by status, and a backup run's failed, interrupted or running
  -- attempts without reading every finished run.
  CREATE INDEX backups_created ON backups (created_at, id);
  CREATE INDEX backups_listed ON backups (status, created_at);
  CREATE INDEX runs_attempts ON runs (kind, status, started_at);
  `,
  `
  -- The Backups list's first page and its counts from one index, never the rows: backups outside a
  -- set (set_id NULL) newest first with their status beside them. Without it SQLite took the set_id
  -- index, read every row (each carries its metadata JSON) and sorted them all: ~35 ms per query at
  -- 10,000 backups, several per page, ~10 times that at 100,000 (issue 17, bench rows 7 and 7g).
  CREATE INDEX backups_unset_newest ON backups (set_id, created_at, id, status);
  `,
  `
  -- The start-up file check (catalogue/backup-rows.ts, selectFileCheckRows) from one index, never
  -- the rows: the fields it picks out of each backup's metadata are kept here as the same
  -- expressions. Without it every command's start read every row's whole metadata JSON: ~160 ms
  -- of CPU at 10,000 backups, ~40 ms with it (bench row 8d).
  CREATE INDEX backups_file_check ON backups (created_at, id, status, filename, path,
    json_extract(metadata, '$.location'), json_extract(metadata, '$.globals.filename'), json_extract(metadata, '$.options.noLocalCopy'));
  `,
  `
  -- Each destination's last test (storage/destination-tests.ts), kept so the next process and the page
  -- after a reload say when it was tested and how it went. By name: "remote" (BACKUP_REMOTE_BUCKET) has
  -- no destinations row. message: why it failed; NULL when it passed.
  CREATE TABLE destination_tests (
    name TEXT PRIMARY KEY,
    tested_at TEXT NOT NULL,
    ok INTEGER NOT NULL,
    message TEXT
  );
  `,
  `
  -- Every start reads the runs left running (catalogue.ts, STALE_RUN_CANDIDATES; the leftover-temp
  -- check too): without this index SQLite read every run ever recorded, each with its detail JSON,
  -- 10-30 ms of every command's start at 10,000 runs on a cold page cache (bench rows 8 and 8d).
  -- Partial, so it holds only the few running rows and costs finished runs nothing.
  CREATE INDEX runs_running ON runs (status) WHERE status = 'running';
  `,
  MOVE_UNWRITTEN_FILENAMES,
];
