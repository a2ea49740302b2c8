// A client tool stuck behind another session's lock, as the engine found it in pg_locks and
// pg_stat_activity (pg/lock-wait.ts), and the one sentence every shell shows for it.
import { humanDuration } from './human.ts';

export interface LockWait {
  /** What is waited for: a qualified table name, or the lock's kind when it is not a table's ("transactionid"). */
  relation: string;
  /** The lock mode the tool asked for (pg_dump takes AccessShareLock on every table it dumps). */
  mode: string;
  /** How long the tool's statement has waited so far. */
  waitedMs: number;
  /** The first session in the way; null when the server no longer names one (it just let go). */
  blocker: { pid: number; statement: string; state: string | null } | null;
  /** How many sessions are in the way in all. */
  blockers: number;
}

/** "waiting for a lock on public.events held by pid 4711 (`ALTER TABLE …`, 2 min 3 s)". */
export function describeLockWait(wait: LockWait): string {
  const waited = humanDuration(wait.waitedMs);
  if (!wait.blocker) return `waiting for a lock on ${wait.relation} (${waited})`;
  const others = wait.blockers > 1 ? ` and ${wait.blockers - 1} other session${wait.blockers > 2 ? 's' : ''}` : '';
  const state = wait.blocker.state && wait.blocker.state !== 'active' ? `, ${wait.blocker.state}` : '';
  return `waiting for a lock on ${wait.relation} held by pid ${wait.blocker.pid}${others} (\`${wait.blocker.statement}\`${state}, ${waited})`;
}
