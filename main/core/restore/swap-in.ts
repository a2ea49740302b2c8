// A replace restore's scratch copy and its swap into the replaced database's name: the names the
// copy and the kept original get, and the journalled steps from creating the copy to dropping (or
// keeping) the original.
import type pg from 'pg';
import { HoldfastError, hintFollowedBy, toErrorInfo } from '../model/errors.ts';
import { hintText } from '../model/hint-actions.ts';
import { quoteIdent } from '../pg/connection.ts';
import type { ServerSession } from '../pg/session.ts';
import type { DatabasePropertiesPlan, LeftOut } from './database-properties.ts';
import { applyDatabaseProperties, createScratchDatabase } from './scratch-database.ts';
import { crashPoint } from '../process/crash-point.ts';
import { settleSwap, swapConnection, type SwapJournal } from './swap-journal.ts';
import type { TableCount } from './table-counts.ts';
import type { TargetDatabase } from './target-database.ts';

export function scratchName(database: string, at: Date, kind: 'holdfast' | 'before'): string {
  const stamp = at
    .toISOString()
    .replace(/[-:TZ.]/g, '')
    .slice(0, 14);
  const suffix = `__${kind}_${stamp}`;
  // Identifiers are at most 63 bytes.
  let base = database;
  while (Buffer.byteLength(base + suffix) > 63) base = base.slice(0, -1);
  return base + suffix;
}

/**
 * A time whose scratch names (<db>__holdfast_<time>, <db>__before_<time>) no database has yet: names
 * are to the second, so a second replace restore of the same database within one second (or a kept
 * __before_ from an earlier one) would otherwise collide, and the swap fail after the whole restore.
 */
export async function freeScratchStamp(client: pg.Client, database: string): Promise<Date> {
  const start = Date.now();
  for (let seconds = 0; seconds < 600; seconds += 1) {
    const at = new Date(start + seconds * 1000);
    const names = [scratchName(database, at, 'holdfast'), scratchName(database, at, 'before')];
    if (((await client.query('SELECT 1 FROM pg_database WHERE datname = ANY($1)', [names])).rowCount ?? 0) === 0) return at;
  }
  throw new HoldfastError(
    'CONFLICT',
    `Every scratch name for "${database}" in the next ten minutes is taken by an existing database.`,
    hintText(`Drop the old ${database}__before_* and ${database}__holdfast_* databases you no longer need, then try again.`),
  );
}

export interface SwapPlan {
  session: ServerSession;
  journal: SwapJournal;
  runId: string;
  database: string;
  workDatabase: string;
  aside: string;
  /** --swap: keep the replaced database as `aside`; --clean drops it. */
  keep: boolean;
  original: TargetDatabase;
  properties: DatabasePropertiesPlan;
  terminateConnections: boolean;
  /** Said in the result: a previous database that could not be dropped. */
  warnings: string[];
  /** Said in the result with what the copy did not get from the backup: a locale the server could not create. */
  leftOut: LeftOut[];
}

/**
 * Restores into a scratch copy and swaps it in. Never drop first: move the original aside, move the
 * copy into its name, and only then drop the original (--clean) or keep it (--swap). Each step is
 * journalled before it is taken (swap-journal.ts); a failure at any point settles the swap from what
 * the server shows — before the copy has the name, that puts the original back under it.
 */
