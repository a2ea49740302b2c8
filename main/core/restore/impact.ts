// What a restore would do to its target, worked out before anything changes: from the archive's
// table of contents (pg_restore --list) or the manifest for plain SQL, and the target's catalog.
import type pg from 'pg';
import { quoteIdent } from '../pg/connection.ts';
import { tableKey } from '../pg/table-key.ts';
import { runChild } from '../process/child.ts';
import type { ClientToolSet } from '../tools/discover.ts';
import { hintFields, type ErrorInfo } from '../model/errors.ts';
import { hintText, renderHint } from '../model/hint-actions.ts';
import { plural } from '../model/human.ts';
import type { BackupMetadata, Profile } from '../model/types.ts';
import { ownersNamedBy, rolesNamedByPrivileges } from './archive-privileges.ts';
import { entriesScript } from './backup-database-entries.ts';
import { leftOutWarning, plainDumpLeftOut, rolesNamedBy, type DatabasePropertiesPlan, type DatabasePropertyImpact, type LeftOut } from './database-properties.ts';
import type { PropertyProblem } from './database-property-checks.ts';
import type { ExecutedFunction, ExecutedFunctionsFinding } from './executed-functions.ts';
import { skipOwnershipStep, type SkipNeeds, type SkipStep } from './restore-tool.ts';
import { rolesFileCommand } from './roles-file-command.ts';
import { tablesWithoutRowsOfTheirOwn } from './rowless-tables.ts';

export interface TableImpact {
  table: string;
  backupRows: number | null;
  targetRows: number | null;
  /** A partitioned table, in the backup or on the target: no rows of its own (its partitions, listed too, hold them). */
  partitioned: boolean;
  /** replace: in both, overwritten; create: only in the backup; lost: only in the target, gone with it; kept: only in the target, untouched. */
  action: 'replace' | 'create' | 'lost' | 'kept';
}

/**
 * What the preview found will stop this restore, with the options it was asked with. The step that
 * lifts it is said the way an error's is (model/errors.ts hintFields): the CLI's words (flags), the
 * app's (its controls) and, when one of the restore's own options lifts it, that option as an action
 * the app renders as its control. The app does not start a restore while the list is not empty.
 */
export interface RestoreBlocker extends Pick<ErrorInfo, 'hint' | 'appHint' | 'action'> {
  kind: 'other-sessions' | 'missing-roles' | 'unavailable-extensions' | 'beyond-database' | PropertyProblem['kind'];
  /** What would fail, the same in every shell. */
  message: string;
  /** Which of skipping ownership and privileges lift it, when one of them does (a set's restore offers its member's own restore with just those). */
  lifts?: SkipNeeds;
}

export interface RestoreImpact {
  tables: TableImpact[];
  /** What stops this restore as asked; empty when nothing the preview can see does. Not repeated among the warnings. */
  blockers: RestoreBlocker[];
  /** Roles the archive names (objects' owners, its privileges' grantees and grantors, the database's own) that the target server lacks. */
  missingRoles: string[];
  /** Extensions the archive creates that the target server cannot provide. */
  unavailableExtensions: string[];
  activeConnections: number;
  targetServer: string;
  /** As the CLI says them. */
  warnings: string[];
  /** The same warnings as the app says them (its controls for flags), in the same order. */
  appWarnings: string[];
  /**
   * What the restored database does not get from the backup, and why (settings left out, properties
   * not carried over): among the warnings of the preview, and said again after the restore, which a
   * DBA may run without a preview. Each says, per setting, the statement that re-applies it or that
   * Holdfast gives none; a real run adds what only it finds (the locale a server could not create).
   */
  leftOut: LeftOut[];
  /** What --confirm must say for this restore, when it needs one. */
  confirmation: string | null;
  /** The backup's own functions that its restore runs (duringRestore) or installs for later writes; null when not examined (a real run). */
  executedFunctions: ExecutedFunction[] | null;
  /** The role the restore runs as: the profile's user on the target server. */
  targetRole: TargetRole;
  /** A replace restore, or a new database from an archive: each database-level property it gets, changed or kept, and from where; null otherwise. */
  databaseProperties: DatabasePropertyImpact[] | null;
}

export interface TargetRole {
  name: string;
  superuser: boolean;
  /** Superuser, or able to run programs or read or write files on the server (via says how). */
  privileged: boolean;
  /** "superuser", the pg_*_server_* roles it is a member of, or CREATEROLE where that can grant them (PostgreSQL 15 and older). */
  via: string[];
}

