// Every PostgreSQL client tool runs through here: an argument array (never a shell), its own process
// group (in this process's session: own-group.ts) so a timeout or cancel ends pg_dump and anything it
// started, and a bounded tail of stderr for the error message.
//
// A child must not outlive the Holdfast that started it (an orphaned pg_dump keeps its connection,
// keeps writing a temp file the next start deletes, and a second backup starts beside it). Two
// guards: on Linux a lifeline, the child started through util-linux's `setpriv --pdeathsig KILL`,
// which asks the kernel to SIGKILL it when the thread that started it dies, however it dies (setpriv
// then execs the tool, so the pid is the tool's own); and everywhere, callers record each child's
// pid, process group and start time with their run (onStart), so the next start ends what is left
// (endRecordedChild) before it touches the run's files, and the profile's lock sees a live one.
// macOS and Windows have no such lifeline; there the record and the next start are the guard.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { NOTIFY_CHANNELS } from '../notify/channels/index.ts';
import { CREDENTIALS_KEY_VARIABLES } from '../secrets/file-store.ts';
import { releasePassfileOnConnect } from '../secrets/passfile.ts';
import { isSameProcessAlive, orphanedWorkersOf, processStartToken, type ProcessIdentity } from './liveness.ts';
import { ProgramAnswers } from '../tools/program-answers.ts';
import { inOwnGroup } from './own-group.ts';

/**
 * Holdfast's own secrets in its environment: the credentials key (or where systemd keeps it) and the
 * notification webhooks. No tool needs them, and psql runs beside a dump's content: every child's
 * environment is the caller's without them, whatever the caller passed (some pass process.env).
 */
const NOT_FOR_CHILDREN: readonly string[] = [...CREDENTIALS_KEY_VARIABLES, ...NOTIFY_CHANNELS.flatMap((channel) => channel.variables)];

export function childEnv(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const scrubbed: NodeJS.ProcessEnv = { ...(env ?? process.env) };
  for (const name of NOT_FOR_CHILDREN) delete scrubbed[name];
  return scrubbed;
}

export interface ChildResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
  /** Why Holdfast ended the child itself, if it did. */
  stoppedBecause: string | undefined;
}

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  /** Keep stdout (bounded); otherwise it is discarded. */
  captureStdout?: boolean;
  /** Leave stdout to the caller, who reads all of it from `child.stdout` (pg_dump's output on its way to the encryptor). */
  streamStdout?: boolean;
  /** A stream piped into the child's stdin (e.g. a gunzipped plain dump into psql). */
  stdin?: Readable;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Called as soon as the child exists, before it can have done anything: record it with the run. */
  onStart?: (record: ChildRecord) => void;
  onSpawn?: (child: ChildProcess) => void;
}

/** A child as recorded with its run: enough to end it, and only it, after Holdfast itself died. */
export interface ChildRecord extends ProcessIdentity {
  /** Its process group (children start detached, so it leads its own): pg_dump's workers are in it. */
  pgid: number;
}

export function childRecordOf(pid: number): ChildRecord {
  return { pid, pgid: pid, startToken: processStartToken(pid) };
}

/** setpriv's prefix once asked (null: none here); prlimit's is decided at each start. */
let lifeline: readonly string[] | null | undefined;
const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv'];

function lifelineFrom(setpriv: string, help: { status: number | null; stdout: string }): readonly string[] | null {
  return help.status === 0 && help.stdout.includes('--pdeathsig') ? [setpriv, '--pdeathsig', 'KILL', '--'] : null;
}

/** prlimit's no-core prefix (when this process may still dump core), then setpriv's; null when neither applies. */
function combined(setprivPrefix: readonly string[] | null): readonly string[] | null {
  const noCore = coreDumpsAllowed() ? ['/usr/bin/prlimit', '/bin/prlimit'].find((path) => existsSync(path)) : undefined;
  const prefix = [...(noCore ? [noCore, '--core=0:0', '--'] : []), ...(setprivPrefix ?? [])];
  return prefix.length > 0 ? prefix : null;
}

/**
 * Whether this process's soft core-file limit is above zero (Linux's /proc/self/limits). When it is
 * zero already — Debian's default — every child inherits that and the tools never raise it, so the
 * `prlimit` exec in front of each one (10–20 ms of a backup's start, issue 12 item 22) is skipped.
 * Asked at every start: a process can raise its limit at any time.
 */
