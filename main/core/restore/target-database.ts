// The database a replace restore is about to replace, as the server has it: the properties its
// replacement keeps when the backup does not say otherwise, and what the preview compares against.
import type pg from 'pg';
import { normalAcl, sortedSettings, union, type AclEntry, type DatabaseProperties, type DatabaseSetting, type Privilege } from './database-property-values.ts';

/** Settings whose value is a list of (possibly double-quoted) names, as pg_dump treats them. */
const LIST_SETTINGS = new Set(['local_preload_libraries', 'search_path', 'session_preload_libraries', 'shared_preload_libraries', 'temp_tablespaces', 'unix_socket_directories']);

/** pg_db_role_setting's "name=value" as a setting; list settings split as the server joined them. */
function settingFromConfig(role: string | null, config: string): DatabaseSetting {
  const eq = config.indexOf('=');
  const name = config.slice(0, eq);
  const value = config.slice(eq + 1);
  if (!LIST_SETTINGS.has(name.toLowerCase())) return { role, name, values: [value] };
  const values: string[] = [];
  for (let i = 0; i < value.length;) {
    while (value[i] === ' ' || value[i] === ',') i += 1;
    if (i >= value.length) break;
    let element = '';
    if (value[i] === '"') {
      for (i += 1; i < value.length; i += 1) {
        if (value[i] === '"') {
          if (value[i + 1] !== '"') break;
          i += 1;
        }
        element += value[i];
      }
      i += 1;
    } else {
      while (i < value.length && value[i] !== ',') element += value[i++];
      element = element.trim();
    }
    values.push(element);
  }
  return { role, name, values };
}

export interface TargetDatabase {
  oid: number;
  allowConnections: boolean;
  properties: DatabaseProperties;
}

/** The live database's properties (columns read through to_jsonb, which every server major has). */
export async function readTargetDatabase(client: pg.Client, database: string): Promise<TargetDatabase | undefined> {
  const row = (
    await client.query<{ oid: string; db: Record<string, unknown>; owner: string; encoding: string; comment: string | null; acl: Array<{ grantee: string; privilege: string; grantable: boolean }> }>(
      `SELECT d.oid::text AS oid, to_jsonb(d) - 'datacl' AS db, pg_get_userbyid(d.datdba) AS owner, pg_encoding_to_char(d.encoding) AS encoding,
              shobj_description(d.oid, 'pg_database') AS comment,
              (SELECT coalesce(json_agg(json_build_object('grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, 'privilege', a.privilege_type, 'grantable', a.is_grantable)), '[]')
                 FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a) AS acl
         FROM pg_database d WHERE d.datname = $1`,
      [database],
    )
  ).rows[0];
  if (!row) return undefined;
  const settings = (
    await client.query<{ role: string | null; config: string[] }>(
      `SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END AS role, s.setconfig AS config FROM pg_db_role_setting s WHERE s.setdatabase = $1::oid`,
      [row.oid],
    )
  ).rows.flatMap((r) => r.config.map((config) => settingFromConfig(r.role, config)));
  const byGrantee = new Map<string, AclEntry>();
  for (const item of row.acl) {
    const entry = byGrantee.get(item.grantee) ?? { grantee: item.grantee, privileges: [], grantable: [] };
    const privilege = item.privilege as Privilege;
    entry.privileges = union(entry.privileges, [privilege]);
    if (item.grantable) entry.grantable = union(entry.grantable, [privilege]);
    byGrantee.set(item.grantee, entry);
  }
  const text = (key: string) => (typeof row.db[key] === 'string' ? (row.db[key] as string) : null);
  const provider = ({ c: 'libc', i: 'icu', b: 'builtin' } as Record<string, string>)[text('datlocprovider') ?? 'c'] ?? 'libc';
  return {
    oid: Number(row.oid),
    allowConnections: row.db.datallowconn !== false,
    properties: {
      owner: row.owner,
      acl: normalAcl([...byGrantee.values()]),
      settings: sortedSettings(settings),
      comment: row.comment,
      connectionLimit: Number(row.db.datconnlimit ?? -1),
      locale: { encoding: row.encoding, collate: text('datcollate') ?? '', ctype: text('datctype') ?? '', provider, icuLocale: text('daticulocale') ?? text('datlocale') },
    },
  };
}
