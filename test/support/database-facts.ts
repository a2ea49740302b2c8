// What a database carries on itself (owner, privileges, settings, comment, connection limit, locale)
// as the server reports it, and whether a role may connect to it: for the suites that check a
// restore gave a database the properties its source had.
import pg from 'pg';
import type { PgServer } from './pg-server.ts';

/** `database` is a test's own plain name (interpolated, not quoted). */
export async function databaseFacts(server: PgServer, database: string) {
  const [db] = await server.query<{ owner: string; connlimit: number; encoding: string; collate: string; ctype: string; comment: string | null }>(
    `SELECT pg_get_userbyid(datdba) AS owner, datconnlimit AS connlimit, pg_encoding_to_char(encoding) AS encoding, datcollate AS collate, datctype AS ctype,
            shobj_description(oid, 'pg_database') AS comment
       FROM pg_database WHERE datname = '${database}'`,
  );
  const acl = await server.query<{ grantee: string; privilege: string }>(
    `SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS grantee, a.privilege_type AS privilege
       FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a WHERE d.datname = '${database}' ORDER BY 1, 2`,
  );
  const settings = await server.query<{ role: string; config: string[] }>(
    `SELECT CASE WHEN s.setrole = 0 THEN '(all)' ELSE pg_get_userbyid(s.setrole) END AS role, s.setconfig AS config
       FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = '${database}' ORDER BY 1`,
  );
  return { ...db!, acl: acl.map((a) => `${a.grantee}:${a.privilege}`), settings: Object.fromEntries(settings.map((s) => [s.role, s.config])) };
}

/** "connected", or the server's refusal. */
export async function connectAs(server: PgServer, user: string, database: string): Promise<string> {
  const client = new pg.Client({ host: server.host, port: server.port, user, database });
  try {
    await client.connect();
    return 'connected';
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}
