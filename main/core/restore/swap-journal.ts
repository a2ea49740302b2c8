// A replace restore (--clean, --swap) ends with a few statements that must not be left half done:
// stop new sessions on the database, move it aside, give the restored copy its name, drop (or keep)
// the old one. Each step is written to the catalogue before it is taken, so a Holdfast killed between
// two of them (or a rename that failed and could not be undone) leaves a record; the next start, or
// `holdfast restore --recover`, settles it from what the server shows:
// - the copy already holds the name: rolled forward (the old database dropped with --clean, kept
//   with --swap);
// - otherwise: rolled back (the original under its name again, its copy dropped);
// and either way a database Holdfast stopped accepting connections accepts them again.
// Databases are found by oid, which a rename keeps, so a rename that an orphaned backend finished
// after Holdfast died is seen for what it is; that backend is ended first, so it cannot finish one
// after the recovery looked.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { HoldfastError, toErrorInfo } from '../model/errors.ts';
import { quoteIdent } from '../pg/connection.ts';
import { openSession, type CredentialSource, type ServerSession } from '../pg/session.ts';
import { isProcessAlive, PROCESS_TOKEN } from '../process/liveness.ts';
import type { Catalogue } from '../catalogue/catalogue.ts';

export const SWAP_STEPS = ['restore', 'properties', 'disallow-connections', 'rename-original', 'rename-copy', 'drop-before'] as const;
export type SwapStep = (typeof SWAP_STEPS)[number];

/** What the step was about to do, for messages ("stopped while …"). */
const STEP_WORDS: Record<SwapStep, (e: SwapEntry) => string> = {
  restore: (e) => `restoring into the scratch copy "${e.scratch}"`,
  properties: () => "giving the copy the database's owner, privileges and settings",
  'disallow-connections': (e) => `stopping new sessions on "${e.database}"`,
  'rename-original': (e) => `moving "${e.database}" aside to "${e.before}"`,
  'rename-copy': (e) => `renaming the restored copy "${e.scratch}" to "${e.database}"`,
  'drop-before': (e) => `dropping the previous database "${e.before}"`,
};

export interface SwapEntry {
  runId: string;
  profile: string;
  database: string;
  scratch: string;
  before: string;
  /** --swap keeps the old database; --clean drops it. */
  keepBefore: boolean;
  originalOid: number;
  copyOid: number | null;
  step: SwapStep;
  /** Holdfast set datallowconn=false on the original and has not set it back. */
  allowConnChanged: boolean;
}

export interface SwapRecovery {
  runId: string;
  profile: string;
  database: string;
  /** The step the restore had written last. */
  step: SwapStep;
  action: 'rolled-back' | 'rolled-forward' | 'nothing-to-do' | 'needs-attention' | 'not-reached';
  message: string;
}

interface SwapRow {
  run_id: string;
  profile_name: string;
  database: string;
  scratch_name: string;
  before_name: string;
  keep_before: number;
  original_oid: number;
  copy_oid: number | null;
  step: SwapStep;
  allowconn_changed: number;
}

const fromRow = (row: SwapRow): SwapEntry => ({
  runId: row.run_id,
  profile: row.profile_name,
  database: row.database,
  scratch: row.scratch_name,
  before: row.before_name,
  keepBefore: row.keep_before === 1,
  originalOid: row.original_oid,
  copyOid: row.copy_oid,
  step: row.step,
  allowConnChanged: row.allowconn_changed === 1,
});

/** The restore_swaps table: one row per replace restore, resolved when it is settled. */
export class SwapJournal {
  constructor(private readonly db: Database.Database) {}

