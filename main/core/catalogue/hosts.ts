// The heartbeats of the processes that run the schedules (schedule_hosts). A host registers at start,
// beats on every scheduler tick, publishes what its credential check found, and removes its row when
// it stops; a host that was killed leaves its row behind, which goes stale (schedule/host-status.ts
// judges that). Rows are per process: two hosts at once are two rows.
import type Database from 'better-sqlite3';
import type { CredentialCheck, ScheduleHostKind } from '../model/types.ts';

export interface ScheduleHostRecord {
  id: string;
  kind: ScheduleHostKind;
  pid: number;
  /** The kernel's start time of the process (process/liveness.ts): a reused pid is not this host. */
  startToken: string | null;
  hostName: string;
  /** HOLDFAST_SECRET_STORE of that host: where it reads passwords. */
  secretStore: string;
  startedAt: string;
  lastTick: string;
  tickIntervalMs: number;
  credentials: CredentialCheck[];
  credentialsCheckedAt: string | null;
}

interface HostRow {
  id: string;
  kind: ScheduleHostKind;
  pid: number;
  start_token: string | null;
  host_name: string;
  secret_store: string;
  started_at: string;
  last_tick: string;
  tick_interval_ms: number;
  credentials: string;
  credentials_checked_at: string | null;
}

/** A killed host's row is kept this long as "last seen", then dropped by the next host to start. */
const FORGET_AFTER_MS = 7 * 24 * 3_600_000;

function fromRow(row: HostRow): ScheduleHostRecord {
  return {
    id: row.id,
    kind: row.kind,
    pid: row.pid,
    startToken: row.start_token,
    hostName: row.host_name,
    secretStore: row.secret_store,
    startedAt: row.started_at,
    lastTick: row.last_tick,
    tickIntervalMs: row.tick_interval_ms,
    credentials: JSON.parse(row.credentials) as CredentialCheck[],
    credentialsCheckedAt: row.credentials_checked_at,
  };
}

export class ScheduleHostStore {
  constructor(private readonly db: Database.Database) {}

  register(host: Omit<ScheduleHostRecord, 'credentials' | 'credentialsCheckedAt'>): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM schedule_hosts WHERE last_tick < ?').run(new Date(Date.parse(host.lastTick) - FORGET_AFTER_MS).toISOString());
      this.db
        .prepare(
          `INSERT OR REPLACE INTO schedule_hosts (id, kind, pid, start_token, host_name, secret_store, started_at, last_tick, tick_interval_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(host.id, host.kind, host.pid, host.startToken, host.hostName, host.secretStore, host.startedAt, host.lastTick, host.tickIntervalMs);
    })();
  }

  /** False when the row is gone (removed by hand): the host registers again. */
  beat(id: string, at: Date): boolean {
    return this.db.prepare('UPDATE schedule_hosts SET last_tick = ? WHERE id = ?').run(at.toISOString(), id).changes === 1;
  }

  recordCredentials(id: string, checks: CredentialCheck[], at: Date): void {
    this.db.prepare('UPDATE schedule_hosts SET credentials = ?, credentials_checked_at = ? WHERE id = ?').run(JSON.stringify(checks), at.toISOString(), id);
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM schedule_hosts WHERE id = ?').run(id);
  }

  list(): ScheduleHostRecord[] {
    return (this.db.prepare('SELECT * FROM schedule_hosts ORDER BY started_at').all() as HostRow[]).map(fromRow);
  }
}