function coreDumpsAllowed(): boolean {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('Max core file size'));
    const soft = line?.slice('Max core file size'.length).trim().split(/\s+/)[0];
    return soft !== '0';
  } catch {
    return true;
  }
}

/**
 * `setpriv --pdeathsig KILL --` where util-linux has it (2.33+), else nothing. In front of it,
 * `combined` puts `prlimit --core=0:0 --` when this process could dump core (pg_dump, pg_restore and
 * psql hold plaintext of a backup in memory, and a crash's core file would put it on disk). Both exec
 * the tool, so the child's pid stays the tool's.
 */
function lifelinePrefix(): readonly string[] | null {
  if (lifeline !== undefined) return lifeline;
  lifeline = null;
  if (process.platform !== 'linux') return lifeline;
  const setpriv = SETPRIV_PATHS.find((path) => existsSync(path));
  lifeline = setpriv ? lifelineFrom(setpriv, spawnSync(setpriv, ['--help'], { encoding: 'utf8', timeout: 5000 })) : null;
  return lifeline;
}

/**
 * Asks setpriv about --pdeathsig without blocking, so a caller can do it while it connects (a
 * backup's start-up); the first startChild otherwise asks synchronously. `answers` keeps setpriv's
 * answer across processes (tools/program-answers.ts). Never rejects.
 */
export async function probeLifeline(answers: ProgramAnswers = new ProgramAnswers(undefined)): Promise<void> {
  if (lifeline !== undefined || process.platform !== 'linux') return;
  const setpriv = SETPRIV_PATHS.find((path) => existsSync(path));
  const help = setpriv ? await answers.ask(setpriv, ['--help'], 5000) : undefined;
  lifeline ??= setpriv && help ? lifelineFrom(setpriv, help) : null;
}

export const MAX_CAPTURE = 256 * 1024;

function appendBounded(current: string, chunk: Buffer): string {
  const next = current + chunk.toString('utf8');
  return next.length > MAX_CAPTURE ? next.slice(next.length - MAX_CAPTURE) : next;
}

export interface RunningChild {
  readonly child: ChildProcess;
  readonly done: Promise<ChildResult>;
  /** Ends the child's whole process group and records why. */
  stop(reason: string): void;
}

/** How a tool is started: the lifeline prefixes in front (Linux), Holdfast's own secrets out of its environment. */
export function launchPlan(bin: string, args: readonly string[], env: NodeJS.ProcessEnv | undefined): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const prefix = process.platform === 'linux' ? combined(lifelinePrefix()) : null;
  return { file: prefix ? prefix[0]! : bin, args: prefix ? [...prefix.slice(1), bin, ...args] : [...args], env: childEnv(env) };
}

export function startChild(bin: string, args: readonly string[], options: RunOptions): RunningChild {
  const plan = launchPlan(bin, args, options.env);
  // A process group of its own, in this process's session: own-group.ts says why not a session.
  const launch = inOwnGroup(plan);
  const child = spawn(launch.file, launch.args, {
    env: launch.env,
    detached: launch.detached,
    shell: false,
    stdio: [options.stdin ? 'pipe' : 'ignore', options.captureStdout || options.streamStdout ? 'pipe' : 'ignore', 'pipe'],
    windowsHide: true,
  });
  let stderr = '';
  let stdout = '';
  let stoppedBecause: string | undefined;

  const stop = (reason: string) => {
    if (stoppedBecause !== undefined || child.exitCode !== null || child.signalCode !== null) return;
    stoppedBecause = reason;
    killGroup(child);
  };

  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = appendBounded(stderr, chunk);
  });
  if (options.captureStdout)
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout = appendBounded(stdout, chunk);
    });
  if (options.stdin && child.stdin) {
    const sink: Writable = child.stdin;
    // psql stopping early (ON_ERROR_STOP) closes its stdin; that is reported through its exit code.
    sink.on('error', () => undefined);
    options.stdin.on('error', (error: Error) => stop(`reading the input failed: ${error.message}`));
    options.stdin.pipe(sink);
  }

  const onAbort = () => stop('cancelled');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => stop(`timed out after ${Math.round(options.timeoutMs! / 1000)} s`), options.timeoutMs);

  const done = new Promise<ChildResult>((resolve) => {
    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode, signal, stderr, stdout, stoppedBecause });
    };
    child.once('error', (error) => {
      stderr = appendBounded(stderr, Buffer.from(`${error.message}\n`));
      finish(null, null);
    });
    child.once('close', finish);
  });
  if (child.pid !== undefined) options.onStart?.(childRecordOf(child.pid));
  // libpq has read its passfile once the child has connected: the file goes then, not at the operation's end.
  releasePassfileOnConnect(plan.env, child);
  options.onSpawn?.(child);
  return { child, done, stop };
}

