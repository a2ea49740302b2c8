// The server backends of Holdfast's own runs that are over. A pg_dump killed while it waits in a lock
// queue (behind a session holding a table lock) is gone, but its backend is not: it keeps its place in
// the queue, its AccessShare request ahead of every later one for that table, until the lock is
// granted and it finds its client gone. Those backends are found by the name the run's tools carry
// (lock-wait.ts: application_name `holdfast-<run>`) and ended.
//
// What is safe to end: only the exact names of runs the caller knows are over (a crashed Holdfast's,
// found at the next start, or one just cancelled) — never a live run's, never a prefix match, so
// another tool's session (or one merely named like ours) is never touched; and only backends of the
// role this connection logs in as, the role the run's tools connected as.
import type pg from 'pg';
import { toolApplicationName } from './lock-wait.ts';

export interface EndedBackend {
  run: string;
  pid: number;
}

export async function endRunBackends(client: pg.Client, runIds: readonly string[]): Promise<EndedBackend[]> {
  if (runIds.length === 0) return [];
  const byName = new Map(runIds.map((id) => [toolApplicationName(id), id]));
  const { rows } = await client.query<{ pid: number; application_name: string; ended: boolean }>(
    `SELECT pid, application_name, pg_terminate_backend(pid) AS ended FROM pg_stat_activity
      WHERE application_name = ANY($1) AND usename = current_user AND pid <> pg_backend_pid()`,
    [[...byName.keys()]],
  );
  return rows.filter((row) => row.ended).map((row) => ({ run: byName.get(row.application_name)!, pid: row.pid }));
}

/** After a cancel or a stop: the run's backends ended on a connection of their own; a server that cannot be reached leaves them to time out. */
export async function endBackendsOfStoppedRun(connect: () => Promise<pg.Client>, runId: string): Promise<EndedBackend[]> {
  let client: pg.Client | undefined;
  try {
    client = await connect();
    return await endRunBackends(client, [runId]);
  } catch {
    return [];
  } finally {
    await client?.end().catch(() => undefined);
  }
}
