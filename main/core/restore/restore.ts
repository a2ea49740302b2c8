// Restore a catalogued backup into a profile's server. Order of business: prove the backup is intact
// (checksum and structure) before touching anything; refuse to write over a non-empty database unless
// the DBA said --clean and typed its name; and with --clean, restore into a scratch database first and
// swap it in only after its row counts match the manifest, so a failed restore never costs the original.
import type pg from 'pg';
import type { EngineContext } from '../backup/backup.ts';
import { detailWithHint } from '../backup/run-claim.ts';
import { readablePlaintext } from '../encryption/readable.ts';
import type { Offsite } from '../storage/offsite.ts';
import { HoldfastError, toErrorInfo } from '../model/errors.ts';
import { plural } from '../model/human.ts';
import { hintText } from '../model/hint-actions.ts';
import { quoteIdent } from '../pg/connection.ts';
import { openSession, type ServerSession } from '../pg/session.ts';
import { pickClientTools } from '../tools/discover.ts';
import type { BackupMetadata, Profile } from '../model/types.ts';
import { checkBackupFiles, dumpClientMajor } from '../verify/verify.ts';
import { crashPoint } from '../process/crash-point.ts';
import { recordNewDatabase, recordNewDatabaseOid } from './new-database-record.ts';
import { findExecutedFunctions } from './executed-functions.ts';
import { archiveContents, assessImpact, leftOutAsSaid, type RestoreImpact } from './impact.ts';
import { readBackupDatabaseEntries } from './backup-database-entries.ts';
import { newDatabaseDefaults, type BackupDatabaseEntries, type DatabasePropertiesInput, type DatabasePropertiesPlan, type LeftOut } from './database-properties.ts';
import { checkedDatabasePropertiesPlan, DatabasePropertiesRefused, type PropertyProblem, type RestoreRemedies } from './database-property-checks.ts';
import { applyDatabaseProperties } from './scratch-database.ts';
import { adminStatement, createNewDatabase, undoIntoDatabase, withMaintenance } from './into-database.ts';
import { keepRunToolOutput } from '../catalogue/tool-output-rows.ts';
import type { ToolStderr } from '../process/tool-output.ts';
import type { ChildRecord } from '../process/child.ts';
import { restoreBesideStep, runRestoreTool, skipOwnershipStep, skipsOwnership } from './restore-tool.ts';
import { restoreTargetDatabase } from './restore-into.ts';
import { rolesFileCommand } from './roles-file-command.ts';
import { createSchemas, restoreSelection, selectionLabel, type RestoreSelectionRequest } from './selection.ts';
import { SELECTION_CAVEAT } from './selection-caveat.ts';
import { freeScratchStamp, scratchName, swapIn } from './swap-in.ts';
import { maintenanceConnection, SwapJournal } from './swap-journal.ts';
import { checkedCounts, userRelationCount, type TableCount } from './table-counts.ts';
import { readTargetDatabase, type TargetDatabase } from './target-database.ts';

export type { TableCount } from './table-counts.ts';

export interface RestoreRequest extends RestoreSelectionRequest {
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
  /** A named destination whose copy is restored (downloaded and checked first) instead of the stored file. */
  from?: string | undefined;
  /** Restored as one database of a set's restore (sets/restore-set.ts), which takes no --no-owner: its hints offer the member's own restore instead. */
  asSetMember?: boolean;
  /** Roles a set's roles file creates before this database is restored (sets/restore-set.ts): a preview counts them as there. */
  rolesFromSet?: ReadonlySet<string> | undefined;
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
  /** The destination whose copy was read (asked for with --from, or the local file gone); absent: the local file. */
  from?: string;
  /** The restore's run (not for a dry run): its kept tool output is read by this id (run.toolOutput). */
  runId?: string;
}

const refused = (message: string, hint?: string) => new HoldfastError('RESTORE_REFUSED', message, hint);

/** A restore's step that creates its database (a set's restore creates its members' itself, and says it the same way). */
export function createDatabaseAction(database: string, backupLocale: boolean): string {
  return `create database "${database}"${backupLocale ? ' with the encoding and collation the backup had' : ''}`;
}

