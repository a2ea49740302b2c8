// A whole-server backup set: the server's databases listed at the start, one roles file
// (pg_dumpall --globals-only, without passwords), and one member backup per database, N at a time,
// each taken by the same path as any backup (backup/backup.ts: its own snapshot and exact counts,
// structure check, checksum, seal, sidecar). The set is completed only when every expected database
// is held and the roles were saved; otherwise partial, each failure with its reason. Its manifest
// (the record as JSON) is written durably beside the members and its SHA-256 kept in the catalogue.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { runBackup, type BackupProgress, type EngineContext } from '../backup/backup.ts';
import type { EncryptionPlan } from '../encryption/encryption-plan.ts';
import { dumpGlobals, type SavedGlobals } from '../backup/globals.ts';
import { backupFilename, ENCRYPTED_SUFFIX, fileSafe, GLOBALS_SUFFIX, TEMP_SUFFIX } from '../backup/naming.ts';
import type { BackupOptions } from '../backup/options.ts';
import { claimRun, recordFailure } from '../backup/run-claim.ts';
import { newId } from '../catalogue/catalogue.ts';
import { renameDurably, writeFileDurably } from '../fsutil/durable.ts';
import { ensureBackupDir } from '../fsutil/dir-ownership.ts';
import { HoldfastError, toErrorInfo } from '../model/errors.ts';
import type { BackupMetadata, Profile } from '../model/types.ts';
import { openSession, type ServerSession } from '../pg/session.ts';
import type { ChildRecord } from '../process/child.ts';
import { pickClientTools } from '../tools/discover.ts';
import { defaultParallelDatabases, runBounded } from './parallelism.ts';
import { failedMemberHint } from './member-hint.ts';
import { connectRefusals, listServerDatabases } from './server-databases.ts';
import { MANIFEST_DETAIL, SET_EXTENSION, setStatusOf, startingSet, type BackupSet, type SetMember } from './set-record.ts';
import { SetStore } from './set-rows.ts';

export interface SetHooks {
  signal?: AbortSignal;
  onProgress?: (progress: BackupProgress) => void;
  trigger?: Record<string, unknown>;
  /** Who the members and the roles file are encrypted to (encryption/encryption-plan.ts); absent: not encrypted. */
  encryption?: EncryptionPlan;
  /** Each member as it ends: a completed backup, or a failure with its reason. */
  onMember?: (member: { database: string; backup?: BackupMetadata; error?: unknown }) => Promise<void> | void;
}

/** Members are dumps of whole databases: per-table filters would name tables most databases lack. */
function refuseFilters(options: BackupOptions): void {
  if (options.tables.length + options.excludeTables.length + options.schemas.length + options.excludeSchemas.length > 0) {
    throw new HoldfastError(
      'BAD_INPUT',
      'A whole-server backup set dumps whole databases; --table, --exclude-table, --schema and --exclude-schema do not apply to it.',
      'Leave them out, or back up one database with a profile of its own.',
    );
  }
  // Sets are not copied to destinations yet, so the local files would be their only copy.
  if (options.noLocalCopy) {
    throw new HoldfastError('BAD_INPUT', 'A whole-server backup set cannot be kept on destinations only: sets are not copied to destinations yet.', 'Leave out --no-local-copy for this profile.');
  }
}

/** A member's part of its file name: the database's name made file-safe, with a short hash when that changed it (two names could meet). */
export function memberFileTag(database: string): string {
  const safe = fileSafe(database);
  return safe === database ? safe : `${safe}-${createHash('sha256').update(database).digest('hex').slice(0, 8)}`;
}

async function readServer(client: pg.Client): Promise<{ major: number; version: string }> {
  const row = (await client.query<{ num: string; version: string }>(`SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version`)).rows[0]!;
  return { major: Math.floor(Number(row.num) / 10000), version: `PostgreSQL ${row.version.split(' ')[0]}` };
}

