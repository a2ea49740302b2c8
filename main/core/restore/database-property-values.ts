// The values a database carries on itself (owner, privileges, settings, comment, connection limit,
// locale) and the normal forms they are compared in: privileges in one order with the defaults made
// explicit, settings sorted with a later SET replacing an earlier one, names in code-point order.
import { quoteIdent, quoteLiteral } from '../pg/connection.ts';

export type Privilege = 'CONNECT' | 'CREATE' | 'TEMPORARY';
export const ALL_PRIVILEGES: readonly Privilege[] = ['CONNECT', 'CREATE', 'TEMPORARY'];

/** One grantee's privileges on the database; "PUBLIC" is everyone. */
export interface AclEntry {
  grantee: string;
  privileges: Privilege[];
  /** The subset it may grant on. */
  grantable: Privilege[];
}

/** A pg_db_role_setting entry: for every session in the database (role null) or one role's. */
export interface DatabaseSetting {
  role: string | null;
  name: string;
  /** One value, or a list's elements (search_path and the other list settings). */
  values: string[];
}

/** `SET "name" TO 'value', …` for ALTER DATABASE / ALTER ROLE … IN DATABASE: as the properties are given, rehearsed and shown. */
export function settingAssignment(setting: DatabaseSetting): string {
  return `SET ${quoteIdent(setting.name)} TO ${setting.values.map(quoteLiteral).join(', ')}`;
}

/** The statement that gives `database` this setting, for every session or for the setting's role in it. */
export function settingStatement(database: string, setting: DatabaseSetting): string {
  const scope = setting.role === null ? `ALTER DATABASE ${quoteIdent(database)}` : `ALTER ROLE ${quoteIdent(setting.role)} IN DATABASE ${quoteIdent(database)}`;
  return `${scope} ${settingAssignment(setting)}`;
}

/** A setting the target server refused when it was tried (database-property-checks.ts), and the server's words. */
export interface RefusedSetting {
  setting: DatabaseSetting;
  reason: string;
}

export interface Locale {
  encoding: string;
  collate: string;
  ctype: string;
  /** libc, icu (and builtin, PostgreSQL 17) */
  provider: string;
  icuLocale: string | null;
}

export interface DatabaseProperties {
  owner: string;
  acl: AclEntry[];
  settings: DatabaseSetting[];
  comment: string | null;
  /** -1: no limit. */
  connectionLimit: number;
  locale: Locale | null;
}

export const union = (a: Privilege[], b: Privilege[]) => ALL_PRIVILEGES.filter((p) => a.includes(p) || b.includes(p));

/** What a database's NULL datacl means: the owner may do everything, PUBLIC may CONNECT and TEMPORARY. */
export function defaultAcl(owner: string): AclEntry[] {
  return [
    { grantee: 'PUBLIC', privileges: ['CONNECT', 'TEMPORARY'], grantable: [] },
    { grantee: owner, privileges: [...ALL_PRIVILEGES], grantable: [] },
  ];
}

export function normalAcl(entries: AclEntry[]): AclEntry[] {
  return entries
    .filter((entry) => entry.privileges.length > 0)
    .map((entry) => ({ grantee: entry.grantee, privileges: ALL_PRIVILEGES.filter((p) => entry.privileges.includes(p)), grantable: ALL_PRIVILEGES.filter((p) => entry.grantable.includes(p)) }))
    .sort((a, b) => (a.grantee === 'PUBLIC' ? -1 : b.grantee === 'PUBLIC' ? 1 : byCodePoint(a.grantee, b.grantee)));
}

export function sortedSettings(settings: DatabaseSetting[]): DatabaseSetting[] {
  // A later SET of the same name replaces the earlier one, as on the server.
  const byKey = new Map(settings.map((s) => [`${s.role ?? ''}\u0000${s.name}`, s]));
  return [...byKey.values()].sort((a, b) => byCodePoint(a.role ?? '', b.role ?? '') || byCodePoint(a.name, b.name));
}

/** The same order on every machine, whatever its locale. */
export const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function describeAcl(acl: AclEntry[]): string {
  if (!acl.length) return '(no one)';
  return acl.map((e) => `${e.grantee}: ${e.privileges.map((p) => (e.grantable.includes(p) ? `${p} (grantable)` : p)).join(', ')}`).join('; ');
}

export function describeCollation(locale: Locale | null): string {
  if (!locale) return '?';
  const base = locale.collate === locale.ctype ? locale.collate : `${locale.collate} / ctype ${locale.ctype}`;
  return locale.provider === 'libc' ? base : `${locale.provider} ${locale.icuLocale ?? ''} (${base})`.replace('  ', ' ');
}
