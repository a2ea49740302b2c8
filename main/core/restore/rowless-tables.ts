// Which of a backup's tables hold no rows of their own. pg_dump writes no data item for a partitioned
// table (its partitions are dumped as tables of their own, each with its data), so in a backup whose
// rows were counted, a listed table without a count is a partitioned one. Said once, for the restore's
// table choice (such a table restored alone arrives empty) and its preview (where its rows are).
import type { BackupMetadata } from '../model/types.ts';

export function tablesWithoutRowsOfTheirOwn(backup: Pick<BackupMetadata, 'tables' | 'rowCounts'> & { options: Pick<BackupMetadata['options'], 'schemaOnly'> }): Set<string> {
  // A schema-only backup, or one whose rows nobody counted (an imported tar or directory dump), says nothing.
  const counted = !backup.options.schemaOnly && Object.keys(backup.rowCounts).length > 0;
  return new Set(counted ? backup.tables.filter((key) => backup.rowCounts[key] === undefined) : []);
}