export async function swapIn(plan: SwapPlan, restoreCopy: () => Promise<TableCount[]>, onSwapping: () => void): Promise<TableCount[]> {
  const { session, journal, runId, database, workDatabase, aside } = plan;
  const q = quoteIdent;
  /** Puts things back after a failure and says how they were left. */
  const settle = async (): Promise<string> => {
    try {
      const client = await swapConnection(session, runId);
      try {
        const outcome = await settleSwap(client, journal.get(runId)!, { afterCrash: false });
        if (outcome.action === 'needs-attention') {
          journal.release(runId);
          return `${outcome.message}.`;
        }
        journal.resolve(runId, outcome.action, outcome.message);
        return `${outcome.message[0]!.toUpperCase()}${outcome.message.slice(1)}.`;
      } finally {
        await client.end();
      }
    } catch (error) {
      journal.release(runId);
      return `Putting things back failed too (${toErrorInfo(error).message}): Holdfast tries again at its next start, or run holdfast restore --recover.`;
    }
  };

  journal.begin({ runId, profile: session.profile.name, database, scratch: workDatabase, before: aside, keepBefore: plan.keep, originalOid: plan.original.oid });
  let tables: TableCount[];
  try {
    const client = await swapConnection(session, runId);
    try {
      const fellBack = await createScratchDatabase(client, workDatabase, plan.properties);
      if (fellBack) plan.leftOut.push(fellBack);
      const copyOid = (await client.query<{ oid: number }>('SELECT oid::int AS oid FROM pg_database WHERE datname = $1', [workDatabase])).rows[0]!.oid;
      journal.step(runId, 'restore', { copyOid });
      crashPoint('restore:target-created');
    } finally {
      await client.end();
    }
    tables = await restoreCopy();
    journal.step(runId, 'properties');
    const client2 = await swapConnection(session, runId);
    try {
      await applyDatabaseProperties(client2, workDatabase, plan.properties);
    } finally {
      await client2.end();
    }
  } catch (error) {
    const outcome = await settle();
    // A cancel is no failure to act on: what the target was left as is the whole of what it says.
    if (error instanceof HoldfastError && error.code === 'CANCELLED') throw new HoldfastError('CANCELLED', `${error.message} ${outcome}`);
    if (error instanceof HoldfastError) throw new HoldfastError(error.code, error.message, hintFollowedBy(error, outcome));
    throw error;
  }

  onSwapping();
  const client = await swapConnection(session, runId);
  try {
    let allowConnChanged = false;
    try {
      if (plan.terminateConnections) {
        // No new sessions first, so the ones ended are not simply replaced by reconnecting clients.
        const allowed = (await client.query<{ allowed: boolean }>('SELECT datallowconn AS allowed FROM pg_database WHERE oid = $1', [plan.original.oid])).rows[0]?.allowed === true;
        if (allowed) {
          journal.step(runId, 'disallow-connections', { allowConnChanged: true });
          allowConnChanged = true;
          await client.query(`ALTER DATABASE ${q(database)} ALLOW_CONNECTIONS false`);
        }
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
      }
      journal.step(runId, 'rename-original');
      await client.query(`ALTER DATABASE ${q(database)} RENAME TO ${q(aside)}`);
    } catch (error) {
      const outcome = await settle();
      throw new HoldfastError(
        'RESTORE_FAILED',
        `Could not move "${database}" aside to put the restored copy in its place: ${(error as Error).message}`,
        `${hintText(outcome)} Disconnect its sessions (or {{terminate-connections}}) and try again.`,
      );
    }
    // A kept database takes connections again at once; one about to be dropped only if the drop fails.
    if (allowConnChanged && plan.keep) {
      await client.query(`ALTER DATABASE ${q(aside)} ALLOW_CONNECTIONS true`);
      journal.step(runId, 'rename-original', { allowConnChanged: false });
      allowConnChanged = false;
    }
    try {
      journal.step(runId, 'rename-copy');
      await client.query(`ALTER DATABASE ${q(workDatabase)} RENAME TO ${q(database)}`);
    } catch (error) {
      const outcome = await settle();
      throw new HoldfastError('RESTORE_FAILED', `Could not rename the restored copy "${workDatabase}" to "${database}": ${(error as Error).message}`, outcome);
    }
    let done = `"${database}" is the restored copy`;
    if (plan.keep) {
      done += `; the previous database is kept as "${aside}"`;
    } else {
      journal.step(runId, 'drop-before');
      try {
        await client.query(`DROP DATABASE ${q(aside)}`);
        done += '; the previous database was dropped';
      } catch (error) {
        if (allowConnChanged) await client.query(`ALTER DATABASE ${q(aside)} ALLOW_CONNECTIONS true`);
        plan.warnings.push(`The previous database could not be dropped (${(error as Error).message}); it is kept as "${aside}".`);
        done += `; the previous database is kept as "${aside}" (it could not be dropped)`;
      }
    }
    journal.resolve(runId, 'completed', done);
  } finally {
    await client.end();
  }
  return tables;
}
