// A restore drill: prove a backup restores by restoring it. Verify checksum and structure (while a
// scratch server of the backup's major starts; nothing reaches the server before the checks pass),
// apply the roles file, restore (pg_restore -j where the format allows, counting each table's rows as
// soon as its data is in), compare every table's exact row count with the manifest, then stop the
// server and remove its directory — also on failure and on cancel.
import { crashPoint } from '../process/crash-point.ts';
import { buffer } from 'node:stream/consumers';
import type pg from 'pg';
import type { ArchiveInspection } from '../archive/inspect.ts';
import type { EngineContext } from '../backup/backup.ts';
import { type ErrorCode, HoldfastError, toErrorInfo } from '../model/errors.ts';
import { quoteIdent } from '../pg/connection.ts';
import type { ServerSession } from '../pg/session.ts';
import { keepRunToolOutput } from '../catalogue/tool-output-rows.ts';
import type { ToolStderr } from '../process/tool-output.ts';
import { runRestoreTool, type RestoreToolOptions } from '../restore/restore-tool.ts';
import { readablePlaintext } from '../encryption/readable.ts';
import type { Offsite } from '../storage/offsite.ts';
import { countTables, type TableCount } from '../restore/table-counts.ts';
import { pickClientTools, type ClientToolSet } from '../tools/discover.ts';
import type { BackupMetadata, Profile } from '../model/types.ts';
import { checkBackupFiles, dumpClientMajor, type VerifyCheck } from '../verify/verify.ts';
import { backupStorage, type StoredBackup } from '../storage/storage.ts';
import { decodeRolesFile, RolesFileRefused } from './roles-file.ts';
import { CountsAsRestored, planEarlyCounts } from './count-as-restored.ts';
import { checksOfStoredFile } from './stored-checks.ts';
import type { DrillSlots } from './drill-slots.ts';
import { describeProblem, RestoreErrorCollector, type RestoreProblem } from './restore-errors.ts';
import { profileTarget, scratchTarget, type DrillTarget } from './drill-target.ts';
import type { SandboxIsolation } from './scratch-server.ts';

export interface RestoreTestResult {
  /** The drill's run: its kept pg_restore/psql stderr is read by this id (run.toolOutput). */
  runId: string;
  ok: boolean;
  /**
   * passed/failed say something about the backup and are stored on it; not-run (no server binaries,
   * a server that would not start, a cancel) says nothing about it, so its last verdict stands.
   */
  verdict: 'passed' | 'failed' | 'not-run';
  id: string;
  filename: string;
  at: string;
  durationMs: number;
  /** e.g. "PostgreSQL 15 (installed, /usr/lib/postgresql/15/bin)" */
  server: string | null;
  checks: VerifyCheck[];
  tables: TableCount[];
  error: string | null;
  /** How the dump's code was kept from the host (scratch servers only): OS user, network, the role it ran as. */
  sandbox: (SandboxIsolation & { restoredAs: string }) | null;
  /** Objects a drill's ordinary role may not create (event triggers, untrusted languages, …): not restored, and not a failure. */
  restoredWithout: RestoreProblem[];
  /** What else the drill did differently from a real restore, in words (roles left out or demoted, owners not set). */
  notes: string[];
  /** Encrypted backups: the name of the key that decrypted it (the drill proves the key works). */
  decryptedWith?: string;
}

/** The profile's own checks, each SQL whose first column of its first row must be true, run read-only. */
async function runDrillChecks(session: ServerSession, database: string, checks: readonly string[]): Promise<VerifyCheck[]> {
  if (checks.length === 0) return [];
  const client = await session.connect(database);
  const results: VerifyCheck[] = [];
  try {
    for (const sql of checks) {
      try {
        await client.query('BEGIN READ ONLY');
        // The search_path of a fresh database, whatever the dump's code set for it or for the role (pg_catalog first).
        await client.query(`SET LOCAL search_path = "$user", public`);
        const rows = await client.query<Record<string, unknown>>(sql);
        const first = rows.rows[0] ? Object.values(rows.rows[0])[0] : undefined;
        results.push({ name: 'userCheck', status: first === true ? 'ok' : 'failed', detail: `${sql} → ${JSON.stringify(first ?? null)}` });
      } catch (error) {
        results.push({ name: 'userCheck', status: 'failed', detail: `${sql} → error: ${(error as Error).message}` });
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
      }
    }
  } finally {
    await client.end();
  }
  return results;
}

