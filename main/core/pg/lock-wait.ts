// Is a client tool waiting for someone's lock? Asked of the server on a connection of its own (the
// snapshot's connection is busy counting rows, and may itself wait behind the same lock), at most one
// small query per interval, each bounded by a statement timeout, so watching costs the server next to
// nothing. The tool's backends are found by the application_name Holdfast gave them (PGAPPNAME).
import type pg from 'pg';
import type { LockWait } from '../model/lock-wait.ts';

/** A statement is shown up to this many characters: enough to recognise it, too little to carry a script. */
export const MAX_STATEMENT_SHOWN = 120;

/** The application_name a run's client tools carry, so their backends can be found in pg_stat_activity. */
export function toolApplicationName(runId: string): string {
  return `holdfast-${runId}`;
}

/**
 * A statement as shown beside a lock: one line, string literals and dollar-quoted bodies elided (an
 * ALTER ROLE … PASSWORD '…' can be the session in the way), cut to MAX_STATEMENT_SHOWN.
 */
export function shownStatement(query: string | null): string {
  if (query === null || query === '') return '(no statement)';
  // The server's placeholder when the role may not see another role's statements.
  if (query === '<insufficient privilege>') return "statement hidden: this role may not see other roles' statements";
  const elided = elideLiterals(query).replace(/\s+/g, ' ').trim();
  return elided.length > MAX_STATEMENT_SHOWN ? `${elided.slice(0, MAX_STATEMENT_SHOWN - 1)}…` : elided;
}

/**
 * The statement with every string literal and dollar-quoted body replaced by '…', read as the server
 * lexes it: in one pass, so a quote inside a comment, a quoted identifier or an E'…' escape cannot shift
 * which text counts as a literal (a regex pass did: `-- don't` then `PASSWORD 'x'` showed x). A literal or
 * body the server cut off (track_activity_query_size, the 1000 characters asked for) is elided to the end.
 */
