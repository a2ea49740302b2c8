// The database-level properties a restore gives its database (database-properties.ts) are applied
// last, once the data is loaded and counted: owned by another role and closed to PUBLIC, the restore
// itself could be refused. So whatever can make applying them fail is checked here first, before
// anything is created: a failure at the end costs the whole load (the new database or the scratch copy
// is dropped), and an altered archive would make every restore of it load, fail and drop.
//
// Owner, grantees and the connection limit are checked as values, and refuse the restore (the DBA
// has to act). Each setting is rehearsed on the server itself, as the restoring role's own setting in
// the maintenance database inside a transaction that is rolled back, so the server's own rules judge
// it (unknown names, values it rejects, settings only a superuser or a restart may change, another
// role's settings) and nothing is left behind; one it refuses is left out and said, as a setting for
// a missing role is: the database works without it, and the DBA can set it after.
import type pg from 'pg';
import { HoldfastError } from '../model/errors.ts';
import { hintText } from '../model/hint-actions.ts';
import { quoteIdent } from '../pg/connection.ts';
import { settingAssignment, type DatabaseProperties, type DatabaseSetting, type RefusedSetting } from './database-property-values.ts';
import { planDatabaseProperties, rolesNamedBy, type DatabasePropertiesInput, type DatabasePropertiesPlan } from './database-properties.ts';
import { SKIP_BOTH, type SkipNeeds, type SkipStep } from './restore-tool.ts';

/** The owner a restoring role cannot give the database is lifted by skipping ownership alone. */
const OWNER_ONLY: SkipNeeds = { owner: true, acl: false };

/** One property the restore could not give the database, and what the DBA can do about it. */
export interface PropertyProblem {
  kind: 'missing-roles' | 'owner' | 'connection-limit';
  what: string;
  /** A hint template ({{no-owner}} and the like are rendered per shell). */
  fix: string;
  /** Which of skipping ownership and privileges lift it, when the restore can skip them. */
  lifts?: SkipNeeds;
}

/** What PostgreSQL takes for CONNECTION LIMIT: -1 (none) up to the largest int4. */
const CONNECTION_LIMIT = { min: -1, max: 2_147_483_647 } as const;

/** Restoring role's facts the checks need, read once from the target server. */
export interface RestoringRole {
  name: string;
  superuser: boolean;
  /** Roles the server has. */
  roles: ReadonlySet<string>;
  /** Roles the restoring role may make a database's owner (superuser: every role). */
  mayOwnAs: ReadonlySet<string>;
}

/** What the restore can be told to do about a problem: the backup's roles file, and its step for leaving ownership out (restore-tool.ts skipOwnershipStep; null: it cannot). */
export interface RestoreRemedies {
  rolesFile: string | null;
  /** The command that applies that file to the target (roles-file-command.ts), said instead of its name when known. */
  rolesCommand?: string | null;
  skipOwnership: SkipStep | null;
  /** Its step for restoring into a new database instead (restore-tool.ts restoreBesideStep); absent: a single restore's. */
  restoreBeside?: string;
}

/** The problems known from the values alone: missing roles, an owner the restoring role cannot hand the database to, a connection limit out of range. */
export function propertyValueProblems(
  properties: DatabaseProperties,
  role: RestoringRole,
  { rolesFile, rolesCommand, skipOwnership, restoreBeside = '{{restore-beside}}' }: RestoreRemedies,
): PropertyProblem[] {
  const problems: PropertyProblem[] = [];
  const missing = rolesNamedBy(properties).filter((name) => !role.roles.has(name));
  if (missing.length) {
    const exist = missing.length === 1 ? 'it exists' : 'they exist';
    const rolesStep = rolesCommand
      ? `Restore the backup's roles file first so ${exist}: ${hintText(rolesCommand)}`
      : `Restore the backup's roles file${rolesFile ? ` (${hintText(rolesFile)})` : ''} first so ${exist}`;
    problems.push({
      kind: 'missing-roles',
      what: `the backup's database was owned by or granted to ${missing.map((name) => `"${name}"`).join(', ')}, and the target server has no such ${missing.length === 1 ? 'role' : 'roles'}`,
      fix: `${rolesStep}${skipOwnership ? `${rolesCommand ? ';' : ','} or ${skipOwnership(SKIP_BOTH)} to have the restoring role own the database with the default privileges` : ''}.`,
      ...(skipOwnership ? { lifts: SKIP_BOTH } : {}),
    });
  }
  const { owner } = properties;
  if (!missing.includes(owner) && owner !== role.name && !role.superuser && !role.mayOwnAs.has(owner))
    problems.push({
      kind: 'owner',
      what: `the restoring role "${role.name}" cannot make "${owner}" the database's owner (ALTER DATABASE … OWNER TO needs it to be a member of "${owner}")`,
      // A plain dump has no owner of its own to leave out (the replaced database's is kept), but a new database is the restoring role's.
      fix: `Grant "${hintText(owner)}" to "${hintText(role.name)}", restore as a superuser, or ${skipOwnership ? `${skipOwnership(OWNER_ONLY)} to have the restoring role own it` : `${restoreBeside}: a new database is the restoring role's own`}.`,
      ...(skipOwnership ? { lifts: OWNER_ONLY } : {}),
    });
  const limit = properties.connectionLimit;
  if (!Number.isSafeInteger(limit) || limit < CONNECTION_LIMIT.min || limit > CONNECTION_LIMIT.max)
    problems.push({
      kind: 'connection-limit',
      what: `the backup's connection limit ${limit} is not one PostgreSQL takes (${CONNECTION_LIMIT.min} for none, or 0 to ${CONNECTION_LIMIT.max}); pg_dump never writes it, so the archive was altered`,
      fix: 'Restore an earlier backup, or check where this archive has been.',
    });
  return problems;
}

