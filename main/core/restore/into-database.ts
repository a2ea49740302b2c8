// A restore into the target's own name (a new database, or an empty one): creating the new database
// with the backup's properties, and undoing what a restore stopped part way left in it.
import type pg from 'pg';
import { HoldfastError, toErrorInfo } from '../model/errors.ts';
import { quoteIdent } from '../pg/connection.ts';
import type { ServerSession } from '../pg/session.ts';
import type { DatabasePropertiesPlan, LeftOut } from './database-properties.ts';
import { createScratchDatabase } from './scratch-database.ts';
import { maintenanceConnection } from './swap-journal.ts';

/**
 * After a restore into the target's own name stopped part way: a database it created is dropped; an
 * existing (empty) one keeps what a parallel pg_restore committed. Says which, for the run and the DBA.
 */
export async function undoIntoDatabase(session: ServerSession, database: string, created: boolean, jobs: number | undefined): Promise<string> {
  if (!created)
    return jobs && jobs > 1
      ? `"${database}" may hold part of the backup (--jobs ${jobs} commits as it goes); drop what it holds before restoring again.`
      : `Nothing was written to "${database}" (the restore ran as one transaction).`;
  try {
    await adminStatement(session, `DROP DATABASE IF EXISTS ${quoteIdent(database)}`);
    return `The new database "${database}" was dropped.`;
  } catch (error) {
    return `The new database "${database}" holds part of the backup and could not be dropped (${toErrorInfo(error).message}): drop it before restoring again.`;
  }
}

export async function createNewDatabase(session: ServerSession, database: string, properties: DatabasePropertiesPlan): Promise<LeftOut | undefined> {
  try {
    return await withMaintenance(session, (client) => createScratchDatabase(client, database, properties));
  } catch (error) {
    if (error instanceof HoldfastError) throw error;
    throw new HoldfastError('RESTORE_FAILED', `CREATE DATABASE failed: ${(error as Error).message}`, 'The target role needs CREATEDB.');
  }
}

export async function withMaintenance<T>(session: ServerSession, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await maintenanceConnection(session);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function adminStatement(session: ServerSession, sql: string): Promise<void> {
  const client = await maintenanceConnection(session);
  try {
    await client.query(sql);
  } catch (error) {
    throw new HoldfastError(
      'RESTORE_FAILED',
      `${sql.split(' ').slice(0, 2).join(' ')} failed: ${(error as Error).message}`,
      'The target role needs CREATEDB (and ownership of the database for --clean).',
    );
  } finally {
    await client.end();
  }
}
