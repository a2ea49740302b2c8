// Restore a catalogued backup into a profile's server. Order of business: prove the backup is intact
// (checksum and structure) before touching anything; refuse to write over a non-empty database unless
// the DBA said --clean and typed its name; and with --clean, restore into a scratch database first and
// swap it in only after its row counts match the manifest, so a failed restore never costs the original.
import type { ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type pg from 'pg';
import type { EngineContext } from '../backup/backup.ts';
import { HoldfastError, toErrorInfo } from '../model/errors.ts';
import { dbnameConninfo, quoteIdent } from '../pg/connection.ts';
import { openSession, type ServerSession } from '../pg/session.ts';
import { parseTableKey } from '../pg/table-key.ts';
import { runChild, stderrTail } from '../process/child.ts';
import { pickClientTools, type ClientToolSet } from '../tools/discover.ts';
import type { BackupMetadata, Profile } from '../model/types.ts';
import type { RestoreErrorCollector } from '../drill/restore-errors.ts';
import { checkBackupFiles, dumpClientMajor } from '../verify/verify.ts';
import { findExecutedFunctions } from './executed-functions.ts';
import { archiveContents, assessImpact, type RestoreImpact } from './impact.ts';
import { psqlKnowsRestrict, restrictedPsqlInput } from './psql-input.ts';
import { readBackupDatabaseEntries } from './backup-database-entries.ts';
import { planDatabaseProperties, type DatabasePropertiesPlan } from './database-properties.ts';
import { applyDatabaseProperties, createScratchDatabase } from './scratch-database.ts';
import { readTargetDatabase, type TargetDatabase } from './target-database.ts';
import { maintenanceConnection, settleSwap, swapConnection, SwapJournal } from './swap-journal.ts';

export interface RestoreRequest {
  ref: string;
  target: Profile;
  dbname?: string | undefined;
  create: boolean;
  clean: boolean;
  confirm?: string | undefined;
  noOwner: boolean;
  noAcl: boolean;
  jobs?: number | undefined;
  dryRun: boolean;
  /** Keep the replaced database as <db>__before_<time> instead of dropping it. */
  swap?: boolean;
  /** End other sessions on the database being replaced, which would otherwise block it. */
  terminateConnections?: boolean;
  signal?: AbortSignal;
  onProgress?: (phase: string) => void;
}

export interface TableCount {
  table: string;
  expected: number;
  actual: number | null;
}

export interface RestoreResult {
  dryRun: boolean;
  ok: boolean;
  backup: { id: string; filename: string };
  target: { profile: string; host: string; port: number; database: string; exists: boolean; relations: number };
  client: string;
  actions: string[];
  durationMs: number;
  tables: TableCount[];
  impact: RestoreImpact;
  /** With --swap: the name the replaced database now has. */
  keptAs?: string;
}

const refused = (message: string, hint?: string) => new HoldfastError('RESTORE_REFUSED', message, hint);

async function userRelationCount(session: ServerSession, database: string): Promise<number> {
  const client = await session.connect(database);
  try {
    const result = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`,
    );
    return Number(result.rows[0]!.n);
  } finally {
    await client.end();
  }
}

/** Exact rows per manifest table (or the ones given), on two connections at once (a restore drill waits on this). */
export async function countTables(session: ServerSession, database: string, backup: BackupMetadata, entries: ReadonlyArray<[string, number]> = Object.entries(backup.rowCounts)): Promise<TableCount[]> {
  const counts: TableCount[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    const client = await session.connect(database);
    try {
      for (let i = next++; i < entries.length; i = next++) {
        const [table, expected] = entries[i]!;
        const dot = parseTableKey(table) ?? (await resolveQualified(client, table));
        if (!dot) {
          counts[i] = { table, expected, actual: null };
          continue;
        }
        // Qualified: a search_path set for the database or role could put another count() first. (int8 arrives as a string.)
        const result = await client.query<{ n: string }>(`SELECT pg_catalog.count(*) AS n FROM ONLY ${quoteIdent(dot.schema)}.${quoteIdent(dot.name)}`);
        counts[i] = { table, expected, actual: Number(result.rows[0]!.n) };
      }
    } finally {
      await client.end();
    }
  };
  await Promise.all(Array.from({ length: Math.min(2, Math.max(entries.length, 1)) }, worker));
  return counts;
}

/**
 * A key from a manifest written before keys were quoted (pg/table-key.ts), split at the dot that
 * names a real table: schema and table names may both contain dots ("app.v2"."users").
 */
async function resolveQualified(client: pg.Client, table: string): Promise<{ schema: string; name: string } | undefined> {
  for (let dot = table.indexOf('.'); dot > 0; dot = table.indexOf('.', dot + 1)) {
    const schema = table.slice(0, dot);
    const name = table.slice(dot + 1);
    const found = await client.query('SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2', [schema, name]);
    if ((found.rowCount ?? 0) > 0) return { schema, name };
  }
  return undefined;
}

function scratchName(database: string, at: Date, kind: 'holdfast' | 'before'): string {
  const stamp = at.toISOString().replace(/[-:TZ.]/g, '').slice(0, 14);
  const suffix = `__${kind}_${stamp}`;
  // Identifiers are at most 63 bytes.
  let base = database;
  while (Buffer.byteLength(base + suffix) > 63) base = base.slice(0, -1);
  return base + suffix;
}

/**
 * A time whose scratch names (<db>__holdfast_<time>, <db>__before_<time>) no database has yet: names
 * are to the second, so a second replace restore of the same database within one second (or a kept
 * __before_ from an earlier one) would otherwise collide, and the swap fail after the whole restore.
 */
async function freeScratchStamp(client: pg.Client, database: string): Promise<Date> {
  const start = Date.now();
  for (let seconds = 0; seconds < 600; seconds += 1) {
    const at = new Date(start + seconds * 1000);
    const names = [scratchName(database, at, 'holdfast'), scratchName(database, at, 'before')];
    if (((await client.query('SELECT 1 FROM pg_database WHERE datname = ANY($1)', [names])).rowCount ?? 0) === 0) return at;
  }
  throw new HoldfastError('CONFLICT', `Every scratch name for "${database}" in the next ten minutes is taken by an existing database.`, `Drop the old ${database}__before_* and ${database}__holdfast_* databases you no longer need, then try again.`);
}

export interface RestoreToolOptions extends Pick<RestoreRequest, 'jobs' | 'noOwner' | 'noAcl' | 'signal'> {
  /** Archives only: runs pg_restore --verbose (its messages untranslated) and hands over each stderr line as it comes. */
  onStderrLine?: (line: string) => void;
  /**
   * A drill's restore into its sandbox: errors do not stop it (no --exit-on-error, no single
   * transaction, no ON_ERROR_STOP); each goes to the collector, and the caller judges them.
   */
  collectErrors?: RestoreErrorCollector;
}

/** pg_restore --verbose's progress lines ("pg_restore: processing item …"), left out of error messages. */
const progressLine = /^(?:pg_restore: )+(?!error:|warning:|detail:|hint:)/;

export async function runRestoreTool(
  context: EngineContext,
  session: ServerSession,
  tools: ClientToolSet,
  backup: BackupMetadata,
  request: RestoreToolOptions,
  database: string,
): Promise<void> {
  const collector = request.collectErrors;
  // A collector needs --verbose too: only then does pg_restore name the TOC entry an error belongs to.
  const verbose = (request.onStderrLine !== undefined || collector !== undefined) && backup.format !== 'plain';
  // LC_ALL would override LC_MESSAGES; progress lines and errors are read by their English text.
  const env = verbose || collector ? { ...session.childEnv(), LC_ALL: undefined, LC_MESSAGES: 'C' } : session.childEnv();
  const lineReaders = [request.onStderrLine, collector?.onLine].filter((reader): reader is (line: string) => void => reader !== undefined);
  const onSpawn =
    lineReaders.length > 0 ? (child: ChildProcess) => child.stderr && createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => lineReaders.forEach((read) => read(line))) : undefined;
  let result;
  if (backup.format === 'plain') {
    // psql runs a script's meta-commands on this host: it must know \restrict, and gets the script only through the check of psql-input.ts.
    if (!psqlKnowsRestrict(tools.version)) {
      throw new HoldfastError('TOOL_MISSING', `psql ${tools.version} (${tools.paths.psql}) cannot be kept from running a plain dump's psql meta-commands on this host: \\restrict came with psql 13.22, 14.19, 15.14, 16.10 and 17.6.`, 'Update the PostgreSQL client tools to the latest minor release of their major (or set HOLDFAST_PG_BIN to newer ones).');
    }
    const file = createReadStream(backup.path, { highWaterMark: 1024 * 1024 });
    const input: Readable = restrictedPsqlInput(backup.compression.startsWith('gzip') ? file.pipe(createGunzip()) : file);
    const stopOnError = collector ? ['--echo-errors'] : ['--set=ON_ERROR_STOP=1', '--single-transaction'];
    result = await runChild(tools.paths.psql, ['--no-psqlrc', '--quiet', '--no-password', ...stopOnError, `--dbname=${dbnameConninfo(database)}`], {
      env,
      stdin: input,
      signal: request.signal,
      timeoutMs: context.config.timeoutMs,
      ...(onSpawn ? { onSpawn } : {}),
    });
  } else {
    const args = [`--dbname=${dbnameConninfo(database)}`, '--no-password'];
    if (!collector) args.push('--exit-on-error');
    if (request.jobs && request.jobs > 1) args.push(`--jobs=${request.jobs}`);
    else if (!collector) args.push('--single-transaction');
    if (request.noOwner) args.push('--no-owner');
    if (request.noAcl) args.push('--no-acl');
    if (verbose) args.push('--verbose');
    args.push(backup.path);
    result = await runChild(tools.paths.pg_restore, args, { env, signal: request.signal, timeoutMs: context.config.timeoutMs, ...(onSpawn ? { onSpawn } : {}) });
    if (verbose) result = { ...result, stderr: result.stderr.split('\n').filter((line) => !progressLine.test(line)).join('\n') };
  }
  if (result.stoppedBecause === 'cancelled') throw new HoldfastError('CANCELLED', 'The restore was cancelled.');
  // With a collector, errors the tool got past are the caller's to judge; an exit it gave no error for is not.
  const judgedByCaller = collector !== undefined && !result.stoppedBecause && !result.signal && (result.exitCode === 0 || collector.sawErrors());
  if (!judgedByCaller && (result.exitCode !== 0 || result.stoppedBecause)) {
    const tool = backup.format === 'plain' ? 'psql' : 'pg_restore';
    const why = result.stoppedBecause ?? (result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}`);
    throw new HoldfastError('RESTORE_FAILED', `${tool} failed (${why}): ${stderrTail(result.stderr) || '(no message)'}`, 'Roles missing on the target? Try --no-owner --no-acl, or restore the backup\'s .globals.sql first.');
  }
}

export async function restoreBackup(context: EngineContext, request: RestoreRequest): Promise<RestoreResult> {
  const { catalogue, config } = context;
  const startedMs = performance.now();
  const backup = catalogue.requireBackup(request.ref);
  const target = request.target;
  const database = request.dbname ?? target.dbname;

  const replacing = request.clean || request.swap === true;
  const production = target.tags.includes('production');
  const expectedConfirm = production ? `${target.name}/${database}` : database;
  if (!request.dryRun && (replacing || production) && request.confirm !== expectedConfirm) {
    const what = replacing ? `${request.swap ? '--swap' : '--clean'} replaces database "${database}" on ${target.host}:${target.port}` : `Profile "${target.name}" is tagged production`;
    throw refused(`${what}; it needs --confirm=${expectedConfirm}.`, `Type ${production ? 'the profile and database names' : 'the target database name'} after --confirm= to say you mean it. Nothing was changed.`);
  }
  if (backup.format === 'plain' && (request.noOwner || request.noAcl)) {
    throw new HoldfastError('BAD_INPUT', '--no-owner and --no-acl need an archive backup (custom, directory or tar); a plain SQL backup restores as it was written.', 'Restore the .globals.sql first so the roles exist, or back up with --format custom.');
  }

  let session: ServerSession | undefined;
  const runId = request.dryRun ? undefined : catalogue.startRun({ kind: 'restore', profile: target.name, backupId: backup.id, detail: { database, clean: request.clean, create: request.create } });
  try {
    request.onProgress?.('verifying');
    const checks = await checkBackupFiles(context, backup);
    const failed = checks.filter((check) => check.status === 'failed');
    if (failed.length > 0) {
      catalogue.recordVerification(backup.id, false);
      throw refused(`Backup ${backup.filename} failed verification, so it was not restored: ${failed.map((c) => c.detail).join('; ')}`, 'Nothing was changed on the target. Restore an earlier backup (holdfast list).');
    }

    request.onProgress?.('inspecting target');
    session = await openSession(context, target);
    const maintenance = await maintenanceConnection(session);
    let exists: boolean;
    let stamp: Date;
    try {
      exists = ((await maintenance.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount ?? 0) > 0;
      stamp = await freeScratchStamp(maintenance, database);
    } finally {
      await maintenance.end();
    }
    const relations = exists ? await userRelationCount(session, database) : 0;
    if (!exists && !request.create && !replacing) {
      throw refused(`Database "${database}" does not exist on ${target.host}:${target.port}.`, 'Add --create to create it, or name an existing database with --dbname.');
    }
    if (exists && relations > 0 && !replacing) {
      throw refused(
        `Database "${database}" on ${target.host}:${target.port} is not empty (${relations} tables, views or sequences); it was not touched.`,
        `To replace it: --clean (or --swap to keep the old one) --confirm=${expectedConfirm}. To restore beside it: --dbname <new name> --create.`,
      );
    }

    const tools = pickClientTools(await context.clientTools(session.toolsDir), dumpClientMajor(backup), `Restoring ${backup.filename}`, session.toolsDir);
    const swap = replacing && exists;
    const workDatabase = swap ? scratchName(database, stamp, 'holdfast') : database;
    const keptAs = swap && request.swap ? scratchName(database, stamp, 'before') : undefined;
    const aside = keptAs ?? scratchName(database, stamp, 'before');
    const admin = await maintenanceConnection(session);
    let impact: RestoreImpact;
    // A replace restore's copy gets the replaced database's properties (or the backup's): see database-properties.ts.
    let original: TargetDatabase | undefined;
    let properties: DatabasePropertiesPlan | undefined;
    try {
      // Counting every table of the target is for the preview; a real restore skips it.
      const targetDb = exists && request.dryRun ? await session.connect(database) : undefined;
      try {
        // What the backup's code will run is for the preview too: a plain dump is read through once more for it.
        const [contents, executed, entries] = await Promise.all([
          archiveContents(tools, backup, config.timeoutMs),
          request.dryRun ? findExecutedFunctions(tools, backup, config.timeoutMs) : undefined,
          swap ? readBackupDatabaseEntries(tools, backup, config.timeoutMs) : undefined,
        ]);
        if (swap) {
          original = await readTargetDatabase(admin, database);
          if (!original) throw refused(`Database "${database}" disappeared from ${target.host}:${target.port} while the restore was being prepared.`, 'Nothing was changed. Check who is renaming or dropping it, then try again.');
          const roles = new Set((await admin.query<{ rolname: string }>('SELECT rolname FROM pg_roles')).rows.map((r) => r.rolname));
          properties = planDatabaseProperties({ backup: entries, target: original.properties, noOwner: request.noOwner, noAcl: request.noAcl, roles });
        }
        impact = await assessImpact({ admin, targetDb, backup, target, database, replacing, contents, executed, databaseProperties: properties });
      } finally {
        await targetDb?.end();
      }
    } finally {
      await admin.end();
    }
    const actions: string[] = [];
    if (swap) {
      const source = properties!.impact.some((line) => line.from === 'backup') ? 'as the backup had them' : `as "${database}" has them`;
      actions.push(
        `create scratch database "${workDatabase}"`,
        `restore ${backup.filename} into it`,
        'compare row counts with the manifest',
        `give it the database's owner, privileges, settings, comment and connection limit, ${source}`,
      );
      if (request.terminateConnections) actions.push(`end the ${impact.activeConnections} other sessions on "${database}"`);
      actions.push(`rename "${database}" aside`, `rename "${workDatabase}" to "${database}"`, keptAs ? `keep the previous database as "${keptAs}" until you drop it` : 'drop the previous database');
    } else {
      if (!exists) actions.push(`create database "${database}"`);
      actions.push(`restore ${backup.filename} into "${database}"`, 'compare row counts with the manifest');
    }
    const summary = {
      backup: { id: backup.id, filename: backup.filename },
      target: { profile: target.name, host: target.host, port: target.port, database, exists, relations },
      client: `${backup.format === 'plain' ? 'psql' : 'pg_restore'} ${tools.version}`,
      actions,
    };
    if (request.dryRun) return { ...summary, dryRun: true, ok: true, durationMs: Math.round(performance.now() - startedMs), tables: [], impact };

    const laterWarnings: string[] = [];
    let tables: TableCount[];
    if (swap) {
      const swapped = await swapIn({ session, journal: new SwapJournal(catalogue.db), runId: runId!, database, workDatabase, aside, keep: keptAs !== undefined, original: original!, properties: properties!, terminateConnections: request.terminateConnections === true, warnings: laterWarnings }, async () => {
        request.onProgress?.('restoring');
        await runRestoreTool(context, session!, tools, backup, request, workDatabase);
        request.onProgress?.('counting rows');
        return checkedCounts(session!, workDatabase, backup, undefined);
      }, () => request.onProgress?.('swapping'));
      tables = swapped;
    } else {
      const created = !exists;
      if (created) await adminStatement(session, `CREATE DATABASE ${quoteIdent(workDatabase)} TEMPLATE template0`);
      try {
        request.onProgress?.('restoring');
        await runRestoreTool(context, session, tools, backup, request, workDatabase);
        request.onProgress?.('counting rows');
        tables = await checkedCounts(session, workDatabase, backup, undefined);
      } catch (error) {
        if (created) await adminStatement(session, `DROP DATABASE IF EXISTS ${quoteIdent(workDatabase)}`).catch(() => undefined);
        throw error;
      }
    }
    const result: RestoreResult = {
      ...summary,
      dryRun: false,
      ok: true,
      durationMs: Math.round(performance.now() - startedMs),
      tables,
      impact: laterWarnings.length ? { ...impact, warnings: [...impact.warnings, ...laterWarnings] } : impact,
      ...(keptAs ? { keptAs } : {}),
    };
    catalogue.finishRun(runId!, 'completed', { detail: { database, tables: tables.length } });
    return result;
  } catch (error) {
    if (runId) catalogue.finishRun(runId, 'failed', { error: toErrorInfo(error).message });
    throw error;
  } finally {
    await session?.close();
  }
}

