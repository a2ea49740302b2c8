// The database a replace restore is about to replace, as the server has it: the properties its
// replacement keeps when the backup does not say otherwise, and what the preview compares against.
import type pg from 'pg';
import { readDatabaseSettings } from '../pg/database-settings.ts';
import { normalAcl, union, type AclEntry, type DatabaseProperties, type Privilege } from './database-property-values.ts';

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
  const settings = await readDatabaseSettings(client, row.oid);
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
      settings,
      comment: row.comment,
      connectionLimit: Number(row.db.datconnlimit ?? -1),
      locale: { encoding: row.encoding, collate: text('datcollate') ?? '', ctype: text('datctype') ?? '', provider, icuLocale: text('daticulocale') ?? text('datlocale') },
    },
  };
}