/** Predefined roles that reach outside the database, most powerful first. */
const SERVER_ROLES = ['pg_execute_server_program', 'pg_write_server_files', 'pg_read_server_files'] as const;

export interface ArchiveContents {
  owners: string[];
  /** Roles its privilege entries name: grantees, grantors, default privileges' roles (archive-privileges.ts). */
  privilegeRoles: string[];
  extensions: string[];
}

/** Extensions from `pg_restore --list` ("3215; 1259 16385 TABLE public users alice"); owners and the roles privileges name from the SQL of those entries. */
export async function archiveContents(tools: ClientToolSet, backup: BackupMetadata, timeoutMs: number): Promise<ArchiveContents | undefined> {
  if (backup.format === 'plain') return undefined;
  const listed = await runChild(tools.paths.pg_restore, ['--list', backup.path], { env: process.env, captureStdout: true, timeoutMs });
  if (listed.exitCode !== 0) return undefined;
  const extensions = new Set<string>();
  // The entries whose SQL names roles: privileges (ACL, DEFAULT ACL) and owned objects' definitions (their ALTER … OWNER TO).
  const roleEntries: string[] = [];
  for (const line of listed.stdout.split('\n')) {
    if (!/^\d+;/.test(line)) continue;
    const extension = / EXTENSION - (\S+)/.exec(line);
    if (extension) extensions.add(extension[1]!);
    // Never TABLE DATA: its SQL is the rows.
    else if (/^\d+; \d+ \d+ (?:(?:DEFAULT )?ACL|TABLE(?! DATA )|SEQUENCE(?! SET | OWNED BY )|VIEW|MATERIALIZED VIEW(?! DATA )|SCHEMA|FUNCTION|TYPE|DOMAIN|PROCEDURE|AGGREGATE) /.test(line))
      roleEntries.push(line);
  }
  const named = roleEntries.length ? await rolesEntriesName(tools, backup, roleEntries, timeoutMs) : { owners: [], privilegeRoles: [] };
  if (named === undefined) return undefined;
  return { ...named, extensions: [...extensions].sort() };
}

/** The SQL pg_restore would send for these entries, read for the owners and the roles privileges name; undefined when pg_restore cannot write it. */
async function rolesEntriesName(tools: ClientToolSet, backup: BackupMetadata, entries: string[], timeoutMs: number): Promise<Pick<ArchiveContents, 'owners' | 'privilegeRoles'> | undefined> {
  const script = await entriesScript(tools, backup, entries, [], timeoutMs);
  return script.exitCode === 0 ? { owners: ownersNamedBy(script.text), privilegeRoles: rolesNamedByPrivileges(script.text) } : undefined;
}

