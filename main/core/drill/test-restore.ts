// A restore drill: prove a backup restores by restoring it. Verify checksum and structure, start a
// scratch server of the backup's major, apply the roles file, restore (pg_restore -j where the format
// allows), compare every table's exact row count with the manifest, then stop the server and remove
// its directory — also on failure and on cancel.
import { join } from 'node:path';
import type { EngineContext } from '../backup/backup.ts';
import { HoldfastError, toErrorInfo } from '../errors.ts';
import { dbnameConninfo, quoteIdent } from '../pg/connection.ts';
import { openSession, type ServerSession } from '../pg/session.ts';
import { runChild } from '../process/child.ts';
import { countTables, runRestoreTool, type TableCount } from '../restore/restore.ts';
import { pickClientTools } from '../tools/discover.ts';
import type { Profile } from '../types.ts';
import { checkBackupFiles, dumpClientMajor, type VerifyCheck } from '../verify/verify.ts';
import { findServerBinaries, startScratchServer } from './scratch-server.ts';

export interface RestoreTestResult {
  ok: boolean;
  id: string;
  filename: string;
  at: string;
  durationMs: number;
  /** e.g. "PostgreSQL 15 (installed, /usr/lib/postgresql/15/bin)" */
  server: string | null;
  checks: VerifyCheck[];
  tables: TableCount[];
  error: string | null;
}

function scratchProfile(host: string, port: number, user: string): Profile {
  return {
    id: 'scratch',
    name: 'scratch server',
    host,
    port,
    user,
    dbname: 'postgres',
    sslmode: 'disable',
    sslrootcert: null,
    sslcert: null,
    sslkey: null,
    service: null,
    tags: [],
    notes: null,
    pgBinDir: null,
    keychainPassword: false,
    drillChecks: [],
    createdAt: new Date(0).toISOString(),
  };
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

export async function testRestore(context: EngineContext, ref: string, options: { signal?: AbortSignal; /** Restore into this major instead of the backup's own (upgrade rehearsal). */ major?: number } = {}): Promise<RestoreTestResult> {
  const { catalogue } = context;
  const backup = catalogue.requireBackup(ref);
  const started = performance.now();
  const at = new Date().toISOString();
  const runId = catalogue.startRun({ kind: 'verify', profile: backup.profile, backupId: backup.id, detail: { testRestore: true } });
  const result: RestoreTestResult = { ok: false, id: backup.id, filename: backup.filename, at, durationMs: 0, server: null, checks: [], tables: [], error: null };
  let scratch: Awaited<ReturnType<typeof startScratchServer>> | undefined;
  // A cancel (Ctrl-C) stops the scratch server at once, which ends whatever query the drill is
  // waiting on; the steps in between check for it too.
  const cancelled = () => options.signal?.aborted === true;
  const stopOnCancel = () => void scratch?.stop();
  options.signal?.addEventListener('abort', stopOnCancel, { once: true });
  const step = () => {
    if (cancelled()) throw new HoldfastError('CANCELLED', 'cancelled');
  };
  try {
    result.checks = await checkBackupFiles(context, backup, { pgRestoreList: false });
    const failed = result.checks.filter((check) => check.status === 'failed');
    if (failed.length > 0) throw new Error(`the backup failed verification: ${failed.map((c) => c.detail).join('; ')}`);
    step();

    const binaries = findServerBinaries(options.major ?? backup.serverMajor);
    scratch = await startScratchServer(binaries);
    result.server = `PostgreSQL ${binaries.major} (${binaries.source}, ${binaries.binDir})`;
    step();
    const tools = pickClientTools(await context.clientTools(context.config.pgBinDir), dumpClientMajor(backup), `Test-restoring ${backup.filename}`, context.config.pgBinDir);
    const session = await openSession(context, scratchProfile(scratch.host, scratch.port, scratch.user));
    try {
      // Roles first, so owners and grants restore as they were; "role postgres already exists" is expected.
      let rolesApplied = false;
      if (backup.globals.filename) {
        const applied = await runChild(tools.paths.psql, ['--no-psqlrc', '--quiet', '--no-password', `--dbname=${dbnameConninfo('postgres')}`, `--file=${join(backup.path, '..', backup.globals.filename)}`], {
          env: session.childEnv(),
          signal: options.signal,
          timeoutMs: context.config.timeoutMs,
        });
        rolesApplied = applied.exitCode === 0;
      }
      step();
      const admin = await session.connect('postgres');
      try {
        await admin.query(`CREATE DATABASE ${quoteIdent(backup.database)} TEMPLATE template0`);
      } finally {
        await admin.end();
      }
      const parallel = backup.format === 'custom' || backup.format === 'directory';
      await runRestoreTool(context, session, tools, backup, { jobs: parallel ? 2 : undefined, noOwner: !rolesApplied && backup.format !== 'plain', noAcl: !rolesApplied && backup.format !== 'plain', ...(options.signal ? { signal: options.signal } : {}) }, backup.database);
      step();
      result.tables = await countTables(session, backup.database, backup);
      step();
      result.checks.push(...(await runDrillChecks(session, backup.database, context.catalogue.getProfile(backup.profile)?.drillChecks ?? [])));
      step();
    } finally {
      await session.close();
    }
    const wrong = result.tables.filter((table) => table.actual !== table.expected);
    if (wrong.length > 0) throw new Error(`row counts differ from the manifest for ${wrong.map((t) => t.table).join(', ')}`);
    const failedChecks = result.checks.filter((check) => check.name === 'userCheck' && check.status === 'failed');
    if (failedChecks.length > 0) throw new Error(`${failedChecks.length} of the profile's drill checks failed: ${failedChecks.map((c) => c.detail).join('; ')}`);
    result.ok = true;
  } catch (error) {
    result.error = cancelled() ? 'The restore drill was cancelled; its scratch server was stopped and removed.' : toErrorInfo(error).message;
  } finally {
    options.signal?.removeEventListener('abort', stopOnCancel);
    await scratch?.stop();
    result.durationMs = Math.round(performance.now() - started);
    catalogue.db.transaction(() => {
      catalogue.recordRestoreTest(backup.id, result.ok, at);
      catalogue.finishRun(runId, result.ok ? 'completed' : 'failed', { ...(result.error ? { error: result.error } : {}), detail: { testRestore: { ok: result.ok, server: result.server, durationMs: result.durationMs, tables: result.tables } } });
    })();
  }
  return result;
}

