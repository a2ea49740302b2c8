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
  /**
   * Which server the oid is of: oids are numbered per server, and two servers made alike give their
   * first database the same one, so the profile may point at another server by the next start. Its
   * system identifier where the role may read it (pg_control_system), else the address connected to.
   */
  server?: ServerIdentity;
}

interface ServerIdentity {
  systemIdentifier: string | null;
  address: string;
}

async function serverIdentity(client: pg.Client): Promise<ServerIdentity> {
  const address = `${client.host}:${client.port}`;
  try {
    const row = (await client.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_catalog.pg_control_system()')).rows[0];
    return { systemIdentifier: row?.id ?? null, address };
  } catch {
    return { systemIdentifier: null, address };
  }
}

function sameServer(recorded: ServerIdentity | undefined, now: ServerIdentity): boolean {
  if (!recorded) return false;
  if (recorded.systemIdentifier !== null && now.systemIdentifier !== null) return recorded.systemIdentifier === now.systemIdentifier;
  return recorded.address === now.address;
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
  record(db, runId, { database, oid, server: await serverIdentity(client) });
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
        if (created.oid === null || found.oid !== created.oid || !sameServer(created.server, await serverIdentity(client)))
          return { action: 'left', message: `${name} was left as it is: Holdfast cannot tell it is the one this restore created (on this server); if it is half restored, drop it` };
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