function elideLiterals(query: string): string {
  let out = '';
  let i = 0;
  while (i < query.length) {
    const ch = query[i]!;
    const next = query[i + 1];
    if (ch === '-' && next === '-') {
      const end = query.indexOf('\n', i);
      const stop = end < 0 ? query.length : end;
      out += query.slice(i, stop);
      i = stop;
    } else if (ch === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < query.length && depth > 0) {
        const step = query.startsWith('/*', j) ? 1 : query.startsWith('*/', j) ? -1 : 0;
        depth += step;
        j += step === 0 ? 1 : 2;
      }
      out += query.slice(i, j);
      i = j;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < query.length && !(query[j] === '"' && query[j + 1] !== '"')) j += query[j] === '"' ? 2 : 1;
      out += query.slice(i, j + 1);
      i = j + 1;
    } else if (ch === "'") {
      // E'…' (the E was copied already) takes backslash escapes; a standard literal only doubled quotes.
      const escapes = /[eE]$/.test(out) && !/[A-Za-z0-9_$]$/.test(out.slice(0, -1));
      let j = i + 1;
      while (j < query.length) {
        if (escapes && query[j] === '\\') j += 2;
        else if (query[j] === "'" && query[j + 1] === "'") j += 2;
        else if (query[j] === "'") break;
        else j += 1;
      }
      out += "'…'";
      i = j + 1;
    } else if (ch === '$' && !/[A-Za-z0-9_$]$/.test(out)) {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(query.slice(i))?.[0];
      if (tag === undefined) {
        out += ch;
        i += 1;
        continue;
      }
      const end = query.indexOf(tag, i + tag.length);
      out += end < 0 ? `${tag}…` : `${tag}…${tag}`;
      i = end < 0 ? query.length : end + tag.length;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

interface WaitRow {
  relation: string | null;
  locktype: string;
  mode: string;
  waited_ms: string;
  blocker_pid: number | null;
  blocker_query: string | null;
  blocker_state: string | null;
  blockers: number;
}

// The longest wait of any backend with this application_name, and who is first in its way. Only the
// first 1000 characters of the blocker's statement leave the server.
const LOCK_WAIT_QUERY = `
SELECT CASE WHEN c.oid IS NULL THEN NULL ELSE format('%I.%I', n.nspname, c.relname) END AS relation,
       l.locktype, l.mode,
       (extract(epoch FROM clock_timestamp() - w.query_start) * 1000)::bigint::text AS waited_ms,
       b.pid AS blocker_pid, left(b.query, 1000) AS blocker_query, b.state AS blocker_state,
       cardinality(pg_blocking_pids(w.pid)) AS blockers
  FROM pg_stat_activity w
  JOIN pg_locks l ON l.pid = w.pid AND NOT l.granted
  LEFT JOIN pg_class c ON l.locktype = 'relation' AND c.oid = l.relation
  LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_stat_activity b ON b.pid = (pg_blocking_pids(w.pid))[1]
 WHERE w.application_name = $1 AND w.wait_event_type = 'Lock'
 ORDER BY w.query_start
 LIMIT 1`;

/** The lock the tool's backends wait on now, or undefined when none waits. */
export async function findLockWait(client: pg.Client, applicationName: string): Promise<LockWait | undefined> {
  const row = (await client.query<WaitRow>(LOCK_WAIT_QUERY, [applicationName])).rows[0];
  if (!row) return undefined;
  return {
    relation: row.relation ?? `a ${row.locktype} lock`,
    mode: row.mode,
    waitedMs: Math.max(0, Number(row.waited_ms)),
    blocker: row.blocker_pid === null ? null : { pid: row.blocker_pid, statement: shownStatement(row.blocker_query), state: row.blocker_state },
    blockers: row.blockers,
  };
}

/** How long a stall waits for the watch's first look before it ends the dump anyway. */
const SETTLE_WAIT_MS = 3000;

export interface LockWatch {
  /** The last wait seen; undefined when the tool was not waiting at the last look. */
  current(): LockWait | undefined;
  /**
   * The wait now for a decision that ends the dump (a stall): the last look's, or, before the first
   * look, one at once, so a stall shorter than the first interval still names the lock in its way.
   */
  settled(): Promise<LockWait | undefined>;
  stop(): Promise<void>;
}

/**
 * Looks every intervalMs, the first time after one interval (each look ≤ 1 s of server time, the next only after the last answered).
 * A watch that cannot connect or ask stays silent: it informs a backup, it must never fail one.
 */
export function watchLockWaits(connect: () => Promise<pg.Client>, applicationName: string, intervalMs = 2000): LockWatch {
  let latest: LockWait | undefined;
  let stopped = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let looked = false;
  let busy = false;
  const look = async () => {
    busy = true;
    try {
      if (!client) {
        client = await connect();
        client.on('error', () => undefined);
        if (stopped) return;
        await client.query("SET statement_timeout = '1s'");
        await client.query("SET lock_timeout = '1s'");
      }
      latest = await findLockWait(client, applicationName);
    } catch {
      latest = undefined;
    }
    busy = false;
    looked = true;
    if (!stopped) timer = setTimeout(() => void (looking = look()), intervalMs);
  };
  // The first look waits one interval too: a dump that ends sooner never opens the watch's connection,
  // which on a set of small databases was a backend started (~30 ms of server CPU) per member.
  let looking: Promise<void> = Promise.resolve();
  timer = setTimeout(() => void (looking = look()), intervalMs);
  let stopping: Promise<void> | undefined;
  return {
    current: () => (stopped ? undefined : latest),
    async settled() {
      if (looked || stopped) return stopped ? undefined : latest;
      if (!busy) {
        clearTimeout(timer);
        looking = look();
      }
      // Bounded: a server that stopped answering (the other cause of a stall) must not hold the stop up.
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([looking, new Promise<void>((resolve) => (bound = setTimeout(resolve, SETTLE_WAIT_MS)))]).finally(() => clearTimeout(bound));
      return stopped ? undefined : latest;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      stopping ??= looking.then(() => client?.end().catch(() => undefined));
      return stopping;
    },
  };
}