export async function assessImpact(input: {
  admin: pg.Client;
  /** A connection to the target database when it exists. */
  targetDb: pg.Client | undefined;
  backup: BackupMetadata;
  target: Profile;
  database: string;
  replacing: boolean;
  /** The restore creates the database (it does not exist yet). */
  creating?: boolean;
  contents: ArchiveContents | undefined;
  /** The backup's functions a restore runs; left out, they are not examined. */
  executed?: ExecutedFunctionsFinding | undefined;
  /** The plan for the restored database's owner, privileges, settings and the rest (a replace restore's copy, or a new database). */
  databaseProperties?: DatabasePropertiesPlan | undefined;
  /** Ownership skipped (--no-owner): roles that only own objects then stop nothing. */
  noOwner?: boolean;
  /** Privileges skipped (--no-acl): roles only privileges name then stop nothing. */
  noAcl?: boolean;
  /** The step a hint offers for skipping them (restore-tool.ts skipOwnershipStep); absent: the backup's format's own. */
  skipOwnership?: SkipStep | null;
  /** Other sessions will be ended: they then stop nothing either. */
  terminateConnections?: boolean;
  /** What would make giving the database its properties fail (database-property-checks.ts); missing roles are said from missingRoles. */
  propertyProblems?: PropertyProblem[];
}): Promise<RestoreImpact> {
  const { admin, targetDb, backup, target, database, replacing } = input;
  const facts = (await admin.query<{ num: string; version: string }>(`SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version`)).rows[0]!;
  const targetMajor = Math.floor(Number(facts.num) / 10000);
  const roles = new Set((await admin.query<{ rolname: string }>('SELECT rolname FROM pg_roles')).rows.map((r) => r.rolname));
  const available = new Set((await admin.query<{ name: string }>('SELECT name FROM pg_available_extensions')).rows.map((r) => r.name));
  // Other people's sessions: not this connection, nor the one this preview opened to the target.
  const ownPid = targetDb ? (await targetDb.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid : 0;
  const activeConnections = Number(
    (await admin.query<{ n: string }>('SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND pid <> $2', [database, ownPid])).rows[0]!.n,
  );

  const targetRole = await restoringRole(admin, targetMajor);

  const targetTables = new Map<string, number>();
  const partitionedOnTarget = new Set<string>();
  if (targetDb) {
    const rows = await targetDb.query<{ schema: string; name: string; partitioned: boolean }>(
      `SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'p' AS partitioned FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`,
    );
    for (const row of rows.rows) {
      // A partitioned parent holds no rows of its own (its partitions are listed themselves): nothing to count.
      const count = row.partitioned ? undefined : await targetDb.query<{ n: string }>(`SELECT count(*)::text AS n FROM ONLY ${quoteIdent(row.schema)}.${quoteIdent(row.name)}`);
      targetTables.set(tableKey(row.schema, row.name), count ? Number(count.rows[0]!.n) : 0);
      if (row.partitioned) partitionedOnTarget.add(tableKey(row.schema, row.name));
    }
  }
  const tables: TableImpact[] = [];
  const inBackup = new Set(backup.tables);
  // The backup's own word where it counted rows; the target's catalog where it did not (a schema-only backup).
  const partitionedInBackup = tablesWithoutRowsOfTheirOwn(backup);
  const partitioned = (table: string) => partitionedInBackup.has(table) || (backup.rowCounts[table] === undefined && partitionedOnTarget.has(table));
  for (const table of backup.tables) {
    const targetRows = targetTables.get(table);
    tables.push({ table, backupRows: backup.rowCounts[table] ?? null, targetRows: targetRows ?? null, partitioned: partitioned(table), action: targetRows === undefined ? 'create' : 'replace' });
  }
  for (const [table, rows] of targetTables) {
    if (!inBackup.has(table)) tables.push({ table, backupRows: null, targetRows: rows, partitioned: partitionedOnTarget.has(table), action: replacing ? 'lost' : 'kept' });
  }

  const planned = input.databaseProperties?.properties;
  const databaseRoles = planned ? rolesNamedBy(planned) : [];
  const missingRoles = [...new Set([...(input.contents?.owners ?? []), ...(input.contents?.privilegeRoles ?? []), ...databaseRoles])].filter((role) => !roles.has(role)).sort();
  const unavailableExtensions = (input.contents?.extensions ?? []).filter((name) => !available.has(name));
  const production = target.tags.includes('production');
  // Hint templates (rendered per shell below): a server's, a backup's or a profile's words go in through hintText.
  const warnings: string[] = [];
  if (targetMajor < backup.serverMajor)
    warnings.push(hintText(`The target runs PostgreSQL ${facts.version.split(' ')[0]}, older than the backup's source (${backup.version}); objects using newer features may fail to restore.`));
  if (production) warnings.push(`Profile "${hintText(target.name)}" is tagged production: {{confirm}} "${hintText(`${target.name}/${database}`)}".`);
  if (!input.contents && backup.format === 'plain')
    warnings.push(
      backup.globals.filename
        ? 'A plain SQL backup does not list the roles it needs; restore its .globals.sql first if the target lacks them.'
        : 'A plain SQL backup does not list the roles it needs, and this one has no roles file: create them on the target first if it lacks them.',
    );
  // A plain dump carries no database-level entries at all: said where an archive would have carried them.
  const plainDump =
    backup.format === 'plain' && (replacing || input.creating)
      ? [plainDumpLeftOut(replacing ? 'replace' : 'create', { database, recorded: backup.databaseSettings, kept: replacing ? (input.databaseProperties?.properties.settings ?? []) : [] })]
      : [];
  const leftOut = [...(input.databaseProperties?.leftOut ?? []), ...plainDump];
  warnings.push(...leftOut.map(leftOutWarning));
  const executed = input.executed;
  if (executed && 'problem' in executed) warnings.push(hintText(`The functions this backup runs on restore could not be listed: ${executed.problem}`));
  const executedFunctions = executed && 'functions' in executed ? executed.functions : null;
  const runsCode = executedFunctions ? executedFunctionsWarning(executedFunctions, targetRole) : undefined;
  if (runsCode) warnings.push(hintText(runsCode));
  const confirmation = production ? `${target.name}/${database}` : replacing ? database : null;
  const blockers = restoreBlockers({
    database,
    backup,
    rolesCommand: rolesFileCommand(backup, target),
    ...stillMissing(missingRoles, { owners: [...(input.contents?.owners ?? []), ...databaseRoles], grantees: [...(input.contents?.privilegeRoles ?? []), ...databaseRoles] }, input),
    skipOwnership: input.skipOwnership === undefined ? skipOwnershipStep(backup.format) : input.skipOwnership,
    unavailableExtensions,
    otherSessions: replacing && !input.terminateConnections ? activeConnections : 0,
    propertyProblems: (input.propertyProblems ?? []).filter((problem) => problem.kind !== 'missing-roles'),
    beyondDatabase: executed && 'beyondDatabase' in executed ? executed.beyondDatabase : [],
    beyondDatabaseUnchecked: executed && 'problem' in executed ? executed.problem : undefined,
  });
  return {
    tables,
    blockers,
    missingRoles,
    unavailableExtensions,
    activeConnections,
    targetServer: `PostgreSQL ${facts.version.split(' ')[0]}`,
    warnings: warnings.map((warning) => renderHint(warning, 'cli')),
    appWarnings: warnings.map((warning) => renderHint(warning, 'app')),
    leftOut: leftOut.map(leftOutAsSaid),
    confirmation,
    executedFunctions,
    targetRole,
    databaseProperties: input.databaseProperties?.impact ?? null,
  };
}

/** A left-out item as a restore's result says it: its words name no action (database-properties.ts), so the same in every shell. */
export const leftOutAsSaid = (item: LeftOut): LeftOut => ({ ...item, message: renderHint(item.message, 'cli') });

/**
 * The missing roles the restore would still fail on with the options asked: an owner is lifted by
 * --no-owner, a role privileges name by --no-acl (a role that is both needs both), and which of the
 * two the rest need.
 */
function stillMissing(missing: string[], named: { owners: string[]; grantees: string[] }, skipped: { noOwner?: boolean | undefined; noAcl?: boolean | undefined }) {
  const owners = new Set(named.owners);
  const grantees = new Set(named.grantees);
  const missingRoles = missing.filter((role) => (owners.has(role) && !skipped.noOwner) || (grantees.has(role) && !skipped.noAcl));
  return { missingRoles, needs: { owner: missingRoles.some((role) => owners.has(role) && !skipped.noOwner), acl: missingRoles.some((role) => grantees.has(role) && !skipped.noAcl) } };
}

/** Each blocker's message and hint template, in the order a DBA would fix them. */
function restoreBlockers(found: {
  database: string;
  backup: BackupMetadata;
  /** Of the missing roles, whether some own objects (--no-owner lifts those) and some are named by privileges (--no-acl lifts those). */
  needs: { owner: boolean; acl: boolean };
  /** The command that applies the backup's roles file to the target (roles-file-command.ts); null: it has none. */
  rolesCommand: string | null;
  missingRoles: string[];
  skipOwnership: SkipStep | null;
  unavailableExtensions: string[];
  otherSessions: number;
  propertyProblems: PropertyProblem[];
  beyondDatabase: string[];
  /** Why the backup's SQL could not be read through for statements beyond the database: refused, since pg_restore or psql would send it unread. */
  beyondDatabaseUnchecked?: string | undefined;
}): RestoreBlocker[] {
  const blocker = (kind: RestoreBlocker['kind'], message: string, hintTemplate: string, lifts?: SkipNeeds): RestoreBlocker => ({
    kind,
    message,
    ...hintFields(hintTemplate),
    ...(lifts ? { lifts } : {}),
  });
  const blockers: RestoreBlocker[] = [];
  const { missingRoles, otherSessions } = found;
  if (missingRoles.length) {
    // The same command in both shells: the app has no control that applies a roles file.
    const rolesStep = found.rolesCommand ? `Create them from the backup's roles file first: ${hintText(found.rolesCommand)}` : 'Create them on the target first (this backup has no roles file)';
    blockers.push(
      blocker(
        'missing-roles',
        `The target server lacks roles the backup names (${missingRoles.map((role) => `"${role}"`).join(', ')}): the restore would fail on them.`,
        // A plain SQL backup restores as it was written: only its roles file helps.
        found.skipOwnership ? `${rolesStep}; or ${found.skipOwnership(found.needs)}.` : `${rolesStep}.`,
        found.needs,
      ),
    );
  }
  if (found.unavailableExtensions.length)
    blockers.push(blocker('unavailable-extensions', `The target server cannot provide these extensions: ${found.unavailableExtensions.join(', ')}.`, 'Install them on the server first.'));
  if (otherSessions > 0) {
    const one = otherSessions === 1;
    blockers.push(
      blocker(
        'other-sessions',
        `${plural(otherSessions, 'other session is', 'other sessions are')} connected to "${found.database}"; replacing it fails while ${one ? 'it is' : 'they are'}.`,
        `{{terminate-connections}} to end ${one ? 'it' : 'them'}.`,
      ),
    );
  }
  if (found.beyondDatabase.length)
    blockers.push(
      blocker(
        'beyond-database',
        `The backup holds SQL that acts beyond "${found.database}", which pg_dump never writes for one database: ${found.beyondDatabase.join('; ')}. Holdfast refuses to restore this backup.`,
        found.backup.imported
          ? // A dump made elsewhere has no earlier backup of one's own to fall back on; its maker may have meant those statements (pg_dumpall writes roles).
            `This dump was imported from ${hintText(found.backup.imported.from)}: it was altered, or was not made by pg_dump for one database. If you know why those statements are there, run them yourself as a role that may, remove them from the file, and {{import-again}}; otherwise ask for a pg_dump of the one database.`
          : 'Find out where this dump came from: the file was altered, or was not made by pg_dump for one database. Restore an earlier backup of your own.',
      ),
    );
  else if (found.beyondDatabaseUnchecked !== undefined)
    blockers.push(
      blocker(
        'beyond-database',
        `The backup's SQL could not be checked for statements that act beyond "${found.database}" (${found.beyondDatabaseUnchecked}). It was not restored.`,
        'Run holdfast verify on the backup; if it is sound, find out where it came from before restoring it: a dump made by pg_dump for one database reads through.',
      ),
    );
  for (const problem of found.propertyProblems)
    blockers.push(blocker(problem.kind, `${problem.what[0]!.toUpperCase()}${problem.what.slice(1)}: the restore would be refused before anything is created.`, problem.fix, problem.lifts));
  return blockers;
}

async function restoringRole(admin: pg.Client, serverMajor: number): Promise<TargetRole> {
  const role = (
    await admin.query<{ name: string; superuser: boolean; createrole: boolean; member_of: string[] }>(
      `SELECT current_user AS name, r.rolsuper AS superuser, r.rolcreaterole AS createrole,
              ARRAY(SELECT p.rolname::text FROM pg_roles p WHERE p.rolname = ANY ($1) AND pg_has_role(current_user, p.oid, 'MEMBER')) AS member_of
         FROM pg_roles r WHERE r.rolname = current_user`,
      [SERVER_ROLES],
    )
  ).rows[0]!;
  // Before PostgreSQL 16, CREATEROLE can grant any non-superuser role, these included, to itself.
  const via = role.superuser ? ['superuser'] : [...SERVER_ROLES.filter((r) => role.member_of.includes(r)), ...(role.createrole && serverMajor < 16 ? ['CREATEROLE'] : [])];
  return { name: role.name, superuser: role.superuser, privileged: via.length > 0, via };
}

/** Said only when it matters: the restore runs the backup's code and the role running it reaches outside the database. Shown in the UI as is, so no CLI flags. */
function executedFunctionsWarning(functions: ExecutedFunction[], role: TargetRole): string | undefined {
  const running = functions.filter((f) => f.duringRestore);
  if (!running.length || !role.privileged) return undefined;
  const article = (use: string) => (use.startsWith('called by') ? use : `in ${/^[aeiou]/i.test(use) ? 'an' : 'a'} ${use}`);
  const named = running.slice(0, 3).map((f) => `${f.function} ${article(f.usedBy[0]!)}`);
  if (running.length > 3) named.push(`and ${running.length - 3} more`);
  const who = role.superuser ? `superuser "${role.name}"` : `role "${role.name}" (${role.via.map((v) => (v === 'CREATEROLE' ? v : `member of ${v}`)).join(', ')})`;
  const reach =
    role.superuser || role.via.includes('pg_execute_server_program')
      ? 'running programs on the server'
      : role.via.includes('CREATEROLE')
        ? 'granting itself the right to run programs on the server'
        : role.via.includes('pg_write_server_files')
          ? 'writing files on the server'
          : 'reading any file on the server';
  const one = running.length === 1;
  return `The restore runs ${running.length} ${one ? 'function' : 'functions'} from the backup (${named.join(', ')}) as ${who}: ${one ? 'it' : 'they'} can do anything that role can, including ${reach}. Review ${one ? 'it' : 'them'}, or restore as a less privileged role.`;
}