  begin(entry: Omit<SwapEntry, 'step' | 'copyOid' | 'allowConnChanged'>): void {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO restore_swaps (run_id, profile_name, database, scratch_name, before_name, keep_before, original_oid, step, started_at, updated_at, claimed_pid, claimed_token)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'restore', ?, ?, ?, ?)`,
      )
      .run(entry.runId, entry.profile, entry.database, entry.scratch, entry.before, entry.keepBefore ? 1 : 0, entry.originalOid, now, now, process.pid, PROCESS_TOKEN);
  }

  /** Written before the step is taken. */
  step(runId: string, step: SwapStep, changes: { copyOid?: number; allowConnChanged?: boolean } = {}): void {
    this.db
      .prepare(`UPDATE restore_swaps SET step = ?, copy_oid = COALESCE(?, copy_oid), allowconn_changed = COALESCE(?, allowconn_changed), updated_at = ? WHERE run_id = ?`)
      .run(step, changes.copyOid ?? null, changes.allowConnChanged === undefined ? null : changes.allowConnChanged ? 1 : 0, new Date().toISOString(), runId);
  }

  resolve(runId: string, outcome: SwapRecovery['action'] | 'completed', message: string): void {
    this.db
      .prepare(`UPDATE restore_swaps SET resolved_at = ?, outcome = ?, outcome_message = ?, claimed_pid = NULL, claimed_token = NULL WHERE run_id = ?`)
      .run(new Date().toISOString(), outcome, message, runId);
  }

  get(runId: string): SwapEntry | undefined {
    const row = this.db.prepare('SELECT * FROM restore_swaps WHERE run_id = ?').get(runId) as SwapRow | undefined;
    return row && fromRow(row);
  }

  /** Unresolved entries, less those last tried after `triedBefore` (when given). */
  unresolved(triedBefore?: Date): SwapEntry[] {
    const rows = this.db
      .prepare('SELECT * FROM restore_swaps WHERE resolved_at IS NULL AND (? IS NULL OR attempted_at IS NULL OR attempted_at < ?) ORDER BY started_at')
      .all(triedBefore?.toISOString() ?? null, triedBefore?.toISOString() ?? null) as SwapRow[];
    return rows.map(fromRow);
  }

  /** Takes an unresolved entry for this process unless a live one holds it (two Holdfasts starting at once). */
  claim(runId: string, now: Date = new Date()): boolean {
    return this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT claimed_pid, claimed_token, resolved_at FROM restore_swaps WHERE run_id = ?').get(runId) as
          { claimed_pid: number | null; claimed_token: string | null; resolved_at: string | null } | undefined;
        if (!row || row.resolved_at !== null) return false;
        const mine = row.claimed_pid === process.pid && row.claimed_token === PROCESS_TOKEN;
        if (!mine && row.claimed_pid !== null && isProcessAlive(row.claimed_pid, row.claimed_token)) return false;
        this.db.prepare('UPDATE restore_swaps SET claimed_pid = ?, claimed_token = ?, attempted_at = ? WHERE run_id = ?').run(process.pid, PROCESS_TOKEN, now.toISOString(), runId);
        return true;
      })
      .immediate();
  }

  release(runId: string): void {
    this.db.prepare('UPDATE restore_swaps SET claimed_pid = NULL, claimed_token = NULL WHERE run_id = ?').run(runId);
  }
}

/** The server's maintenance database (postgres, else template1, else the profile's own). */
export async function maintenanceConnection(session: ServerSession): Promise<pg.Client> {
  let lastError: unknown;
  for (const database of ['postgres', 'template1', session.profile.dbname]) {
    try {
      return await session.connect(database);
    } catch (error) {
      lastError = error;
      if (!String((error as Error).message).includes('does not exist')) break;
    }
  }
  throw lastError;
}

/** Every connection that changes a swap says which run it belongs to, so a recovery can end an orphan. */
export const swapApplicationName = (runId: string) => `holdfast restore ${runId}`;

export async function swapConnection(session: ServerSession, runId: string): Promise<pg.Client> {
  const client = await maintenanceConnection(session);
  try {
    await client.query(`SELECT set_config('application_name', $1, false)`, [swapApplicationName(runId)]);
  } catch (error) {
    await client.end();
    throw error;
  }
  return client;
}

interface DatabaseRow {
  oid: number;
  datname: string;
  datallowconn: boolean;
}

/**
 * Puts a journalled swap into a state where the database has its name and accepts connections, and
 * says what it did. `afterCrash`: the run's process is gone, so backends of the run still there are
 * orphans (ended first) and so is anything still connected to the scratch copy (dropped with FORCE).
 */
export async function settleSwap(client: pg.Client, entry: SwapEntry, options: { afterCrash: boolean }): Promise<Omit<SwapRecovery, 'runId' | 'profile' | 'database' | 'step'>> {
  if (options.afterCrash) await endOrphans(client, entry.runId);
  const found = (
    await client.query<DatabaseRow>('SELECT oid::int AS oid, datname, datallowconn FROM pg_database WHERE oid = ANY($1::oid[]) OR datname = ANY($2::text[])', [
      [entry.originalOid, ...(entry.copyOid === null ? [] : [entry.copyOid])],
      [entry.database, entry.scratch],
    ])
  ).rows;
  const original = found.find((db) => db.oid === entry.originalOid);
  const copy = entry.copyOid === null ? found.find((db) => db.datname === entry.scratch && db.oid !== entry.originalOid) : found.find((db) => db.oid === entry.copyOid);
  const holder = found.find((db) => db.datname === entry.database);
  const notes: string[] = [];
  const allow = async (db: DatabaseRow) => {
    if (db.datallowconn || !entry.allowConnChanged) return;
    await client.query(`ALTER DATABASE ${quoteIdent(db.datname)} ALLOW_CONNECTIONS true`);
    db.datallowconn = true;
    notes.push(`"${db.datname}" accepts connections again`);
  };
  const drop = async (db: DatabaseRow, force: boolean, what: string) => {
    try {
      // FORCE (PostgreSQL 13 and later) ends sessions still in the copy: after a crash, an orphaned pg_restore.
      await client.query(`DROP DATABASE ${quoteIdent(db.datname)}${force && (await serverMajor(client)) >= 13 ? ' WITH (FORCE)' : ''}`);
      notes.push(`${what} "${db.datname}" was dropped`);
    } catch (error) {
      notes.push(`${what} is left in "${db.datname}" (it could not be dropped: ${(error as Error).message}; drop it yourself)`);
    }
  };
  const said = (head: string) => [head, ...notes].join('; ');

  if (copy && copy.datname === entry.database) {
    if (original) {
      await allow(original);
      if (entry.keepBefore) notes.push(`the previous database is kept as "${original.datname}"`);
      else await drop(original, false, 'the previous database');
    }
    return { action: 'rolled-forward', message: said(`"${entry.database}" is the restored copy`) };
  }
  if (original) {
    const moved = original.datname !== entry.database;
    if (moved) {
      if (holder) {
        await allow(original);
        return {
          action: 'needs-attention',
          message: said(
            `another database now has the name "${entry.database}"; the original is in "${original.datname}"${copy ? ` and the restored copy in "${copy.datname}"` : ''}: rename the one you want to "${entry.database}"`,
          ),
        };
      }
      try {
        await client.query(`ALTER DATABASE ${quoteIdent(original.datname)} RENAME TO ${quoteIdent(entry.database)}`);
        original.datname = entry.database;
      } finally {
        await allow(original);
      }
    }
    await allow(original);
    if (copy) await drop(copy, options.afterCrash, 'the restored copy');
    return { action: 'rolled-back', message: said(moved ? `"${entry.database}" is the original again` : `"${entry.database}" was left as it was`) };
  }
  if (copy) {
    if (holder) return { action: 'needs-attention', message: `the original is gone and another database has the name "${entry.database}"; the restored copy is in "${copy.datname}"` };
    await client.query(`ALTER DATABASE ${quoteIdent(copy.datname)} RENAME TO ${quoteIdent(entry.database)}`);
    return { action: 'rolled-forward', message: `"${entry.database}" is the restored copy (the original had already been dropped)` };
  }
  return { action: 'nothing-to-do', message: `neither the original "${entry.database}" nor the restored copy exists on the server any more` };
}

export async function serverMajor(client: pg.Client): Promise<number> {
  const num = (await client.query<{ n: string }>(`SELECT current_setting('server_version_num') AS n`)).rows[0]!.n;
  return Math.floor(Number(num) / 10000);
}

/** Ends the dead run's backends (a rename still waiting for a lock) and waits until they are gone. */
async function endOrphans(client: pg.Client, runId: string): Promise<void> {
  const name = swapApplicationName(runId);
  const query = `SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if ((await client.query(query, [name])).rowCount === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new HoldfastError(
    'RESTORE_FAILED',
    `Sessions of the interrupted restore ${runId} did not end when asked.`,
    `End them yourself (pg_stat_activity, application_name '${name}') and run holdfast restore --recover.`,
  );
}

export function describeStep(entry: SwapEntry): string {
  return STEP_WORDS[entry.step](entry);
}

export interface RecoveryContext extends CredentialSource {
  catalogue: Catalogue;
}

/** How long a start waits before trying a swap again whose server it could not settle (every command opens Holdfast). */
const RETRY_AT_START_MS = 5 * 60_000;

/**
 * Settles every journalled swap whose run is no longer running: after a crash (at start), or one a
 * failed restore could not undo. Entries whose server cannot be reached stay for the next try; at
 * start, one tried in the last few minutes is left alone, so a server that is down does not slow
 * every command by a connect timeout. `holdfast restore --recover` always tries.
 */
export async function recoverInterruptedSwaps(context: RecoveryContext, options: { atStart: boolean; now?: Date }): Promise<SwapRecovery[]> {
  const journal = new SwapJournal(context.catalogue.db);
  const recoveries: SwapRecovery[] = [];
  const now = options.now ?? new Date();
  for (const entry of journal.unresolved(options.atStart ? new Date(now.getTime() - RETRY_AT_START_MS) : undefined)) {
    const run = context.catalogue.getRun(entry.runId);
    if (run?.status === 'running' || !journal.claim(entry.runId, now)) continue;
    const base = { runId: entry.runId, profile: entry.profile, database: entry.database, step: entry.step };
    let outcome: Omit<SwapRecovery, 'runId' | 'profile' | 'database' | 'step'>;
    let session: ServerSession | undefined;
    try {
      const profile = context.catalogue.listProfiles().find((p) => p.name === entry.profile);
      if (!profile) throw new HoldfastError('NOT_FOUND', `profile "${entry.profile}" no longer exists`);
      session = await openSession(context, profile);
      const client = await maintenanceConnection(session);
      try {
        outcome = await settleSwap(client, entry, { afterCrash: true });
      } finally {
        await client.end();
      }
    } catch (error) {
      journal.release(entry.runId);
      const message = `could not be settled yet: ${toErrorInfo(error).message}. Holdfast tries again at its next start; or run holdfast restore --recover.`;
      recoveries.push({ ...base, action: 'not-reached', message });
      continue;
    } finally {
      await session?.close();
    }
    const verb = { 'rolled-back': 'rolled back', 'rolled-forward': 'rolled forward', 'nothing-to-do': 'found nothing to do', 'needs-attention': 'could not finish' }[
      outcome.action as Exclude<SwapRecovery['action'], 'not-reached'>
    ];
    const message = `Holdfast stopped while ${describeStep(entry)}; the recovery ${verb}: ${outcome.message}.`;
    if (outcome.action === 'needs-attention') journal.release(entry.runId);
    else journal.resolve(entry.runId, outcome.action, message);
    // The run said "interrupted" (at start) or why it failed; now it also says how it ended.
    if (run && run.status !== 'completed') {
      context.catalogue.finishRun(run.id, run.status === 'failed' ? 'failed' : 'interrupted', { error: run.status === 'failed' && run.error ? `${run.error} ${message}` : message });
    }
    recoveries.push({ ...base, action: outcome.action, message });
  }
  return recoveries;
}
