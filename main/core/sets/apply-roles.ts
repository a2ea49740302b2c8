// A set restore's first step: the set's roles file onto the target server, so every database's owners
// and grantees exist before its restore. The file is read as untrusted input, as a drill reads it
// (drill/roles-file.ts: role definitions only, anything else refuses the whole file). Unlike a drill's
// sandbox, the target is a real server that nothing demotes afterwards, so two more rules hold here:
// - A role password refuses the whole file: Holdfast takes roles with --no-role-passwords, so a file
//   holding one was altered, and applying it would leave a login whose password someone else knows.
// - Roles the target already has are kept as they are — their attributes, settings and comments are
//   not touched — and gain only memberships in ordinary roles the set brings. A membership in a role
//   the target had before (pg_execute_server_program, its superuser) or in one the file makes
//   privileged (SUPERUSER, CREATEROLE, REPLICATION, BYPASSRLS, or a member of such a role) is left
//   out and said so: it would widen what an existing login may do.
// - A new role's settings follow every session it opens on that server: only the ordinary ones a
//   restore takes from a backup (pg/settings-from-backup.ts) are applied; one that would stop its
//   sessions being logged or audited, or a custom one, is left out and said with the statement.
import type pg from 'pg';
import { HoldfastError } from '../model/errors.ts';
import { planRolesFile, RolesFileRefused, type RolesFileStatement } from '../drill/roles-file.ts';
import { settingLeftOutOfRestore } from '../pg/settings-from-backup.ts';
import { unquote } from '../restore/sql-names.ts';

export interface RolesApplied {
  created: string[];
  kept: string[];
  /** Statements left out on purpose (tablespaces, settings off the allow-list) or about roles kept as they are. */
  skipped: string[];
  failed: Array<{ statement: string; error: string }>;
}

const ROLE_NAME = String.raw`("(?:[^"]|"")+"|[^\s"]+)`;
const NAMES = /"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*/g;
const PRIVILEGED_ATTRIBUTE = /\s(?:SUPERUSER|CREATEROLE|REPLICATION|BYPASSRLS)\b/i;

function roleOf(sql: string): string | undefined {
  const match = new RegExp(`^(?:CREATE|ALTER)\\s+ROLE\\s+${ROLE_NAME}`, 'i').exec(sql) ?? new RegExp(`^COMMENT\\s+ON\\s+ROLE\\s+${ROLE_NAME}`, 'i').exec(sql);
  return match ? unquote(match[1]!) : undefined;
}

/** GRANT a[, b] TO c[, d] [WITH …] [GRANTED BY …]: the roles granted and their new members. */
function membershipOf(sql: string): { granted: string[]; members: string[] } | undefined {
  const match = /^GRANT\s+(.+?)\s+TO\s+(.+?)(?:\s+WITH\s.*?)?(?:\s+GRANTED\s+BY\s.*)?$/is.exec(sql);
  if (!match) return undefined;
  const names = (list: string) => (list.match(NAMES) ?? []).map(unquote);
  return { granted: names(match[1]!), members: names(match[2]!) };
}

const short = (sql: string, length: number) => sql.replace(/\s+/g, ' ').slice(0, length);

/** What a DBA does with a roles file that was altered. */
const ALTERED_FILE_HINT = 'Restore from another set, or check where this one came from; the databases alone can be restored with --only once the roles exist on the target.';

/** A file the reader refuses (a statement pg_dumpall never writes) refuses the set restore, typed with a next step. */
function refusedAsHoldfastError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof RolesFileRefused)) throw error;
    throw new HoldfastError(
      'RESTORE_REFUSED',
      `The set's roles file was not applied: ${error.message}. pg_dumpall writes only role definitions there, so the file was altered; nothing was restored.`,
      ALTERED_FILE_HINT,
    );
  }
}

