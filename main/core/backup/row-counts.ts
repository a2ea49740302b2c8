// A backup's exact row counts, per dumped table, in the dump's own snapshot: counted from the archive
// as the check walks it (custom archives, uncompressed or gzip, the default), otherwise by the
// snapshot's transaction on the server, beside pg_dump.
import type pg from 'pg';
import { ROW_COUNTED_ALGORITHMS } from '../archive/custom.ts';
import type { ArchiveTable } from '../archive/inspect.ts';
import { quoteIdent } from '../pg/connection.ts';
import { tableKey } from '../pg/table-key.ts';
import type { BackupOptions, Compression } from './options.ts';

/** With no filters and data included, pg_dump dumps every ordinary table the role can see. */
export function dumpsEveryTable(options: BackupOptions): boolean {
  return !options.schemaOnly && options.tables.length === 0 && options.schemas.length === 0 && options.excludeTables.length === 0 && options.excludeSchemas.length === 0;
}

/**
 * Whether the exact counts come from the archive: a custom archive is walked whole as pg_dump writes it,
 * and that walk counts each table's COPY rows, inflating gzip data (archive/copy-rows.ts,
 * inflated-copy-rows.ts), so the server is spared a second scan of every table. Those rows are the
 * dump's own, so in its snapshot; a table the walk could not count is counted on the server, in the
 * snapshot, once the dump is done. lz4 and zstd cannot be inflated here.
 *
 * The same for an archive on its way to the encryptor: its walk reads the plaintext as it passes, and
 * zlib may fall up to 8 MiB behind without holding the pipe (archive/inflated-copy-rows.ts). (Before
 * that queue, the walk waited for each batch's inflate and pg_dump with it: row 9 of the bench was
 * 1.08–1.11 with the inflate against 1.066 with the server's counts, and encrypted backups were counted
 * on the server.)
 */
export function countsRowsFromArchive(options: BackupOptions, compression: Compression): boolean {
  return options.format === 'custom' && ROW_COUNTED_ALGORITHMS.includes(compression.method);
}

/** The rows the archive's own check counted, by table key. */
export function archiveRows(tables: readonly ArchiveTable[]): Record<string, number> {
  const rows: Record<string, number> = {};
  for (const table of tables) if (table.hasData && table.rows !== undefined) rows[tableKey(table.schema, table.name)] = table.rows;
  return rows;
}

/**
 * The tables worth counting while pg_dump runs. Only readable ones: a failed count aborts the
 * snapshot's transaction, and if pg_dump has not imported the snapshot yet it then fails with "could
 * not import the requested snapshot" instead of its own, useful "permission denied for table …".
 */
export async function userTables(client: pg.Client): Promise<ArchiveTable[]> {
  const result = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
        AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')`,
  );
  return result.rows.map((row) => ({ ...row, hasData: true }));
}

/** Exact rows per dumped table, in the transaction whose snapshot pg_dump used. */
export async function countRows(client: pg.Client, tables: readonly ArchiveTable[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    if (!table.hasData) continue;
    // Qualified: a search_path set for the database or role could put another count() first. (int8 arrives as a string.)
    const result = await client.query<{ n: string }>(`SELECT pg_catalog.count(*) AS n FROM ONLY ${quoteIdent(table.schema)}.${quoteIdent(table.name)}`);
    counts[tableKey(table.schema, table.name)] = Number(result.rows[0]!.n);
  }
  return counts;
}