/** Reads the restoring role's facts from the target server. */
export async function readRestoringRole(client: pg.Client, owner: string): Promise<RestoringRole> {
  const row = (
    await client.query<{ name: string; superuser: boolean; roles: string[]; may_own: boolean }>(
      // pg_has_role(…, 'MEMBER') is what ALTER DATABASE … OWNER TO asks before PostgreSQL 16; 16 asks SET, which MEMBER without SET lacks.
      `SELECT current_user AS name, r.rolsuper AS superuser, ARRAY(SELECT rolname::text FROM pg_roles) AS roles,
              EXISTS (SELECT 1 FROM pg_roles o WHERE o.rolname = $1
                        AND pg_has_role(current_user, o.oid, CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'SET' ELSE 'MEMBER' END)) AS may_own
         FROM pg_roles r WHERE r.rolname = current_user`,
      [owner],
    )
  ).rows[0]!;
  return { name: row.name, superuser: row.superuser, roles: new Set(row.roles), mayOwnAs: new Set(row.may_own ? [owner] : []) };
}

/**
 * Each setting as the server judges it: set for the restoring role (or the setting's own role) in
 * the database this connection is on, inside a transaction rolled back at the end, one savepoint per
 * setting so every refusal is collected. Same statement family and checks as ALTER DATABASE … SET.
 * A role not among `existing` (one a set's roles file creates first) is not there to set it for: its
 * setting is judged as the restoring role's own.
 */
export async function rehearseSettings(client: pg.Client, settings: DatabaseSetting[], existing?: ReadonlySet<string>): Promise<RefusedSetting[]> {
  if (!settings.length) return [];
  const refused: RefusedSetting[] = [];
  const here = quoteIdent((await client.query<{ name: string }>('SELECT current_database() AS name')).rows[0]!.name);
  await client.query('BEGIN');
  try {
    for (const setting of settings) {
      const role = setting.role === null || (existing !== undefined && !existing.has(setting.role)) ? 'CURRENT_USER' : quoteIdent(setting.role);
      await client.query('SAVEPOINT holdfast_setting');
      try {
        await client.query(`ALTER ROLE ${role} IN DATABASE ${here} ${settingAssignment(setting)}`);
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT holdfast_setting');
        refused.push({ setting, reason: (error as Error).message });
      }
    }
  } finally {
    await client.query('ROLLBACK');
  }
  return refused;
}

/**
 * The plan, with the settings the target server refuses left out, and what would make applying it
 * fail. The caller refuses the restore on any problem before creating anything (a dry run says them).
 */
export async function checkedDatabasePropertiesPlan(
  client: pg.Client,
  input: DatabasePropertiesInput,
  remedies: RestoreRemedies,
): Promise<{ plan: DatabasePropertiesPlan; problems: PropertyProblem[] }> {
  let plan = planDatabaseProperties(input);
  const refusedSettings = await rehearseSettings(client, plan.properties.settings, input.roles);
  if (refusedSettings.length) plan = planDatabaseProperties({ ...input, refusedSettings });
  const role = await readRestoringRole(client, plan.properties.owner);
  return { plan, problems: propertyValueProblems(plan.properties, role, remedies) };
}

/** A restore refused because the database could not be given the backup's properties; nothing was created. */
export class DatabasePropertiesRefused extends HoldfastError {
  constructor(
    database: string,
    readonly problems: PropertyProblem[],
  ) {
    super(
      'RESTORE_REFUSED',
      `The restore cannot give "${database}" the backup's database-level properties: ${problems.map((p) => p.what).join('; ')}. Nothing was created or changed.`,
      [...new Set(problems.map((p) => p.fix))].join(' '),
    );
  }
}