export interface RestoreTestOptions {
  signal?: AbortSignal;
  /** Restore into a scratch server of this major instead of the backup's own (upgrade rehearsal). */
  major?: number;
  /** Restore into a throwaway database on this profile's server instead of a scratch server. */
  onProfile?: Profile;
  /** The process's drill limit: the drill waits for a slot before it starts anything. */
  slots?: DrillSlots;
}

interface DrillInput extends RestoreTestOptions {
  /** The key that decrypted an encrypted backup into its private copy. */
  decryptedWith: string | undefined;
}

/** Errors that stop a drill before it can say anything about the backup. */
const COULD_NOT_RUN: ReadonlySet<ErrorCode> = new Set(['TOOL_MISSING', 'CONNECTION_FAILED', 'CANCELLED', 'NO_KEYCHAIN', 'NO_KEY', 'VERSION_MISMATCH']);

/**
 * Restores, then counts every manifest table exactly. With pg_restore -j, a table whose data item
 * pg_restore reports finished is counted right then (count-as-restored.ts); the rest after it exits.
 */
export async function restoreAndCount(
  context: EngineContext,
  session: ServerSession,
  tools: ClientToolSet,
  backup: BackupMetadata,
  restoreOptions: RestoreToolOptions,
  database: string,
  archive: ArchiveInspection | undefined,
): Promise<TableCount[]> {
  const plan = archive?.ok ? planEarlyCounts(backup.rowCounts, archive.tables, archive.dataItems) : new Map();
  let client: Promise<pg.Client> | undefined;
  const early = new CountsAsRestored(plan, async ({ schema, name }) => {
    client ??= session.connect(database);
    // Qualified: a search_path the dump's code set for the database could put its own count() first. (int8 arrives as a string.)
    const counted = await (await client).query<{ n: string }>(`SELECT pg_catalog.count(*) AS n FROM ONLY ${quoteIdent(schema)}.${quoteIdent(name)}`);
    return Number(counted.rows[0]!.n);
  });
  const entries = Object.entries(backup.rowCounts);
  const counts = new Map<string, number | null>();
  const countRest = async (rest: Array<[string, number]>) => {
    if (rest.length > 0) for (const { table, actual } of await countTables(session, database, backup, rest)) counts.set(table, actual);
  };
  try {
    await runRestoreTool(context, session, tools, backup, plan.size > 0 ? { ...restoreOptions, onStderrLine: early.onLine } : restoreOptions, database);
    crashPoint('restore:restored');
    // The count in flight finishes beside the counts of the tables never begun.
    await Promise.all([early.stop(), countRest(entries.filter(([table]) => !early.started.has(table)))]);
    for (const [table, actual] of early.counts) counts.set(table, actual);
    await countRest(entries.filter(([table]) => !counts.has(table)));
  } finally {
    await early.stop();
    await client?.then((c) => c.end()).catch(() => undefined);
  }
  return entries.map(([table, expected]) => ({ table, expected, actual: counts.get(table) ?? null }));
}

/** A roles file is a few kilobytes; one far larger is not what pg_dumpall wrote. */
const MAX_ROLES_FILE = 16 * 1024 * 1024;

async function readRolesFile({ destination, globalsKey }: StoredBackup): Promise<string> {
  const path = destination.describe(globalsKey!);
  const size = (await destination.stat(globalsKey!))?.size;
  if (size === undefined) throw new HoldfastError('VERIFY_FAILED', `The backup's roles file ${path} is gone.`, 'Run `holdfast verify` on the backup: it says what else is missing.');
  if (size > MAX_ROLES_FILE)
    throw new HoldfastError(
      'VERIFY_FAILED',
      `The backup's roles file ${path} is larger than ${MAX_ROLES_FILE / 1024 / 1024} MB; pg_dumpall writes only role definitions there.`,
      'Compare it with a fresh `pg_dumpall --globals-only` of the server.',
    );
  const bytes = await buffer(await destination.open(globalsKey!));
  try {
    return decodeRolesFile(bytes);
  } catch (error) {
    if (!(error instanceof RolesFileRefused)) throw error;
    throw new HoldfastError(
      'VERIFY_FAILED',
      `The backup's roles file ${path} cannot be read: ${error.message}.`,
      'A drill reads roles files in the encodings PostgreSQL servers use (UTF8, SQL_ASCII, LATIN1–9, WIN866/874/125x, ISO_8859_5–8, KOI8R/U, EUC_JP/KR); report this one as an issue.',
    );
  }
}

