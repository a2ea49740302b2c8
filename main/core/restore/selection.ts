// Restoring part of a backup: chosen tables, or chosen schemas, through pg_restore's own selection
// (-n schema, -t table). pg_restore selects a table with its definition and data and nothing it
// depends on or that hangs off it: no indexes, constraints, triggers or column defaults, no other
// table a foreign key points to. So a selection goes into a new (or empty) database, never over a
// whole one, and the rows checked afterwards are the selected tables' only.
import { HoldfastError } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import { quoteIdent } from '../pg/connection.ts';
import type { ServerSession } from '../pg/session.ts';
import { parseTableKey } from '../pg/table-key.ts';
import { tablesWithoutRowsOfTheirOwn } from './rowless-tables.ts';

export interface RestoreSelectionRequest {
  /** Manifest keys ("public.users", "\"Sales\".\"Quarterly Totals\""). */
  tables?: readonly string[] | undefined;
  schemas?: readonly string[] | undefined;
}

export interface RestoreSelection {
  /** pg_restore's arguments for it. */
  args: string[];
  /** Schemas the target must have before pg_restore runs: -n and -t do not restore CREATE SCHEMA. */
  schemas: string[];
  /** The manifest's tables the selection restores: the row counts checked afterwards. */
  tables: string[];
}

const bad = (message: string, hint: string) => new HoldfastError('BAD_INPUT', message, hint);

export function restoreSelection(
  backup: Pick<BackupMetadata, 'format' | 'tables' | 'filename' | 'rowCounts'> & { options: Pick<BackupMetadata['options'], 'schemaOnly'> },
  request: RestoreSelectionRequest & { replacing: boolean },
): RestoreSelection | undefined {
  const tables = [...new Set(request.tables ?? [])];
  const schemas = [...new Set(request.schemas ?? [])];
  if (tables.length === 0 && schemas.length === 0) return undefined;
  if (tables.length > 0 && schemas.length > 0) {
    throw bad('Choose tables or schemas to restore, not both: pg_restore would restore only the chosen tables that are in the chosen schemas.', 'Restore the schemas and the tables in two runs.');
  }
  if (backup.format === 'plain') {
    throw bad(`${backup.filename} is a plain SQL backup: it restores whole, and cannot restore chosen tables or schemas.`, 'Restore it whole into a new database, or {{format-custom}}.');
  }
  if (request.replacing) {
    throw bad(
      'A restore of chosen tables or schemas does not replace a database: the database would keep only those tables.',
      'Restore them into a new database ({{restore-beside}}) and copy what you need from there.',
    );
  }
  const inBackup = backup.tables.map((key) => ({ key, parsed: parseTableKey(key) }));
  if (schemas.length > 0) {
    const present = new Set(inBackup.map((t) => t.parsed?.schema));
    const missing = schemas.filter((schema) => !present.has(schema));
    if (missing.length) throw bad(`The backup has no tables in schema ${missing.map((s) => `"${s}"`).join(', ')}.`, 'Choose schemas from the backup’s table list.');
    return {
      args: schemas.map((schema) => `--schema=${schema}`),
      schemas,
      tables: inBackup.filter((t) => t.parsed && schemas.includes(t.parsed.schema)).map((t) => t.key),
    };
  }
  const chosen = tables.map((key) => {
    const parsed = parseTableKey(key);
    if (!parsed || !backup.tables.includes(key)) throw bad(`The backup has no table ${key}.`, 'Choose tables from the backup’s table list.');
    return parsed;
  });
  const chosenSchemas = [...new Set(chosen.map((t) => t.schema))];
  // A table whose rows are in no data of its own is partitioned: its rows are in its partitions.
  // pg_restore --table restores its definition only, and no --table selects the partitions' ATTACH
  // entries, so it would arrive empty, its chosen partitions beside it as tables of their own.
  const withoutRows = tablesWithoutRowsOfTheirOwn(backup);
  const rowless = tables.filter((key) => withoutRows.has(key));
  if (rowless.length > 0) {
    const schemasOfThem = [...new Set(chosen.filter((_, i) => rowless.includes(tables[i]!)).map((t) => `"${t.schema}"`))];
    throw bad(
      `The backup holds no rows of ${rowless.join(', ')} itself (a partitioned table keeps them in its partitions): restored as a chosen table it would be empty, and partitions chosen beside it would not be attached to it.`,
      `Restore the whole schema ${schemasOfThem.join(', ')} instead: the partitions come attached, with their rows. A partition chosen alone comes back as a table of its own.`,
    );
  }
  const names = chosen.map((t) => t.name);
  if (chosenSchemas.length > 1) {
    // Without one -n, pg_restore matches -t by name in every schema: a same-named table elsewhere would come too.
    const clash = inBackup.find((t) => t.parsed && names.includes(t.parsed.name) && !tables.includes(t.key));
    if (clash) {
      throw bad(
        `pg_restore chooses tables by name, and the backup has ${clash.key} beside the chosen tables of the same name: it would be restored too.`,
        'Restore the tables of each schema in a run of their own.',
      );
    }
  }
  return {
    args: [...(chosenSchemas.length === 1 ? [`--schema=${chosenSchemas[0]}`] : []), ...names.map((name) => `--table=${name}`)],
    schemas: chosenSchemas,
    tables,
  };
}

/** "3 chosen tables of ": what a preview's action restores of the backup. */
export function selectionLabel(selection: RestoreSelection | undefined): string {
  if (!selection) return '';
  const count = selection.tables.length;
  return `${count} chosen ${count === 1 ? 'table' : 'tables'} of `;
}

/** -n and -t restore a schema's tables but not the schema: made first, owned by the restoring role. */
export async function createSchemas(session: ServerSession, database: string, selection: RestoreSelection): Promise<void> {
  const client = await session.connect(database);
  try {
    for (const schema of selection.schemas) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  } finally {
    await client.end();
  }
}