async function adminStatement(session: ServerSession, sql: string): Promise<void> {
  const client = await maintenanceConnection(session);
  try {
    await client.query(sql);
  } catch (error) {
    throw new HoldfastError('RESTORE_FAILED', `${sql.split(' ').slice(0, 2).join(' ')} failed: ${(error as Error).message}`, 'The target role needs CREATEDB (and ownership of the database for --clean).');
  } finally {
    await client.end();
  }
}

/** Row counts of the restored database, which must match the manifest. */
async function checkedCounts(session: ServerSession, database: string, backup: BackupMetadata, hint: string | undefined): Promise<TableCount[]> {
  const tables = await countTables(session, database, backup);
  const wrong = tables.filter((t) => t.actual !== t.expected);
  if (wrong.length > 0) {
    throw new HoldfastError('RESTORE_FAILED', `Row counts after the restore differ from the backup's manifest: ${wrong.map((t) => `${t.table} expected ${t.expected}, got ${t.actual ?? 'no table'}`).join('; ')}`, hint);
  }
  return tables;
}

interface SwapPlan {
  session: ServerSession;
  journal: SwapJournal;
  runId: string;
  database: string;
  workDatabase: string;
  aside: string;
  /** --swap: keep the replaced database as `aside`; --clean drops it. */
  keep: boolean;
  original: TargetDatabase;
  properties: DatabasePropertiesPlan;
  terminateConnections: boolean;
  /** Said in the result: a locale fallback, a previous database that could not be dropped. */
  warnings: string[];
}