export async function testRestore(context: EngineContext & { offsite?: Pick<Offsite, 'readable' | 'sourceFor'> }, ref: string, options: RestoreTestOptions = {}): Promise<RestoreTestResult> {
  const { catalogue } = context;
  const stored = catalogue.requireBackup(ref);
  // Refused before anything is recorded: this says nothing about the backup.
  // Only a server a super-admin designated (tag drill-target, a super-admin's change under serve).
  const designated = options.onProfile;
  if (designated && (designated.tags.includes('production') || !designated.tags.includes('drill-target'))) {
    throw new HoldfastError(
      'BAD_INPUT',
      `Profile "${designated.name}" is ${designated.tags.includes('production') ? 'tagged production' : 'not tagged drill-target'}; a restore drill creates and drops a database on the server it runs on.`,
      `Designate a scratch server's profile: \`holdfast profile edit ${designated.name} --tag drill-target\` (a super-admin's change; --tag replaces the tags, and production must not be among them), or leave --on-profile out to use a sandboxed scratch server of Holdfast's own.`,
    );
  }
  const release = await options.slots?.acquire(options.signal);
  try {
    // The drill's tools read a local file: the stored one itself for BACKUP_DIR (core/storage), or an
    // encrypted backup's private decrypted copy (encryption/decrypted-copy.ts).
    let copy;
    let from: string | undefined;
    try {
      // The local file gone (a lost disk, or a backup kept on its destinations only): the first verified
      // copy, downloaded into a private directory and checked, then (encrypted) decrypted privately.
      const offsite = context.offsite;
      from = await offsite?.sourceFor(stored);
      copy = await readablePlaintext(context, stored, from && offsite ? (backup) => offsite.readable(backup, from!) : undefined);
    } catch (error) {
      // A stored file that does not decrypt is a verdict on the backup: the drill's own checks find
      // it again (verify's decrypt check) and record the drill as failed.
      if (error instanceof HoldfastError && error.code === 'DECRYPT_FAILED') return await drill(context, stored, { ...options, decryptedWith: undefined });
      throw error;
    }
    const readable = copy;
    const result = await drill(context, readable.backup, { ...options, decryptedWith: readable.keyName }).finally(() => readable.release());
    if (readable.keyName !== undefined) result.checks = checksOfStoredFile(context, stored, result.checks, readable.keyName, from);
    if (from) result.notes.unshift(`Read from its copy on "${from}" (no local file).`);
    return result;
  } finally {
    release?.();
  }
}

