// Every PostgreSQL client tool runs through here: an argument array (never a shell), its own process
// group so a timeout or cancel ends pg_dump and anything it started, and a bounded tail of stderr
// for the error message.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

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
  /** A stream piped into the child's stdin (e.g. a gunzipped plain dump into psql). */
  stdin?: Readable;
  signal?: AbortSignal;
  timeoutMs?: number;
  onSpawn?: (child: ChildProcess) => void;
}

const MAX_CAPTURE = 256 * 1024;

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

export function startChild(bin: string, args: readonly string[], options: RunOptions): RunningChild {
  const child = spawn(bin, [...args], {
    env: options.env,
    detached: true,
    shell: false,
    stdio: [options.stdin ? 'pipe' : 'ignore', options.captureStdout ? 'pipe' : 'ignore', 'pipe'],
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
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => stop(`timed out after ${Math.round(options.timeoutMs! / 1000)} s`), options.timeoutMs);

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

/** The last meaningful lines of a tool's stderr, for error messages. */
export function stderrTail(stderr: string, lines = 6): string {
  return stderr
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0)
    .slice(-lines)
    .join('\n');
}
