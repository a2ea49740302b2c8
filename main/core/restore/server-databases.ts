// The databases on a profile's server, for a restore's target to be picked from (or a new name to be
// checked against): those a client can connect to, not templates, with their size when readable.
import type { Profile } from '../model/types.ts';
import { openSession, type CredentialSource } from '../pg/session.ts';
import { maintenanceConnection } from './swap-journal.ts';

export interface ServerDatabase {
  name: string;
  /** null when the role may not read it (pg_database_size needs CONNECT). */
  sizeBytes: number | null;
}

export async function listServerDatabases(context: CredentialSource, profile: Profile): Promise<ServerDatabase[]> {
  const session = await openSession(context, profile);
  try {
    const client = await maintenanceConnection(session);
    try {
      const rows = await client.query<{ name: string; size: string | null }>(
        `SELECT datname AS name, CASE WHEN has_database_privilege(oid, 'CONNECT') THEN pg_database_size(oid)::text END AS size
           FROM pg_database WHERE NOT datistemplate AND datallowconn ORDER BY datname`,
      );
      return rows.rows.map((row) => ({ name: row.name, sizeBytes: row.size === null ? null : Number(row.size) }));
    } finally {
      await client.end();
    }
  } finally {
    await session.close();
  }
}