export function runChild(bin: string, args: readonly string[], options: RunOptions): Promise<ChildResult> {
  return startChild(bin, args, options).done;
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    // Negative pid: the whole group, so helpers pg_dump forked (parallel workers) end too.
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/**
 * Ends a recorded child of a Holdfast that is gone, with its process group, and waits until it has
 * exited, so its files can be removed without it writing on. A pid now used by another process is
 * left alone. 'stuck': still there after the wait (e.g. blocked in the kernel on a dead NFS server).
 */
export async function endRecordedChild(record: ChildRecord, waitMs = 30_000): Promise<'ended' | 'gone' | 'stuck'> {
  if (!isSameProcessAlive(record)) return endOrphanedWorkers(record, waitMs);
  try {
    process.kill(-record.pgid, 'SIGKILL');
  } catch {
    try {
      process.kill(record.pid, 'SIGKILL');
    } catch {
      // Exited between the check and the kill.
    }
  }
  return waitUntilGone([record], waitMs);
}

/** 'ended' once none of `processes` is alive, 'stuck' if one still is after `waitMs`. */
async function waitUntilGone(processes: readonly ProcessIdentity[], waitMs: number): Promise<'ended' | 'stuck'> {
  const deadline = Date.now() + waitMs;
  while (processes.some(isSameProcessAlive)) {
    if (Date.now() > deadline) return 'stuck';
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return 'ended';
}

/** The leader died with Holdfast (its lifeline) but its forked workers did not: ended one by one, by identity. */
async function endOrphanedWorkers(record: ChildRecord, waitMs: number): Promise<'ended' | 'gone' | 'stuck'> {
  const workers = orphanedWorkersOf(record);
  if (workers.length === 0) return 'gone';
  for (const worker of workers) {
    try {
      process.kill(worker.pid, 'SIGKILL');
    } catch {
      // Exited since it was found.
    }
  }
  return waitUntilGone(workers, waitMs);
}

/** A line a PostgreSQL tool prints as its own message ("pg_restore: error: …", "psql:file:12: ERROR: …", a server's "ERROR:  …"). */
export const TOOL_MESSAGE = /^(?:pg_restore|pg_dump|pg_dumpall|psql|pg_ctl|initdb)[: ]|^(?:ERROR|FATAL|PANIC|WARNING|HINT):/;
/** Server detail that quotes rows: a key's values, a COPY line. Never quoted, even when nothing else is there. */
export const ROW_DATA = /^(?:DETAIL|CONTEXT|LINE \d+):/;
/** One line of a tool's message is at most this long (capLine) in an error or a run record: a value it quotes cannot carry a dump's content out. */
export const MAX_STDERR_LINE = 300;

export const capLine = (line: string) => (line.length > MAX_STDERR_LINE ? `${line.slice(0, MAX_STDERR_LINE - 1)}…` : line);

/**
 * The last messages of a tool's stderr, for error messages and run records. Only lines the tool marks
 * as its own (a restored dump's rows reach pg_restore's and psql's stderr in DETAIL and CONTEXT lines
 * and in the lines a COPY error echoes — content that is plaintext of a possibly encrypted backup), each
 * capped; when the tool said nothing in that form (a failed start), its last lines but the row-quoting ones.
 */
export function stderrTail(stderr: string, lines = 6): string {
  const meaningful = stderr
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0);
  const messages = meaningful.filter((line) => TOOL_MESSAGE.test(line));
  return (messages.length > 0 ? messages : meaningful.filter((line) => !ROW_DATA.test(line))).slice(-lines).map(capLine).join('\n');
}
