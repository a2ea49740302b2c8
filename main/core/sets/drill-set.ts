// A set's restore drill: the whole set into one sandboxed scratch server of its major (or --on-major),
// as a restore of the server would be — the set's roles file applied once (demoted, as every drill
// does: drill/sandbox-roles.ts), then every member into a database of its own name owned by the
// drill's ordinary role, each table's exact rows compared with that member's manifest. The server is
// stopped and removed at the end, also on failure or cancel. Each member's drill verdict is stored
// on it, so retention and health see it as they see any drill.
import type { EngineContext } from '../backup/backup.ts';
import { plural } from '../model/human.ts';
import { scratchProfile } from '../drill/drill-target.ts';
import { describeProblem, RestoreErrorCollector } from '../drill/restore-errors.ts';
import { prepareSandboxRoles } from '../drill/sandbox-roles.ts';
import { findServerBinaries, startSandboxServer } from '../drill/scratch-server.ts';
import { restoreAndCount } from '../drill/test-restore.ts';
import { readablePlaintext } from '../encryption/readable.ts';
import { keepRunToolOutput } from '../catalogue/tool-output-rows.ts';
import { toErrorInfo } from '../model/errors.ts';
import type { ToolStderr } from '../process/tool-output.ts';
import { quoteIdent } from '../pg/connection.ts';
import { openSession, type ServerSession } from '../pg/session.ts';
import type { TableCount } from '../restore/table-counts.ts';
import { pickClientTools } from '../tools/discover.ts';
import { checkBackupFiles, dumpClientMajor } from '../verify/verify.ts';
import type { BackupSet } from './set-record.ts';
import { drillDatabaseName } from '../model/unknown-database.ts';
import { readSetRolesFile } from './set-roles-file.ts';
import { SetStore } from './set-rows.ts';

export interface SetDrillResult {
  id: string;
  kind: 'set';
  ok: boolean;
  server: string | null;
  roles: { applied: number; notes: string[] };
  /** runId: the member's drill run, whose kept pg_restore stderr run.toolOutput reads (as a single drill's). */
  databases: Array<{ database: string; ok: boolean; tables: TableCount[]; error: string | null; runId: string | null }>;
  error: string | null;
  durationMs: number;
  /** An encrypted set: the key that decrypted it (the drill proves the key works). */
  decryptedWith?: string;
}

