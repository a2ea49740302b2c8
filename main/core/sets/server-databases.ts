// Which databases a whole-server set backs up: every database the server lets anyone connect to
// (datallowconn) that is not a template, read at the start of each run, so a database created since
// the last set is in this one. The maintenance database (postgres) is an ordinary database here:
// people do keep tables in it. Excluded ones are matched by name or by a pattern with * and ?.
import type pg from 'pg';

export function matchesPattern(name: string, pattern: string): boolean {
  const regex = new RegExp(`^${[...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('')}$`, 's');
  return regex.test(name);
}

export interface ServerDatabases {
  expected: string[];
  excluded: string[];
}

export async function listServerDatabases(client: pg.Client, excludePatterns: readonly string[]): Promise<ServerDatabases> {
  const rows = await client.query<{ datname: string }>(`SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname COLLATE "C"`);
  const expected: string[] = [];
  const excluded: string[] = [];
  for (const { datname } of rows.rows) (excludePatterns.some((pattern) => matchesPattern(datname, pattern)) ? excluded : expected).push(datname);
  return { expected, excluded };
}

/** The role a set connects as, and which of `databases` it may not CONNECT to (their members cannot be backed up). */
export async function connectRefusals(client: pg.Client, databases: readonly string[]): Promise<{ role: string; refused: Set<string> }> {
  const row = (
    await client.query<{ role: string; refused: string[] }>(
      `SELECT current_user AS role, coalesce(array_agg(datname::text) FILTER (WHERE NOT has_database_privilege(oid, 'CONNECT')), '{}'::text[]) AS refused FROM pg_catalog.pg_database WHERE datname = ANY ($1)`,
      [databases],
    )
  ).rows[0]!;
  return { role: row.role, refused: new Set(row.refused) };
}

export interface SizedDatabase {
  database: string;
  /** null when the role may not CONNECT to it (pg_database_size needs that): the set would be partial. */
  sizeBytes: number | null;
  /** Tables and large objects in it the role cannot read (its member's pg_dump would fail on them); [] when it may not connect. */
  unreadable: string[];
  problem: string | null;
}

/** What a set would back up now, sized: the connection test of a whole-server profile. */
export interface WholeServerSizes {
  databases: SizedDatabase[];
  excluded: string[];
  /** Of the databases it could size. */
  totalBytes: number;
}

/** Lists what the role cannot read in one database (profiles/profiles.ts asks it over a connection to that database). */
export type UnreadableIn = (database: string) => Promise<string[]>;

const UNREADABLE_NAMED = 5;

export async function sizeServerDatabases(client: pg.Client, excludePatterns: readonly string[], unreadableIn: UnreadableIn): Promise<WholeServerSizes> {
  const { expected, excluded } = await listServerDatabases(client, excludePatterns);
  const rows = await client.query<{ datname: string; size: string | null }>(
    `SELECT datname, CASE WHEN has_database_privilege(oid, 'CONNECT') THEN pg_database_size(oid)::text END AS size FROM pg_catalog.pg_database WHERE datname = ANY ($1)`,
    [expected],
  );
  const sizes = new Map(rows.rows.map((row) => [row.datname, row.size === null ? null : Number(row.size)]));
  const databases: SizedDatabase[] = [];
  // One database at a time: a connection each, closed before the next, so a server with many
  // databases is never asked for more than one extra connection by a test.
  for (const database of expected) {
    const sizeBytes = sizes.get(database) ?? null;
    if (sizeBytes === null) {
      databases.push({
        database,
        sizeBytes,
        unreadable: [],
        problem: `the role may not CONNECT to "${database}": a set would be partial without it (GRANT CONNECT to the role, or exclude the database)`,
      });
      continue;
    }
    const unreadable = await unreadableIn(database);
    const named = `${unreadable.slice(0, UNREADABLE_NAMED).join(', ')}${unreadable.length > UNREADABLE_NAMED ? `, and ${unreadable.length - UNREADABLE_NAMED} more` : ''}`;
    const problem =
      unreadable.length === 0
        ? null
        : `the role cannot read ${unreadable.length} ${unreadable.length === 1 ? 'table or large object' : 'tables or large objects'} in "${database}" (${named}): that member's pg_dump would fail and the set would be partial (GRANT SELECT or pg_read_all_data to the role, or exclude the database)`;
    databases.push({ database, sizeBytes, unreadable, problem });
  }
  return { databases, excluded, totalBytes: databases.reduce((sum, d) => sum + (d.sizeBytes ?? 0), 0) };
}
