// How many rows a restored database holds, table by table, against the backup's manifest: the check
// every restore and drill ends with. And how many user relations a database has, which decides whether
// a restore may write into it.
import type pg from 'pg';
import { HoldfastError } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import { quoteIdent } from '../pg/connection.ts';
import type { ServerSession } from '../pg/session.ts';
import { parseTableKey } from '../pg/table-key.ts';

export interface TableCount {
  table: string;
  expected: number;
  actual: number | null;
}

export async function userRelationCount(session: ServerSession, database: string): Promise<number> {
  const client = await session.connect(database);
  try {
    const result = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`,
    );
    return Number(result.rows[0]!.n);
  } finally {
    await client.end();
  }
}

/** Exact rows per manifest table (or the ones given), on two connections at once (a restore drill waits on this). */
export async function countTables(
  session: ServerSession,
  database: string,
  backup: BackupMetadata,
  entries: ReadonlyArray<[string, number]> = Object.entries(backup.rowCounts),
): Promise<TableCount[]> {
  const counts: TableCount[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    const client = await session.connect(database);
    try {
      for (let i = next++; i < entries.length; i = next++) {
        const [table, expected] = entries[i]!;
        const dot = parseTableKey(table) ?? (await resolveQualified(client, table));
        if (!dot) {
          counts[i] = { table, expected, actual: null };
          continue;
        }
        // Qualified: a search_path set for the database or role could put another count() first. (int8 arrives as a string.)
        const result = await client.query<{ n: string }>(`SELECT pg_catalog.count(*) AS n FROM ONLY ${quoteIdent(dot.schema)}.${quoteIdent(dot.name)}`);
        counts[i] = { table, expected, actual: Number(result.rows[0]!.n) };
      }
    } finally {
      await client.end();
    }
  };
  await Promise.all(Array.from({ length: Math.min(2, Math.max(entries.length, 1)) }, worker));
  return counts;
}

/**
 * A key from a manifest written before keys were quoted (pg/table-key.ts), split at the dot that
 * names a real table: schema and table names may both contain dots ("app.v2"."users").
 */
async function resolveQualified(client: pg.Client, table: string): Promise<{ schema: string; name: string } | undefined> {
  for (let dot = table.indexOf('.'); dot > 0; dot = table.indexOf('.', dot + 1)) {
    const schema = table.slice(0, dot);
    const name = table.slice(dot + 1);
    const found = await client.query('SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2', [schema, name]);
    if ((found.rowCount ?? 0) > 0) return { schema, name };
  }
  return undefined;
}

/** Row counts of the restored database, which must match the manifest. */
export async function checkedCounts(session: ServerSession, database: string, backup: BackupMetadata, hint: string | undefined, only?: readonly string[]): Promise<TableCount[]> {
  const tables = await countTables(session, database, backup, only ? Object.entries(backup.rowCounts).filter(([table]) => only.includes(table)) : undefined);
  const wrong = tables.filter((t) => t.actual !== t.expected);
  if (wrong.length > 0) {
    throw new HoldfastError(
      'RESTORE_FAILED',
      `Row counts after the restore differ from the backup's manifest: ${wrong.map((t) => `${t.table} expected ${t.expected}, got ${t.actual ?? 'no table'}`).join('; ')}`,
      hint,
    );
  }
  return tables;
}