/**
 * Restores into a scratch copy and swaps it in. Never drop first: move the original aside, move the
 * copy into its name, and only then drop the original (--clean) or keep it (--swap). Each step is
 * journalled before it is taken (swap-journal.ts); a failure at any point settles the swap from what
 * the server shows — before the copy has the name, that puts the original back under it.
 */
async function swapIn(plan: SwapPlan, restoreCopy: () => Promise<TableCount[]>, onSwapping: () => void): Promise<TableCount[]> {
  const { session, journal, runId, database, workDatabase, aside } = plan;
  const q = quoteIdent;
  /** Puts things back after a failure and says how they were left. */
  const settle = async (): Promise<string> => {
    try {
      const client = await swapConnection(session, runId);
      try {
        const outcome = await settleSwap(client, journal.get(runId)!, { afterCrash: false });
        if (outcome.action === 'needs-attention') {
          journal.release(runId);
          return `${outcome.message}.`;
        }
        journal.resolve(runId, outcome.action, outcome.message);
        return `${outcome.message[0]!.toUpperCase()}${outcome.message.slice(1)}.`;
      } finally {
        await client.end();
      }
    } catch (error) {
      journal.release(runId);
      return `Putting things back failed too (${toErrorInfo(error).message}): Holdfast tries again at its next start, or run holdfast restore --recover.`;
    }
  };

  journal.begin({ runId, profile: session.profile.name, database, scratch: workDatabase, before: aside, keepBefore: plan.keep, originalOid: plan.original.oid });
  let tables: TableCount[];
  try {
    const client = await swapConnection(session, runId);
    try {
      const fellBack = await createScratchDatabase(client, workDatabase, plan.properties);
      if (fellBack) plan.warnings.push(fellBack);
      const copyOid = (await client.query<{ oid: number }>('SELECT oid::int AS oid FROM pg_database WHERE datname = $1', [workDatabase])).rows[0]!.oid;
      journal.step(runId, 'restore', { copyOid });
    } finally {
      await client.end();
    }
    tables = await restoreCopy();
    journal.step(runId, 'properties');
    const client2 = await swapConnection(session, runId);
    try {
      await applyDatabaseProperties(client2, workDatabase, plan.properties);
    } finally {
      await client2.end();
    }
  } catch (error) {
    const outcome = await settle();
    if (error instanceof HoldfastError) throw new HoldfastError(error.code, error.message, error.hint ? `${error.hint} ${outcome}` : outcome);
    throw error;
  }

  onSwapping();
  const client = await swapConnection(session, runId);
  try {
    let allowConnChanged = false;
    try {
      if (plan.terminateConnections) {
        // No new sessions first, so the ones ended are not simply replaced by reconnecting clients.
        const allowed = (await client.query<{ allowed: boolean }>('SELECT datallowconn AS allowed FROM pg_database WHERE oid = $1', [plan.original.oid])).rows[0]?.allowed === true;
        if (allowed) {
          journal.step(runId, 'disallow-connections', { allowConnChanged: true });
          allowConnChanged = true;
          await client.query(`ALTER DATABASE ${q(database)} ALLOW_CONNECTIONS false`);
        }
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
      }
      journal.step(runId, 'rename-original');
      await client.query(`ALTER DATABASE ${q(database)} RENAME TO ${q(aside)}`);
    } catch (error) {
      const outcome = await settle();
      throw new HoldfastError('RESTORE_FAILED', `Could not move "${database}" aside to put the restored copy in its place: ${(error as Error).message}`, `${outcome} Disconnect its sessions (or add --terminate-connections) and try again.`);
    }
    // A kept database takes connections again at once; one about to be dropped only if the drop fails.
    if (allowConnChanged && plan.keep) {
      await client.query(`ALTER DATABASE ${q(aside)} ALLOW_CONNECTIONS true`);
      journal.step(runId, 'rename-original', { allowConnChanged: false });
      allowConnChanged = false;
    }
    try {
      journal.step(runId, 'rename-copy');
      await client.query(`ALTER DATABASE ${q(workDatabase)} RENAME TO ${q(database)}`);
    } catch (error) {
      const outcome = await settle();
      throw new HoldfastError('RESTORE_FAILED', `Could not rename the restored copy "${workDatabase}" to "${database}": ${(error as Error).message}`, outcome);
    }
    let done = `"${database}" is the restored copy`;
    if (plan.keep) {
      done += `; the previous database is kept as "${aside}"`;
    } else {
      journal.step(runId, 'drop-before');
      try {
        await client.query(`DROP DATABASE ${q(aside)}`);
        done += '; the previous database was dropped';
      } catch (error) {
        if (allowConnChanged) await client.query(`ALTER DATABASE ${q(aside)} ALLOW_CONNECTIONS true`);
        plan.warnings.push(`The previous database could not be dropped (${(error as Error).message}); it is kept as "${aside}".`);
        done += `; the previous database is kept as "${aside}" (it could not be dropped)`;
      }
    }
    journal.resolve(runId, 'completed', done);
  } finally {
    await client.end();
  }
  return tables;
}
