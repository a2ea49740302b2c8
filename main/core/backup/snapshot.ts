// The backup's own session on the server: the snapshot pg_dump imports, and what picking pg_dump needs.
import type pg from 'pg';

export interface ServerFacts {
  major: number;
  versionText: string;
  database: string;
  /** The snapshot pg_dump imports, exported by the session's transaction. */
  snapshot: string;
}

/**
 * Opens the snapshot's transaction and asks what picking pg_dump needs, in one round trip: everything
 * before pg_dump's spawn is wall time of the backup (issue 12, item 22). The session idles in its
 * transaction for the whole dump; a server-wide idle or statement timeout must not end it (that would
 * void the snapshot, or the counts, after a good dump), nor a lock_timeout fail a count that waits
 * behind pg_dump. The counts run beside pg_dump without parallel workers, which would take cores from
 * pg_dump and the server's shared pool.
 */
export async function openSnapshot(client: pg.Client): Promise<ServerFacts> {
  const results = (await client.query(
    `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL idle_in_transaction_session_timeout = 0; SET LOCAL statement_timeout = 0;
     SET LOCAL lock_timeout = 0; SET LOCAL max_parallel_workers_per_gather = 0;
     SELECT pg_export_snapshot() AS id, current_setting('server_version_num') AS num, current_setting('server_version') AS version, current_database() AS db`,
  )) as unknown as pg.QueryResult<{ id: string; num: string; version: string; db: string }>[];
  const row = results.at(-1)!.rows[0]!;
  return { major: Math.floor(Number(row.num) / 10000), versionText: `PostgreSQL ${row.version.split(' ')[0]}`, database: row.db, snapshot: row.id };
}

/** The database's size on disk (a walk of its directory on the server), asked once pg_dump is on its way. */
export async function databaseSize(client: pg.Client): Promise<number> {
  const result = await client.query<{ size: string }>('SELECT pg_database_size(current_database())::text AS size');
  return Number(result.rows[0]!.size);
}
