// A database's own settings as pg_db_role_setting holds them (ALTER DATABASE … SET, ALTER ROLE … IN
// DATABASE … SET): read for a database a restore replaces, and recorded with a plain backup, whose
// dump cannot carry them, so its restore can name each one it leaves out.
import type pg from 'pg';
import { sortedSettings, type DatabaseSetting } from '../restore/database-property-values.ts';

/** Settings whose value is a list of (possibly double-quoted) names, as pg_dump treats them. */
export const LIST_SETTINGS = new Set(['local_preload_libraries', 'search_path', 'session_preload_libraries', 'shared_preload_libraries', 'temp_tablespaces', 'unix_socket_directories']);

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

/** A setting as a backup records it: an encrypted backup's record keeps its name, not its value (see withheldValues). */
export type RecordedSetting = DatabaseSetting & { withheld?: true };

/**
 * What an encrypted backup may record of its database's settings: their names. The record (sidecar,
 * catalogue, offsite copies' sidecars) is in the clear beside a file that is not, and a setting's value
 * may be a secret (PostgREST's app.jwt_secret); an archive would carry it encrypted, inside.
 */
export const withheldValues = (settings: readonly DatabaseSetting[]): RecordedSetting[] => settings.map(({ role, name }) => ({ role, name, values: [], withheld: true }));

/**
 * The database's own settings (ALTER DATABASE … SET, ALTER ROLE … IN DATABASE … SET), sorted: what a
 * replaced database keeps, and what a plain backup records of its source (a plain dump cannot carry them).
 */
/** `databaseOid` null: the database the client is connected to. */
export async function readDatabaseSettings(client: pg.Client, databaseOid: string | null): Promise<DatabaseSetting[]> {
  const rows = (
    await client.query<{ role: string | null; config: string[] }>(
      `SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END AS role, s.setconfig AS config FROM pg_db_role_setting s
        WHERE s.setdatabase = coalesce($1::oid, (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()))`,
      [databaseOid],
    )
  ).rows;
  return sortedSettings(rows.flatMap((r) => r.config.map((config) => settingFromConfig(r.role, config))));
}
