// The roles of a drill's sandbox. The superuser applies the backup's roles file (role definitions
// only: roles-file.ts), then takes every privilege that reaches past the database away from each of
// those roles — SUPERUSER, CREATEROLE (which could grant the rest back), REPLICATION, and membership in
// pg_execute_server_program, pg_read_server_files, pg_write_server_files and pg_create_subscription — and makes one ordinary
// login role, member of all of them, that restores and reads the dump's content. Whatever the dump
// runs (CHECK functions during COPY, triggers, defaults, index expressions) runs as that role or as an
// owner it can become, none of which can run programs, read or write server files, connect to other
// servers, or ALTER SYSTEM.
// The end state is checked, not assumed: a role left privileged stops the drill before the restore.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { HoldfastError } from '../model/errors.ts';
import { quoteIdent } from '../pg/connection.ts';
import { planRolesFile, RolesFileRefused } from './roles-file.ts';

/**
 * Predefined roles whose members reach past the database: the server's programs and files, and (16+)
 * other servers over the network, through CREATE SUBSCRIPTION (whose connection string can also carry
 * the restored data out). Those a major lacks are skipped.
 */
export const HOST_REACHING_ROLES = ['pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files', 'pg_create_subscription'] as const;

export interface SandboxRoles {
  /** The ordinary role the dump is restored and read as. */
  restorer: string;
  /** Statements of the roles file applied; those left out on purpose; those the server refused. */
  applied: number;
  skipped: Array<{ statement: string; why: string }>;
  refused: Array<{ statement: string; error: string }>;
  /** Roles from the backup that had privileges taken away in the sandbox. */
  demoted: string[];
  /** Every role the backup brought (all ordinary now), of which the restorer is a member. */
  backupRoles: string[];
}

/** Runs one statement through the extended protocol, which refuses a string holding more than one. */
async function single(admin: pg.Client, sql: string): Promise<void> {
  await admin.query({ text: sql, queryMode: 'extended' } as pg.QueryConfig);
}

export async function prepareSandboxRoles(admin: pg.Client, rolesFile: string | undefined): Promise<SandboxRoles> {
  const result: SandboxRoles = { restorer: `holdfast_restore_${randomBytes(6).toString('hex')}`, applied: 0, skipped: [], refused: [], demoted: [], backupRoles: [] };
  if (rolesFile !== undefined) {
    let plan;
    try {
      plan = planRolesFile(rolesFile);
    } catch (error) {
      if (error instanceof RolesFileRefused) {
        throw new HoldfastError(
          'VERIFY_FAILED',
          `The backup's roles file was not applied: ${error.message}. pg_dumpall writes only role definitions there, so the file was altered.`,
          "Do not restore this backup's roles file; compare it with a fresh `pg_dumpall --globals-only` of the server.",
        );
      }
      throw error;
    }
    result.skipped = plan.skipped;
    for (const statement of plan.apply) {
      try {
        await single(admin, statement.sql);
        result.applied += 1;
      } catch (error) {
        // e.g. a predefined role the sandbox's major lacks (pg_read_all_data before 14).
        result.refused.push({ statement: statement.sql.replace(/\s+/g, ' ').slice(0, 120), error: (error as Error).message });
      }
    }
  }

  const roles = (
    await admin.query<{ name: string; privileged: boolean }>(
      `SELECT rolname AS name, (rolsuper OR rolcreaterole OR rolreplication) AS privileged
       FROM pg_catalog.pg_roles WHERE rolname !~ '^pg_' AND rolname <> current_user ORDER BY rolname`,
    )
  ).rows;
  result.backupRoles = roles.map((r) => r.name);
  for (const role of roles.filter((r) => r.privileged)) {
    await single(admin, `ALTER ROLE ${quoteIdent(role.name)} NOSUPERUSER NOCREATEROLE NOREPLICATION`);
    result.demoted.push(role.name);
  }
  const memberships = (
    await admin.query<{ role: string; member: string; grantor: string }>(
      `SELECT r.rolname AS role, m.rolname AS member, g.rolname AS grantor
       FROM pg_catalog.pg_auth_members a JOIN pg_catalog.pg_roles r ON r.oid = a.roleid
       JOIN pg_catalog.pg_roles m ON m.oid = a.member JOIN pg_catalog.pg_roles g ON g.oid = a.grantor
      WHERE r.rolname = ANY($1)`,
      [HOST_REACHING_ROLES],
    )
  ).rows;
  for (const { role, member, grantor } of memberships) {
    await single(admin, `REVOKE ${quoteIdent(role)} FROM ${quoteIdent(member)} GRANTED BY ${quoteIdent(grantor)} CASCADE`);
    if (!result.demoted.includes(member)) result.demoted.push(member);
  }

  await single(admin, `CREATE ROLE ${quoteIdent(result.restorer)} LOGIN NOSUPERUSER NOCREATEROLE NOREPLICATION NOCREATEDB BYPASSRLS`);
  if (result.backupRoles.length > 0) await single(admin, `GRANT ${result.backupRoles.map(quoteIdent).join(', ')} TO ${quoteIdent(result.restorer)}`);
  await assertUnprivileged(admin, result.restorer);
  return result;
}

/** The restorer and every role it can become: no superuser, no CREATEROLE, no path to the host. */
async function assertUnprivileged(admin: pg.Client, restorer: string): Promise<void> {
  const leaks = (
    await admin.query<{ name: string; why: string }>(
      `SELECT r.rolname AS name,
            concat_ws(', ', CASE WHEN r.rolsuper THEN 'superuser' END, CASE WHEN r.rolcreaterole THEN 'createrole' END,
                      (SELECT string_agg(p.rolname, ', ') FROM pg_catalog.pg_roles p WHERE p.rolname = ANY($2::text[]) AND pg_catalog.pg_has_role(r.oid, p.oid, 'MEMBER'))) AS why
       FROM pg_catalog.pg_roles r
      WHERE pg_catalog.pg_has_role($1, r.oid, 'MEMBER')
        AND (r.rolsuper OR r.rolcreaterole OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles p WHERE p.rolname = ANY($2::text[]) AND pg_catalog.pg_has_role(r.oid, p.oid, 'MEMBER')))`,
      [restorer, HOST_REACHING_ROLES],
    )
  ).rows;
  if (leaks.length > 0) {
    throw new HoldfastError(
      'TOOL_MISSING',
      `The drill's sandbox could not take privileges away from ${leaks.map((l) => `"${l.name}" (${l.why})`).join(', ')}; it stopped before restoring anything.`,
      'Report this: the drill refuses to run a dump as a privileged role.',
    );
  }
}
