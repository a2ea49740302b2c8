// Is the Holdfast process that started a run still alive? A pid alone lies: a container's daemon is
// PID 1 after every restart, and pids are reused. So each process also has a random token, stored
// with its runs; a run with our pid but another token belongs to a dead predecessor.
//
// Children (pg_dump and the like) cannot carry our token, so they are recorded with what the kernel
// says about when they started: a pid that now belongs to another process started at another time,
// and is never mistaken for the child (and never killed in its place).
import { rm } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PROCESS_TOKEN = randomBytes(4).toString('hex');

export function isProcessAlive(pid: number, token: string | null): boolean {
  if (pid === process.pid) return token === PROCESS_TOKEN;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // kill(pid, 0) answers for a zombie too: it has exited, and waits only for its parent to reap it
  // (forever, under a container's PID 1 that reaps nothing). It holds nothing: it is dead here.
  return !hasExited(pid);
}

/** Linux: the fields of /proc/<pid>/stat after "pid (comm) ", from the state on; null when unreadable (gone, or hidden by hidepid). */
function statFields(pid: number): string[] | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm may hold spaces and parentheses, so fields count from the last ")".
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** A zombie (Z) or one being reaped (X): exited, only its parent's wait is missing. */
const EXITED_STATE = /^[ZX]/;

/** What ps says of a process that is not Linux's: its state, then its start time; '' when it is gone. */
function psStateAndStart(pid: number): string {
  const ps = spawnSync('ps', ['-o', 'stat=,lstart=', '-p', String(pid)], { encoding: 'utf8' });
  return ps.status === 0 ? ps.stdout.trim() : '';
}

/** The process has exited though its pid is still taken (a zombie). Unknown (unreadable) is not exited. */
function hasExited(pid: number): boolean {
  if (process.platform === 'linux') return EXITED_STATE.test(statFields(pid)?.[0] ?? '');
  if (process.platform === 'win32') return false;
  return EXITED_STATE.test(psStateAndStart(pid));
}

/** A process as recorded: its pid and when it started, in the kernel's words. */
export interface ProcessIdentity {
  pid: number;
  /** null where the platform gives no start time (Windows): such a process is never killed by pid. */
  startToken: string | null;
}

let bootId: string | undefined;

/** A process's start, as "<boot id>:<start time in clock ticks>" (Linux) or ps's start time (macOS); null when it is gone or exited. */
export function processStartToken(pid: number): string | null {
  if (process.platform === 'linux') {
    const fields = statFields(pid);
    // A zombie has exited: it writes nothing and holds no connection; only its parent's wait is missing.
    if (!fields || EXITED_STATE.test(fields[0]!)) return null;
    bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${bootId}:${fields[19]}`;
  }
  if (process.platform === 'win32') return null;
  const line = psStateAndStart(pid);
  if (line === '' || EXITED_STATE.test(line)) return null;
  return line.slice(line.indexOf(' ') + 1).trim();
}

/** The very process that was recorded is still running (not exited, not a newer process with its pid). */
export function isSameProcessAlive(identity: ProcessIdentity): boolean {
  return identity.startToken !== null && processStartToken(identity.pid) === identity.startToken;
}

/**
 * The prefix of a temp directory this process owns ("<prefix><pid>-<token>-"), so a later Holdfast can
 * tell one left by a process that died (SIGKILL skips every finally) from one still in use.
 */
export function processDirPrefix(prefix: string): string {
  return `${prefix}${process.pid}-${PROCESS_TOKEN}-`;
}

/**
 * Directories under `parent` named by processDirPrefix(prefix) whose process is gone, and that one of
 * `owners` (uids) owns: in a shared /tmp another user can make a directory of that name, and removing
 * its tree as root would follow a symlink swapped in while it is walked.
 */
export function deadProcessDirs(parent: string, prefix: string, owners: ReadonlyArray<number | undefined> = [process.getuid?.()]): Array<{ path: string; uid: number }> {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)-([0-9a-f]{8})-`);
  const dead: Array<{ path: string; uid: number }> = [];
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match || isProcessAlive(Number(match[1]), match[2]!)) continue;
    const path = join(parent, name);
    let info;
    try {
      info = lstatSync(path);
    } catch {
      continue;
    }
    if (!info.isDirectory() || (process.getuid !== undefined && !owners.includes(info.uid))) continue;
    dead.push({ path, uid: info.uid });
  }
  return dead;
}

/** Removes the directories deadProcessDirs finds under `parent`, and says which. */
export async function removeDeadProcessDirs(parent: string, prefix: string): Promise<string[]> {
  const removed: string[] = [];
  for (const { path } of deadProcessDirs(parent, prefix)) {
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/** The tools that fork workers of their own (--jobs): a worker keeps the tool's name. */
const FORKING_TOOLS = new Set(['pg_dump', 'pg_restore']);

/**
 * Linux: what is left of a recorded tool's process group once its leader is gone — pg_dump's or
 * pg_restore's forked workers, which the lifeline (the leader's pdeathsig) does not reach and which
 * write on until their table is done. Only members named as those tools, started since the leader
 * (same boot), while no other process holds the leader's pid: a group id is not reused while a member
 * lives, so these are the leader's own.
 */
export function orphanedWorkersOf(leader: ProcessIdentity & { pgid: number }): ProcessIdentity[] {
  if (process.platform !== 'linux' || leader.startToken === null || processStartToken(leader.pid) !== null) return [];
  bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const [boot, ticks] = leader.startToken.split(':');
  if (boot !== bootId || ticks === undefined) return [];
  const workers: ProcessIdentity[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== leader.pgid || !FORKING_TOOLS.has(comm) || EXITED_STATE.test(fields[0]!) || Number(fields[19]) < Number(ticks)) continue;
    workers.push({ pid, startToken: `${bootId}:${fields[19]}` });
  }
  return workers;
}