function refuseRolePasswords(statements: RolesFileStatement[]): void {
  const withPassword = statements.find(({ sql }) => /^ALTER\s+ROLE\s/i.test(sql) && /\sPASSWORD\s+'/i.test(sql));
  if (withPassword) {
    throw new HoldfastError(
      'RESTORE_REFUSED',
      `Line ${withPassword.line} of the set's roles file sets a role password (${roleOf(withPassword.sql) ?? 'a role'}): Holdfast takes roles without passwords (--no-role-passwords), so the file was altered; nothing was restored.`,
      ALTERED_FILE_HINT,
    );
  }
}

/** Roles a membership must not hand to an existing login: the target's own, and the file's privileged ones and their members. */
function privilegedRoles(statements: RolesFileStatement[], existing: Set<string>): Set<string> {
  const privileged = new Set(existing);
  for (const { sql } of statements) {
    const role = roleOf(sql);
    if (role !== undefined && /^ALTER\s+ROLE\s.*\sWITH\s/is.test(sql) && PRIVILEGED_ATTRIBUTE.test(sql.slice(sql.search(/\sWITH\s/i)))) privileged.add(role);
  }
  const grants = statements.map(({ sql }) => membershipOf(sql)).filter((grant) => grant !== undefined);
  for (let grew = true; grew;) {
    grew = false;
    for (const { granted, members } of grants) {
      if (!granted.some((role) => privileged.has(role))) continue;
      for (const member of members) {
        if (privileged.has(member)) continue;
        privileged.add(member);
        grew = true;
      }
    }
  }
  return privileged;
}

/**
 * The roles the file creates (its CREATE ROLE statements), for a set restore's preview: a database's
 * setting for one of them is given, since the file is applied first. A role the target already has is
 * kept as it is, so only those it lacks are new there; the caller knows which it has.
 */
export function rolesTheFileCreates(rolesText: string): Set<string> {
  const plan = refusedAsHoldfastError(() => planRolesFile(rolesText));
  return new Set(plan.apply.flatMap(({ sql }) => (/^CREATE\s/i.test(sql) ? [roleOf(sql)].filter((role) => role !== undefined) : [])));
}

export async function applySetRoles(admin: pg.Client, rolesText: string): Promise<RolesApplied> {
  const plan = refusedAsHoldfastError(() => planRolesFile(rolesText));
  refuseRolePasswords(plan.apply);
  const existing = new Set((await admin.query<{ rolname: string }>('SELECT rolname FROM pg_catalog.pg_roles')).rows.map((row) => row.rolname));
  const privileged = privilegedRoles(plan.apply, existing);
  const applied: RolesApplied = { created: [], kept: [], skipped: plan.skipped.map((s) => `${s.statement} (${s.why})`), failed: [] };
  for (const { sql, setting } of plan.apply) {
    const role = roleOf(sql);
    if (role !== undefined && existing.has(role)) {
      if (/^CREATE\s/i.test(sql)) applied.kept.push(role);
      else applied.skipped.push(`${short(sql, 120)} (role "${role}" exists on the target and is kept as it is)`);
      continue;
    }
    const unlisted = setting === undefined ? undefined : settingLeftOutOfRestore(setting.name, setting.values);
    if (unlisted) {
      applied.skipped.push(`${sql} (it ${unlisted.why}: left out, run it yourself if you mean it)`);
      continue;
    }
    const membership = membershipOf(sql);
    const widened = membership?.members.find((member) => existing.has(member));
    if (membership && widened !== undefined && membership.granted.some((granted) => privileged.has(granted))) {
      applied.skipped.push(`${short(sql, 120)} (role "${widened}" exists on the target: a membership in a role the target had or a privileged one would widen what it may do)`);
      continue;
    }
    try {
      // One statement per query (the extended protocol refuses two), as the drill sends them.
      await admin.query({ text: sql });
      if (role !== undefined && /^CREATE\s/i.test(sql)) applied.created.push(role);
    } catch (error) {
      applied.failed.push({ statement: short(sql, 200), error: (error as Error).message });
    }
  }
  return applied;
}
