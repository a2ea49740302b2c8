// A set restore's first step: the set's roles file onto the target server, so every database's owners
// and grantees exist before its restore. The file is read as untrusted input, as a drill reads it
// (drill/roles-file.ts: role definitions only, anything else refuses the whole file). Roles the target
// already has are kept as they are — their attributes, settings and comments are not touched, so a
// restore never changes what an existing login may do — and only memberships are added to them.
import type pg from 'pg';
import { planRolesFile } from '../drill/roles-file.ts';
import { unquote } from '../restore/sql-names.ts';

export interface RolesApplied {
  created: string[];
  kept: string[];
  /** Statements left out on purpose (tablespaces, code-loading settings) or about roles kept as they are. */
  skipped: string[];
  failed: Array<{ statement: string; error: string }>;
}

const ROLE_NAME = String.raw`("(?:[^"]|"")+"|[^\s"]+)`;

function roleOf(sql: string): string | undefined {
  const match = new RegExp(`^(?:CREATE|ALTER)\\s+ROLE\\s+${ROLE_NAME}`, 'i').exec(sql) ?? new RegExp(`^COMMENT\\s+ON\\s+ROLE\\s+${ROLE_NAME}`, 'i').exec(sql);
  return match ? unquote(match[1]!) : undefined;
}

export async function applySetRoles(admin: pg.Client, rolesText: string): Promise<RolesApplied> {
  const plan = planRolesFile(rolesText);
  const existing = new Set((await admin.query<{ rolname: string }>('SELECT rolname FROM pg_catalog.pg_roles')).rows.map((row) => row.rolname));
  const applied: RolesApplied = { created: [], kept: [], skipped: plan.skipped.map((s) => `${s.statement} (${s.why})`), failed: [] };
  for (const { sql } of plan.apply) {
    const role = roleOf(sql);
    if (role !== undefined && existing.has(role)) {
      if (/^CREATE\s/i.test(sql)) applied.kept.push(role);
      else applied.skipped.push(`${sql.replace(/\s+/g, ' ').slice(0, 120)} (role "${role}" exists on the target and is kept as it is)`);
      continue;
    }
    try {
      // One statement per query (the extended protocol refuses two), as the drill sends them.
      await admin.query({ text: sql });
      if (role !== undefined && /^CREATE\s/i.test(sql)) applied.created.push(role);
    } catch (error) {
      applied.failed.push({ statement: sql.replace(/\s+/g, ' ').slice(0, 200), error: (error as Error).message });
    }
  }
  return applied;
}