async function drill(context: EngineContext, backup: BackupMetadata, options: DrillInput): Promise<RestoreTestResult> {
  const { catalogue } = context;
  const started = performance.now();
  const at = new Date().toISOString();
  const runId = catalogue.startRun({
    kind: 'verify',
    profile: backup.profile,
    backupId: backup.id,
    detail: { testRestore: true, ...(options.onProfile ? { onProfile: options.onProfile.name } : {}) },
  });
  const result: RestoreTestResult = {
    runId,
    ok: false,
    verdict: 'failed',
    id: backup.id,
    filename: backup.filename,
    at,
    durationMs: 0,
    server: null,
    checks: [],
    tables: [],
    error: null,
    sandbox: null,
    restoredWithout: [],
    notes: options.decryptedWith ? [`Decrypted with key "${options.decryptedWith}".`] : [],
    ...(options.decryptedWith ? { decryptedWith: options.decryptedWith } : {}),
  };
  let target: DrillTarget | undefined;
  const toolStderr: ToolStderr[] = [];
  // A cancel (Ctrl-C) stops the scratch server (or drops the drill's database) at once, which ends
  // whatever query the drill is waiting on; the steps in between check for it too.
  const cancelled = () => options.signal?.aborted === true;
  const stopOnCancel = () => target?.cancel();
  options.signal?.addEventListener('abort', stopOnCancel, { once: true });
  const step = () => {
    if (cancelled()) throw new HoldfastError('CANCELLED', 'cancelled');
  };
  try {
    // The server starts while the backup is read; a damaged backup stops it unused.
    let archive: ArchiveInspection | undefined;
    const [checked, started] = await Promise.allSettled([
      checkBackupFiles(context, backup, { pgRestoreList: false, onInspected: (found) => (archive = found) }),
      options.onProfile ? profileTarget(context, backup, options.onProfile) : scratchTarget(context, backup, options.major ?? backup.serverMajor),
    ]);
    // Removed in `finally` whatever the checks found.
    if (started.status === 'fulfilled') target = started.value;
    if (checked.status === 'rejected') throw checked.reason;
    result.checks = checked.value;
    const failed = result.checks.filter((check) => check.status === 'failed');
    if (failed.length > 0) throw new Error(`the backup failed verification: ${failed.map((c) => c.detail).join('; ')}`);
    if (started.status === 'rejected') throw started.reason;
    step();
    const drill = started.value;
    result.server = drill.label;
    const { database } = drill;
    const tools = pickClientTools(await context.clientTools(context.config.pgBinDir), dumpClientMajor(backup), `Test-restoring ${backup.filename}`, context.config.pgBinDir);
    const prepared = await drill.prepare(backup.globals.filename ? await readRolesFile(backupStorage(context.config).locate(backup)) : undefined);
    result.sandbox = drill.sandbox;
    result.notes.push(...prepared.notes);
    const { session, rolesApplied } = prepared;
    step();
    const parallel = backup.format === 'custom' || backup.format === 'directory';
    const collectErrors = new RestoreErrorCollector();
    const restoreOptions: RestoreToolOptions = {
      toolStderr,
      jobs: parallel ? 2 : undefined,
      noOwner: !rolesApplied && backup.format !== 'plain',
      noAcl: !rolesApplied && backup.format !== 'plain',
      collectErrors,
      onStart: (child) => catalogue.recordChild(runId, child),
      ...(options.signal ? { signal: options.signal } : {}),
    };
    result.tables = await restoreAndCount(context, session, tools, backup, restoreOptions, database, parallel ? archive : undefined);
    step();
    // Said, not left to an empty table list: a pass here proves less than a pass of a backup Holdfast took.
    if (backup.imported && Object.keys(backup.rowCounts).length === 0)
      result.notes.push(
        'No row counts were compared: the backup records none (an imported archive carries none), so this drill proves it restores, not that its rows match the database it came from.',
      );
    const restoreErrors = collectErrors.report();
    result.restoredWithout = restoreErrors.needsSuperuser;
    if (restoreErrors.ownerNotSet.length > 0)
      result.notes.push(
        `Owned by the drill's role instead of their own (${restoreErrors.ownerNotSet.length}): ${restoreErrors.ownerNotSet
          .slice(0, 10)
          .map((p) => p.object)
          .join(', ')}${restoreErrors.ownerNotSet.length > 10 ? ', …' : ''}.`,
      );
    if (restoreErrors.failures.length > 0) {
      throw new HoldfastError(
        'RESTORE_FAILED',
        `${restoreErrors.failures.length} object${restoreErrors.failures.length === 1 ? '' : 's'} did not restore: ${restoreErrors.failures.slice(0, 5).map(describeProblem).join('; ')}${restoreErrors.failures.length > 5 ? '; …' : ''}`,
      );
    }
    result.checks.push(...(await runDrillChecks(session, database, context.catalogue.getProfile(backup.profile)?.drillChecks ?? [])));
    step();
    const wrong = result.tables.filter((table) => table.actual !== table.expected);
    if (wrong.length > 0) throw new Error(`row counts differ from the manifest for ${wrong.map((t) => t.table).join(', ')}`);
    const failedChecks = result.checks.filter((check) => check.name === 'userCheck' && check.status === 'failed');
    if (failedChecks.length > 0) throw new Error(`${failedChecks.length} of the profile's drill checks failed: ${failedChecks.map((c) => c.detail).join('; ')}`);
    result.ok = true;
    result.verdict = 'passed';
  } catch (error) {
    const info = toErrorInfo(error);
    if (cancelled() || COULD_NOT_RUN.has(info.code)) result.verdict = 'not-run';
    result.error = cancelled() ? `The restore drill was cancelled; ${options.onProfile ? 'its database was dropped' : 'its scratch server was stopped and removed'}.` : info.message;
  } finally {
    options.signal?.removeEventListener('abort', stopOnCancel);
    try {
      await target?.remove();
    } catch (error) {
      // The verdict on the backup stands; a drill database left behind is named so the DBA can drop it.
      result.checks.push({ name: 'cleanup', status: 'failed', detail: `the drill's database "${target?.database}" could not be dropped: ${(error as Error).message}` });
    }
    result.durationMs = Math.round(performance.now() - started);
    catalogue.db.transaction(() => {
      if (result.verdict !== 'not-run') catalogue.recordRestoreTest(backup.id, result.ok, at);
      catalogue.finishRun(runId, result.ok ? 'completed' : 'failed', {
        ...(result.error ? { error: result.error } : {}),
        detail: {
          testRestore: {
            ok: result.ok,
            verdict: result.verdict,
            server: result.server,
            durationMs: result.durationMs,
            tables: result.tables,
            sandbox: result.sandbox,
            restoredWithout: result.restoredWithout,
            notes: result.notes,
          },
        },
      });
    })();
    keepRunToolOutput(catalogue.db, runId, toolStderr);
  }
  return result;
}
