// A backup whose database is not known: an imported dump that does not say which database it is of
// (a plain script made without --create). Shown as not recorded, never as its profile's database.

/** How such a backup shows its database. */
export const DATABASE_NOT_RECORDED = 'not recorded';

/**
 * The database a drill (or a restore's new database, by default) creates for the backup: its own, or for
 * a dump that does not say which, a name of Holdfast's. A name to create, never a claim about the dump.
 */
export function drillDatabaseName(backup: { database: string | null }): string {
  return backup.database ?? 'imported_dump';
}