export async function drillSet(context: EngineContext, set: BackupSet, options: { major?: number; signal?: AbortSignal } = {}): Promise<SetDrillResult> {
  const started = performance.now();
  const result: SetDrillResult = { id: set.id, kind: 'set', ok: false, server: null, roles: { applied: 0, notes: [] }, databases: [], error: null, durationMs: 0 };
  const members = set.databases.filter((member) => member.id !== null).map((member) => context.catalogue.requireBackup(member.id!));
  const at = new Date().toISOString();
  let stop: (() => Promise<void>) | undefined;
  const sessions: ServerSession[] = [];
  const onCancel = () => void stop?.();
  options.signal?.addEventListener('abort', onCancel, { once: true });
  try {
    if (set.status !== 'completed') throw new Error(`the set is ${set.status}: ${set.problems.join('; ')}`);
    const binaries = findServerBinaries(options.major ?? set.serverMajor ?? members[0]!.serverMajor);
    const scratch = await startSandboxServer(binaries);
    stop = () => scratch.stop();
    result.server = `PostgreSQL ${binaries.major} (${binaries.source}, ${binaries.binDir})`;
    const open = async (user: string) => {
      const session = await openSession(context, scratchProfile(scratch.host, scratch.port, user));
      sessions.push(session);
      return session;
    };
    const superSession = await open(scratch.user);
    // An encrypted set's roles file is decrypted in memory (set-roles-file.ts); without the key, this refuses.
    const rolesFile = set.globals.filename
      ? await readSetRolesFile(context, set, new SetStore(context.catalogue.db).fileOf(set.id, set.globals.filename, context.config.backupDir), members)
      : undefined;
    const rolesText = rolesFile?.text;
    if (rolesFile?.keyName) result.decryptedWith = rolesFile.keyName;
    const admin = await superSession.connect('postgres');
    let restorer: string;
    try {
      const roles = await prepareSandboxRoles(admin, rolesText);
      restorer = roles.restorer;
      result.roles = {
        applied: roles.applied,
        notes: [
          ...roles.skipped.map((s) => `left out ${s.statement} (${s.why})`),
          ...roles.refused.map((r) => `refused ${r.statement}: ${r.error}`),
          ...(roles.demoted.length ? [`demoted: ${roles.demoted.join(', ')}`] : []),
        ],
      };
      for (const member of members) {
        const name = quoteIdent(drillDatabaseName(member));
        if (member.database === 'postgres') await admin.query(`ALTER DATABASE ${name} OWNER TO ${quoteIdent(restorer)}`);
        else await admin.query(`CREATE DATABASE ${name} OWNER ${quoteIdent(restorer)} TEMPLATE template0`);
        if (roles.backupRoles.length > 0) {
          const inDatabase = await superSession.connect(drillDatabaseName(member));
          try {
            await inDatabase.query(`GRANT CREATE ON SCHEMA public TO ${roles.backupRoles.map(quoteIdent).join(', ')}`);
          } finally {
            await inDatabase.end();
          }
        }
      }
    } finally {
      await admin.end();
    }
    const session = await open(restorer);
    for (const member of members) {
      // A run of its own per member, as a single drill has: its tools' stderr is kept with it.
      const runId = context.catalogue.startRun({ kind: 'verify', profile: member.profile, backupId: member.id, detail: { testRestore: true, set: set.id } });
      const toolStderr: ToolStderr[] = [];
      const entry: SetDrillResult['databases'][number] = { database: drillDatabaseName(member), ok: false, tables: [], error: null, runId };
      result.databases.push(entry);
      try {
        const checks = await checkBackupFiles(context, member, { pgRestoreList: false });
        const failed = checks.filter((check) => check.status === 'failed');
        if (failed.length > 0) throw new Error(`the backup failed verification: ${failed.map((c) => c.detail).join('; ')}`);
        const tools = pickClientTools(await context.clientTools(context.config.pgBinDir), dumpClientMajor(member), `Test-restoring ${member.filename}`, context.config.pgBinDir);
        const errors = new RestoreErrorCollector();
        // pg_restore reads a local plaintext archive: an encrypted member's private decrypted copy, as a single drill does.
        const readable = await readablePlaintext(context, member);
        try {
          if (readable.keyName) result.decryptedWith = readable.keyName;
          entry.tables = await restoreAndCount(
            context,
            session,
            tools,
            readable.backup,
            { jobs: 2, noOwner: false, noAcl: false, collectErrors: errors, toolStderr, ...(options.signal ? { signal: options.signal } : {}) },
            drillDatabaseName(member),
            undefined,
          );
        } finally {
          await readable.release();
        }
        const report = errors.report();
        if (report.failures.length > 0) throw new Error(`${plural(report.failures.length, 'object')} did not restore: ${report.failures.slice(0, 5).map(describeProblem).join('; ')}`);
        const wrong = entry.tables.filter((table) => table.actual !== table.expected);
        if (wrong.length > 0) throw new Error(`row counts differ from the manifest for ${wrong.map((t) => t.table).join(', ')}`);
        entry.ok = true;
      } catch (error) {
        entry.error = toErrorInfo(error).message;
      }
      context.catalogue.recordRestoreTest(member.id, entry.ok, at);
      context.catalogue.finishRun(runId, entry.ok ? 'completed' : 'failed', {
        ...(entry.error ? { error: entry.error } : {}),
        ...(options.signal?.aborted ? { cancelled: true } : {}),
        detail: { testRestore: { ok: entry.ok, set: set.id, tables: entry.tables } },
      });
      keepRunToolOutput(context.catalogue.db, runId, toolStderr);
    }
    result.ok = result.databases.length === members.length && result.databases.every((d) => d.ok);
    if (!result.ok)
      result.error = result.databases
        .filter((d) => !d.ok)
        .map((d) => `${d.database}: ${d.error}`)
        .join('; ');
  } catch (error) {
    result.error = options.signal?.aborted ? 'The set drill was cancelled; its scratch server was stopped and removed.' : toErrorInfo(error).message;
  } finally {
    options.signal?.removeEventListener('abort', onCancel);
    await Promise.all(sessions.map((session) => session.close()));
    await stop?.();
    result.durationMs = Math.round(performance.now() - started);
  }
  return result;
}
