// A restore into a new database (--create, or a --dbname that did not exist) creates it, then fills it.
// A Holdfast killed in between leaves a half-restored database under the name the DBA asked for, which
// looks like a restore. So the run records the database before it is created, and its oid once it is;
// the next start drops it (found by that oid, which only the database this run created has), says so
// with the run, and ends any session the dead run's tools left in it.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { Catalogue } from '../catalogue/catalogue.ts';
import { toErrorInfo } from '../model/errors.ts';
import { quoteIdent } from '../pg/connection.ts';
import { openSession, type CredentialSource } from '../pg/session.ts';
import { maintenanceConnection, serverMajor } from './swap-journal.ts';

interface NewDatabase {
  database: string;
  /** Null until CREATE DATABASE returned (a crash in between leaves the name only). */
  oid: number | null;
}

export interface NewDatabaseRecovery {
  runId: string;
  profile: string;
  database: string;
  action: 'dropped' | 'left' | 'not-created' | 'not-reached';
  message: string;
}

const record = (db: Database.Database, runId: string, value: NewDatabase) =>
  db.prepare(`UPDATE runs SET detail = json_set(COALESCE(detail, '{}'), '$.newDatabase', json(?)) WHERE id = ?`).run(JSON.stringify(value), runId);

/** Written before CREATE DATABASE. */
export function recordNewDatabase(db: Database.Database, runId: string, database: string): void {
  record(db, runId, { database, oid: null });
}

/** Written once it exists: its oid is what the next start drops it by. */
export async function recordNewDatabaseOid(db: Database.Database, client: pg.Client, runId: string, database: string): Promise<void> {
  const oid = (await client.query<{ oid: number }>('SELECT oid::int AS oid FROM pg_database WHERE datname = $1', [database])).rows[0]?.oid ?? null;
  record(db, runId, { database, oid });
}

function newDatabaseOf(detail: Record<string, unknown> | null): NewDatabase | undefined {
  const value = detail?.newDatabase as NewDatabase | undefined;
  return value && typeof value.database === 'string' ? value : undefined;
}

/** At start, for restore runs just found interrupted: their half-restored new databases dropped, and their runs say so. */
export async function dropInterruptedNewDatabases(context: CredentialSource & { catalogue: Catalogue }, runIds: readonly string[]): Promise<NewDatabaseRecovery[]> {
  const recoveries: NewDatabaseRecovery[] = [];
  for (const runId of runIds) {
    const run = context.catalogue.getRun(runId);
    const created = run?.kind === 'restore' ? newDatabaseOf(run.detail) : undefined;
    if (!run || !created || !run.profile) continue;
    const recovery = await dropNewDatabase(context, run.profile, created);
    recoveries.push({ runId, profile: run.profile, database: created.database, ...recovery });
    context.catalogue.finishRun(runId, 'interrupted', { error: `Holdfast stopped while restoring into the new database "${created.database}": ${recovery.message}.` });
  }
  return recoveries;
}

async function dropNewDatabase(context: CredentialSource & { catalogue: Catalogue }, profileName: string, created: NewDatabase): Promise<Pick<NewDatabaseRecovery, 'action' | 'message'>> {
  const name = `"${created.database}"`;
  const profile = context.catalogue.listProfiles().find((p) => p.name === profileName);
  if (!profile) return { action: 'not-reached', message: `profile "${profileName}" no longer exists, so ${name} may be left half restored on its server: drop it there` };
  try {
    const session = await openSession(context, profile);
    try {
      const client = await maintenanceConnection(session);
      try {
        const found = (await client.query<{ oid: number }>('SELECT oid::int AS oid FROM pg_database WHERE datname = $1', [created.database])).rows[0];
        if (!found) return { action: 'not-created', message: `${name} does not exist (it was not created, or was dropped since)` };
        if (created.oid === null || found.oid !== created.oid)
          return { action: 'left', message: `${name} was left as it is: Holdfast cannot tell it is the one this restore created; if it is half restored, drop it` };
        // FORCE ends a session the dead run's tools may still have in it (PostgreSQL 13 and later).
        await client.query(`DROP DATABASE ${quoteIdent(created.database)}${(await serverMajor(client)) >= 13 ? ' WITH (FORCE)' : ''}`);
        return { action: 'dropped', message: `the half-restored ${name} was dropped` };
      } finally {
        await client.end();
      }
    } finally {
      await session.close();
    }
  } catch (error) {
    return {
      action: 'not-reached',
      message: `${name} may be left half restored (its server could not be reached or would not drop it: ${toErrorInfo(error).message}): drop it before restoring again`,
    };
  }
}
