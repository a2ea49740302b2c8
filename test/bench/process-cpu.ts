// CPU time of a process and everything it has started, from /proc: its own user + system time, its
// waited-for children's (cutime + cstime, which the kernel adds when a child is reaped) and its live
// children's. The difference of two readings is what the tree spent between them, whatever else runs on
// the machine — a load-robust companion to wall time. Linux only; USER_HZ is 100 there.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const TICK_MS = 10;

interface ProcStat {
  parent: number;
  /** utime + stime */
  ownTicks: number;
  /** cutime + cstime: children already reaped */
  reapedTicks: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited between listing and reading
  }
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((index) => Number(fields[index]));
  return { parent: Number(fields[1]), ownTicks: utime! + stime!, reapedTicks: cutime! + cstime! };
}

/**
 * Milliseconds of CPU the processes `roots` and their descendants have used so far (reaped and live);
 * a process under two roots (the bench and a server it started) is counted once.
 */
export function processTreesCpuMs(roots: readonly number[]): number {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  const childrenOf = new Map<number, number[]>();
  for (const [child, stat] of stats) childrenOf.set(stat.parent, [...(childrenOf.get(stat.parent) ?? []), child]);
  let ticks = 0;
  const visited = new Set<number>();
  const visit = (current: number) => {
    const stat = stats.get(current);
    if (!stat || visited.has(current)) return;
    visited.add(current);
    ticks += stat.ownTicks + stat.reapedTicks;
    for (const child of childrenOf.get(current) ?? []) visit(child);
  };
  for (const root of roots) visit(root);
  return ticks * TICK_MS;
}

/** The pid of a PostgreSQL server's postmaster, from the postmaster.pid in its data directory: the root of its backends' tree. */
export async function postmasterPid(query: (sql: string) => Promise<Array<{ directory: string }>>): Promise<number> {
  const [row] = await query(`SELECT setting AS directory FROM pg_settings WHERE name = 'data_directory'`);
  return Number(readFileSync(join(row!.directory, 'postmaster.pid'), 'utf8').split('\n')[0]);
}