export async function restoreBackup(context: EngineContext & { offsite: Pick<Offsite, 'readable' | 'sourceFor'> }, request: RestoreRequest): Promise<RestoreResult> {
  const { catalogue, config } = context;
  const startedMs = performance.now();
  const recorded = catalogue.requireBackup(request.ref);
  const target = request.target;
  const database = restoreTargetDatabase(request, target, recorded);

  const replacing = request.clean || request.swap === true;
  const asMember = request.asSetMember
    ? { backupId: recorded.id, target: target.name, database, create: request.create, clean: request.clean, production: target.tags.includes('production') }
    : undefined;
  const remedies: RestoreRemedies = {
    rolesFile: recorded.globals.filename,
    rolesCommand: rolesFileCommand(recorded, target),
    skipOwnership: skipOwnershipStep(recorded.format, asMember),
    restoreBeside: restoreBesideStep(asMember),
  };
  // Chosen tables or schemas (selection.ts): refused before anything is read when they cannot work.
  const selection = restoreSelection(recorded, { tables: request.tables, schemas: request.schemas, replacing });
  const production = target.tags.includes('production');
  const expectedConfirm = production ? `${target.name}/${database}` : database;
  if (!request.dryRun && (replacing || production) && request.confirm !== expectedConfirm) {
    const what = replacing ? `${request.swap ? '--swap' : '--clean'} replaces database "${database}" on ${target.host}:${target.port}` : `Profile "${target.name}" is tagged production`;
    throw refused(
      `${what}; it needs --confirm=${expectedConfirm}.`,
      `Type ${production ? 'the profile and database names' : 'the target database name'} after --confirm= to say you mean it. Nothing was changed.`,
    );
  }
  if (!skipsOwnership(recorded.format) && (request.noOwner || request.noAcl)) {
    throw new HoldfastError(
      'BAD_INPUT',
      '--no-owner and --no-acl need an archive backup (custom, directory or tar); a plain SQL backup restores as it was written.',
      recorded.globals.filename
        ? 'Restore the .globals.sql first so the roles exist, or back up with --format custom.'
        : 'Create the roles it names on the target first (this backup has no roles file), or import an archive (pg_dump -Fc) of it instead.',
    );
  }

  // pg_restore and psql read a local file: the stored one itself for BACKUP_DIR (core/storage), a copy's
  // checked private download, and for an encrypted backup its private decrypted copy made from either
  // (encryption/decrypted-copy.ts); released in every path from here on.
  // Where from: the copy asked for, else the local file, else (a lost disk) the first verified copy.
  const from = await context.offsite.sourceFor(recorded, request.from);
  const { backup, release: releaseCopy } = await readablePlaintext(context, recorded, from ? (stored) => context.offsite.readable(stored, from) : undefined);
  let session: ServerSession | undefined;
  let runId: string | undefined;
  const toolStderr: ToolStderr[] = [];
  try {
    runId = request.dryRun ? undefined : catalogue.startRun({ kind: 'restore', profile: target.name, backupId: backup.id, detail: { database, clean: request.clean, create: request.create } });
  } catch (error) {
    await releaseCopy();
    throw error;
  }
  try {
    request.onProgress?.('verifying');
    const checks = await checkBackupFiles(context, backup);
    const failed = checks.filter((check) => check.status === 'failed');
    if (failed.length > 0) {
      catalogue.recordVerification(backup.id, false);
      throw refused(
        `Backup ${backup.filename} failed verification, so it was not restored: ${failed.map((c) => c.detail).join('; ')}`,
        'Nothing was changed on the target. Restore an earlier backup ({{list-backups}}).',
      );
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
      throw refused(`Database "${database}" does not exist on ${target.host}:${target.port}.`, '{{create}}, or name a database that exists on that server.');
    }
    if (exists && relations > 0 && !replacing) {
      throw refused(
        `Database "${database}" on ${target.host}:${target.port} is not empty (${plural(relations, 'table, view or sequence', 'tables, views or sequences')}); it was not touched.`,
        `To replace it, {{replace-existing:${hintText(expectedConfirm)}}}. To restore beside it, {{restore-beside}}.`,
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
    let propertyProblems: PropertyProblem[] = [];
    try {
      // Counting every table of the target is for the preview; a real restore skips it.
      const targetDb = exists && request.dryRun ? await session.connect(database) : undefined;
      try {
        // What the backup's code will run (the preview), and whether it reaches beyond the database (refused): a plain dump is read once more.
        const [contents, executed, entries] = await Promise.all([
          archiveContents(tools, backup, config.timeoutMs),
          findExecutedFunctions(tools, backup, config.timeoutMs),
          swap || !exists ? readBackupDatabaseEntries(tools, backup, config.timeoutMs) : undefined,
        ]);
        if (swap) {
          original = await readTargetDatabase(admin, database);
          if (!original)
            throw refused(
              `Database "${database}" disappeared from ${target.host}:${target.port} while the restore was being prepared.`,
              'Nothing was changed. Check who is renaming or dropping it, then try again.',
            );
          const roles = await serverRoles(admin);
          ({ plan: properties, problems: propertyProblems } = await checkedPlan(
            admin,
            { mode: 'replace', database, backup: entries, target: original.properties, noOwner: request.noOwner, noAcl: request.noAcl, roles, rolesToCome: request.rolesFromSet },
            database,
            remedies,
            request.dryRun,
          ));
        } else if (!exists && entries) {
          // A new database gets what the backup's had, as pg_restore --create would give it, under its new name.
          ({ plan: properties, problems: propertyProblems } = await checkedPlan(admin, await newDatabaseInput(admin, entries, request, database), database, remedies, request.dryRun));
        }
        impact = await assessImpact({
          admin,
          targetDb,
          backup: selection ? { ...backup, tables: selection.tables } : backup,
          target,
          database,
          replacing,
          creating: !exists,
          contents,
          executed,
          databaseProperties: properties,
          noOwner: request.noOwner,
          noAcl: request.noAcl,
          skipOwnership: remedies.skipOwnership,
          terminateConnections: request.terminateConnections === true,
          propertyProblems,
        });
        if (selection) impact = { ...impact, warnings: [...impact.warnings, SELECTION_CAVEAT], appWarnings: [...impact.appWarnings, SELECTION_CAVEAT] };
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
      if (request.terminateConnections) actions.push(endSessionsAction(impact.activeConnections, database));
      actions.push(`rename "${database}" aside`, `rename "${workDatabase}" to "${database}"`, keptAs ? `keep the previous database as "${keptAs}" until you drop it` : 'drop the previous database');
    } else {
      if (!exists) actions.push(createDatabaseAction(database, properties !== undefined));
      if (selection) actions.push(`create schema ${selection.schemas.map((name) => `"${name}"`).join(', ')} if missing`);
      actions.push(`restore ${selectionLabel(selection)}${backup.filename} into "${database}"`, `compare row counts with the manifest${selection ? ' for those tables' : ''}`);
      if (properties) actions.push(`give it the owner, privileges, settings, comment and connection limit, as the backup had them`);
    }
    const summary = {
      backup: { id: backup.id, filename: backup.filename },
      target: { profile: target.name, host: target.host, port: target.port, database, exists, relations },
      client: `${backup.format === 'plain' ? 'psql' : 'pg_restore'} ${tools.version}`,
      actions,
      ...(from ? { from } : {}),
    };
    // A preview that found what would stop the restore is not ok: the CLI's --dry-run exits 1 on it.
    if (request.dryRun) return { ...summary, dryRun: true, ok: impact.blockers.length === 0, durationMs: Math.round(performance.now() - startedMs), tables: [], impact };
    const beyond = impact.blockers.find((blocker) => blocker.kind === 'beyond-database');
    if (beyond) throw refused(beyond.message, beyond.hint ?? '');

    const laterWarnings: string[] = [];
    const recordTool = (child: ChildRecord) => catalogue.recordChild(runId!, child);
    const laterLeftOut: LeftOut[] = [];
    let tables: TableCount[];
    if (swap) {
      const swapped = await swapIn(
        {
          session,
          journal: new SwapJournal(catalogue.db),
          runId: runId!,
          database,
          workDatabase,
          aside,
          keep: keptAs !== undefined,
          original: original!,
          properties: properties!,
          terminateConnections: request.terminateConnections === true,
          warnings: laterWarnings,
          leftOut: laterLeftOut,
        },
        async () => {
          request.onProgress?.('restoring');
          await runRestoreTool(context, session!, tools, backup, { ...request, toolStderr, onStart: recordTool, runId: runId! }, workDatabase);
          crashPoint('restore:restored');
          request.onProgress?.('counting rows');
          return checkedCounts(session!, workDatabase, backup, undefined);
        },
        () => request.onProgress?.('swapping'),
      );
      tables = swapped;
    } else {
      const created = !exists;
      if (created) recordNewDatabase(catalogue.db, runId!, workDatabase);
      if (created && properties) {
        const fellBack = await createNewDatabase(session, workDatabase, properties);
        if (fellBack) laterLeftOut.push(fellBack);
      } else if (created) await adminStatement(session, `CREATE DATABASE ${quoteIdent(workDatabase)} TEMPLATE template0`);
      try {
        if (created) await withMaintenance(session, (client) => recordNewDatabaseOid(catalogue.db, client, runId!, workDatabase));
        if (created) crashPoint('restore:target-created');
        if (selection) await createSchemas(session, workDatabase, selection);
        request.onProgress?.('restoring');
        await runRestoreTool(context, session, tools, backup, { ...request, select: selection?.args, toolStderr, onStart: recordTool, runId: runId! }, workDatabase);
        crashPoint('restore:restored');
        request.onProgress?.('counting rows');
        tables = await checkedCounts(session, workDatabase, backup, undefined, selection?.tables);
        // Last, as the swap does: owned by another role and closed to PUBLIC, the restore itself could be refused.
        if (created && properties) await withMaintenance(session, (client) => applyDatabaseProperties(client, workDatabase, properties!));
      } catch (error) {
        const leftAs = await undoIntoDatabase(session, workDatabase, created, request.jobs);
        if (error instanceof HoldfastError && error.code === 'CANCELLED') throw new HoldfastError('CANCELLED', `${error.message} ${leftAs}`);
        throw error;
      }
    }
    const result: RestoreResult = {
      ...summary,
      dryRun: false,
      ok: true,
      durationMs: Math.round(performance.now() - startedMs),
      tables,
      impact: { ...impact, warnings: [...impact.warnings, ...laterWarnings], leftOut: [...impact.leftOut, ...laterLeftOut.map(leftOutAsSaid)] },
      ...(keptAs ? { keptAs } : {}),
      runId: runId!,
    };
    catalogue.finishRun(runId!, 'completed', { detail: { database, tables: tables.length, ...(from ? { from } : {}) } });
    return result;
  } catch (error) {
    // A cancel is an interruption the user chose (listed as cancelled, never as a failure), as a backup's is.
    const cancelled = toErrorInfo(error).code === 'CANCELLED';
    if (runId) catalogue.finishRun(runId, cancelled ? 'interrupted' : 'failed', { error: toErrorInfo(error).message, cancelled, ...detailWithHint(catalogue, runId, toErrorInfo(error)) });
    // The tool's whole message is with the run; the error's is its last lines.
    if (runId && toolStderr.length > 0 && error instanceof HoldfastError) error.runId = runId;
    throw error;
  } finally {
    if (runId) keepRunToolOutput(catalogue.db, runId, toolStderr);
    await session?.close();
    await releaseCopy();
  }
}

/** "end the 2 other sessions": a count the preview saw, never "the 0 other sessions". */
function endSessionsAction(count: number, database: string): string {
  if (count === 0) return `end any session opened on "${database}" meanwhile`;
  return count === 1 ? `end the other session on "${database}"` : `end the ${count} other sessions on "${database}"`;
}

/** A new database's plan input: the backup's database-level entries against what CREATE DATABASE by the restoring role would give. */
async function newDatabaseInput(admin: pg.Client, entries: BackupDatabaseEntries, request: RestoreRequest, database: string): Promise<DatabasePropertiesInput> {
  const me = (await admin.query<{ name: string }>('SELECT current_user AS name')).rows[0]!.name;
  const target = newDatabaseDefaults(me, (await readTargetDatabase(admin, 'template0'))?.properties.locale ?? null);
  return { mode: 'create', database, backup: entries, target, noOwner: request.noOwner, noAcl: request.noAcl, roles: await serverRoles(admin), rolesToCome: request.rolesFromSet };
}

const serverRoles = async (admin: pg.Client) => new Set((await admin.query<{ rolname: string }>('SELECT rolname FROM pg_roles')).rows.map((r) => r.rolname));

/**
 * The plan, checked against the target server before anything is created (database-property-checks.ts):
 * a property that would fail once the data is loaded refuses the restore now; a dry run returns the
 * problems for the preview's blockers.
 */
async function checkedPlan(
  admin: pg.Client,
  input: DatabasePropertiesInput,
  database: string,
  remedies: RestoreRemedies,
  dryRun: boolean,
): Promise<{ plan: DatabasePropertiesPlan; problems: PropertyProblem[] }> {
  const checked = await checkedDatabasePropertiesPlan(admin, input, remedies);
  if (checked.problems.length && !dryRun) throw new DatabasePropertiesRefused(database, checked.problems);
  return checked;
}