export async function takeSet(context: EngineContext, profile: Profile, options: BackupOptions, hooks: SetHooks = {}): Promise<BackupSet> {
  const { config, catalogue } = context;
  if (!profile.wholeServer) throw new HoldfastError('BAD_INPUT', `Profile "${profile.name}" backs up one database, not the whole server.`, `Back it up with \`holdfast backup ${profile.name}\`.`);
  refuseFilters(options);
  const sets = new SetStore(catalogue.db);
  const started = performance.now();
  const startedAt = new Date();
  const manifestName = backupFilename(startedAt, profile.name, options.suffix, SET_EXTENSION);
  const manifestPath = join(config.backupDir, manifestName);
  const stem = manifestPath.slice(0, -(SET_EXTENSION.length + 1));
  const encrypted = hooks.encryption ? ENCRYPTED_SUFFIX : '';
  const globalsPath = `${stem}${GLOBALS_SUFFIX}${encrypted}`;
  // The run's temp name is the one the start-up sweep pairs with the roles file's temp (backup/leftover-temps.ts).
  // The manifest's name is not the run's `filename` until it is written: a list shows a failed run's
  // filename as its file, and a set that failed before it started wrote none.
  const runId = claimRun(catalogue, profile.name, () =>
    catalogue.startRun({
      kind: 'backup',
      profile: profile.name,
      tempPath: `${stem}${encrypted}${TEMP_SUFFIX}`,
      detail: { [MANIFEST_DETAIL]: manifestName, wholeServerSet: true, options, trigger: hooks.trigger ?? { kind: 'manual' } },
    }),
  );
  const onStart = (child: ChildRecord) => {
    try {
      catalogue.recordChild(runId, child);
    } catch {
      // As in backup.ts: the lifeline still ends the child with us.
    }
  };
  const parallel = profile.wholeServer.parallelDatabases ?? defaultParallelDatabases();
  const set = startingSet({ id: newId(), profile: profile.name, timestamp: startedAt.toISOString(), parallelDatabases: parallel });

  let session: ServerSession | undefined;
  let globals: Promise<SavedGlobals> | undefined;
  try {
    await ensureBackupDir(config.backupDir);
    session = await openSession(context, profile);
    const client = await session.connect();
    let tools;
    let access: { role: string; refused: Set<string> } = { role: profile.user, refused: new Set() };
    try {
      const server = await readServer(client);
      const { expected, excluded } = await listServerDatabases(client, profile.wholeServer.excludeDatabases);
      Object.assign(set, { version: server.version, serverMajor: server.major, expected, excluded });
      access = await connectRefusals(client, expected);
      tools = pickClientTools(await context.clientTools(session.toolsDir), server.major, `Backing up the server of profile "${profile.name}" (${server.version})`, session.toolsDir);
    } finally {
      await client.end();
    }
    const previous = sets.list({ profile: profile.name, statuses: ['completed', 'partial', 'interrupted'] }).at(-1);
    if (previous) {
      set.added = set.expected.filter((db) => !previous.expected.includes(db));
      set.dropped = previous.expected.filter((db) => !set.expected.includes(db) && !set.excluded.includes(db));
    }
    sets.start(set, runId);
    globals = dumpGlobals(tools, profile, session.childEnv(), `${globalsPath}${TEMP_SUFFIX}`, { signal: hooks.signal, timeoutMs: config.timeoutMs, onStart, encryptTo: hooks.encryption?.target });
    const cancelled = () => hooks.signal?.aborted === true;
    const members = await runBounded(
      set.expected,
      parallel,
      async (database): Promise<SetMember> => {
        try {
          const backup = await runBackup(context, {
            profile: { ...profile, dbname: database },
            options,
            setMember: { setId: set.id, fileTag: memberFileTag(database) },
            ...(hooks.encryption ? { encryption: hooks.encryption } : {}),
            ...(hooks.signal ? { signal: hooks.signal } : {}),
            ...(hooks.onProgress ? { onProgress: (progress: BackupProgress) => hooks.onProgress?.({ ...progress, database }) } : {}),
            trigger: { ...(hooks.trigger ?? { kind: 'manual' }), set: set.id },
          });
          await hooks.onMember?.({ database, backup });
          return { database, id: backup.id, filename: backup.filename, checksum: backup.checksum, status: 'completed', error: null, rowCounts: backup.rowCounts, size: backup.size };
        } catch (error) {
          await hooks.onMember?.({ database, error });
          hooks.onProgress?.({ phase: 'failed', bytes: 0, elapsedMs: Math.round(performance.now() - started), expectedBytes: undefined, database });
          const info = toErrorInfo(error);
          if (info.code === 'CANCELLED') return { database, id: null, filename: null, checksum: null, status: 'interrupted', error: info.message, rowCounts: {}, size: 0 };
          const ownHint = error instanceof HoldfastError ? error.hintTemplate : info.hint;
          const next = failedMemberHint(profile, { database, role: access.role, mayNotConnect: access.refused.has(database), ownHint });
          return { database, id: null, filename: null, checksum: null, status: 'failed', error: info.message, ...next, rowCounts: {}, size: 0 };
        }
      },
      cancelled,
    );
    set.databases = members.filter((member): member is SetMember => member !== undefined);
    const saved = await globals;
    globals = undefined;
    set.globals = { filename: saved.filename, checksum: saved.checksum, note: saved.note };
    if (saved.filename) {
      // Recorded first: what a clean-up after a kill may adopt is these bytes, not any file under the name.
      sets.recordGlobals(set.id, set.globals);
      await renameDurably(`${globalsPath}${TEMP_SUFFIX}`, globalsPath);
    }
    if (cancelled()) throw new HoldfastError('CANCELLED', 'The backup set was cancelled; the members taken so far are kept and listed with the interrupted set.');
    Object.assign(set, setStatusOf(set));
    set.durationMs = Math.round(performance.now() - started);
    const text = `${JSON.stringify({ ...set, manifest: null }, null, 2)}\n`;
    await writeFileDurably(manifestPath, text);
    set.manifest = { filename: manifestName, checksum: `sha256:${createHash('sha256').update(text).digest('hex')}` };
    catalogue.db.transaction(() => {
      sets.finish(set);
      catalogue.finishRun(runId, set.status === 'completed' ? 'completed' : 'failed', {
        ...(set.status === 'completed' ? {} : { error: `Backup set ${set.id} is partial: ${set.problems.join('; ')}` }),
        // Members' runs say `set`; the set's own run names its manifest and its set.
        detail: { filename: manifestName, setId: set.id },
      });
    })();
    return set;
  } catch (error) {
    await globals?.catch(() => undefined);
    await rm(`${globalsPath}${TEMP_SUFFIX}`, { force: true });
    const info = toErrorInfo(error);
    // The members taken so far stay, listed with the interrupted set (and its roles file, when saved).
    set.status = 'interrupted';
    set.problems = [...set.problems, info.message];
    try {
      sets.finish(set);
    } catch {
      // The row may never have been written; the run below says what happened.
    }
    recordFailure(catalogue, runId, info, config.home);
    throw error;
  } finally {
    await session?.close();
  }
}

/** The manifest as written, for verify: its SHA-256 must be the one the catalogue kept. */
export async function manifestChecksum(path: string): Promise<string> {
  return `sha256:${createHash('sha256')
    .update(await readFile(path))
    .digest('hex')}`;
}
