// Children started by a small, long-lived helper process instead of by this one. Why: a fork of this
// process — whenever it happens, even one whose child has exec'd and exited already — leaves every
// page of this process write-protected, and the next write to each faults. A verify writes its
// buffers all pass long: bench row 10 measured a decrypting pass at ~120 ms of the main thread's CPU
// without a fork and ~230 ms after one (in-process, 99 MB, alternated 8 times; the fork was
// pg_restore --list, or /bin/true before the pass: the same). The helper is forked once, while it is
// started, and from then on forks itself, with its own few pages.
//
// The helper is `node -e` with the inline source below (the bundled CLI needs no file of its own),
// started through the same lifeline as every tool (process/child.ts: it dies with this process) and
// kept, unreferenced, for the next child. Each child it starts gets the program, arguments and
// environment this side decided (launchPlan: the same lifeline prefixes, the same scrubbed
// environment), its stdin from messages, stderr's tail back, its own process group, and is killed
// with that group when this side says so or when this process goes away (the channel closes).
// Under Electron `process.execPath` is the app, not Node: children are started directly there.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { launchPlan, MAX_CAPTURE, startChild, type ChildResult } from './child.ts';

const HELPER_SOURCE = `
const { spawn } = require('node:child_process');
const running = new Map();
const killGroup = (child) => { try { process.kill(-child.pid, 'SIGKILL'); } catch { try { child.kill('SIGKILL'); } catch {} } };
process.on('message', (message) => {
  const { id } = message;
  if (message.start) {
    const { file, args, env } = message.start;
    let stderr = '';
    let settled = false;
    const finish = (code, signal) => {
      if (settled) return;
      settled = true;
      running.delete(id);
      process.send({ id, exit: { code, signal, stderr } });
    };
    let child;
    try {
      child = spawn(file, args, { env, detached: true, shell: false, stdio: ['pipe', 'ignore', 'pipe'], windowsHide: true });
    } catch (error) {
      stderr = error.message + '\\n';
      finish(null, null);
      return;
    }
    running.set(id, child);
    child.stdin.on('error', () => {});
    child.stderr.on('data', (chunk) => {
      stderr += chunk.toString('utf8');
      if (stderr.length > ${MAX_CAPTURE}) stderr = stderr.slice(stderr.length - ${MAX_CAPTURE});
    });
    child.once('error', (error) => { stderr += error.message + '\\n'; finish(null, null); });
    child.once('close', finish);
  } else if (message.bytes) {
    const child = running.get(id);
    const taken = () => process.send({ id, taken: message.bytes.length });
    if (child && !child.stdin.destroyed && !child.stdin.writableEnded) child.stdin.write(message.bytes, taken);
    else taken();
  } else if (message.end) {
    running.get(id)?.stdin.end();
  } else if (message.kill) {
    const child = running.get(id);
    if (child) killGroup(child);
  }
});
process.on('disconnect', () => {
  for (const child of running.values()) killGroup(child);
  process.exit(0);
});
`;

type HelperAnswer = { id: number; exit: { code: number | null; signal: NodeJS.Signals | null; stderr: string } } | { id: number; taken: number };

interface Waiting {
  exited(result: { code: number | null; signal: NodeJS.Signals | null; stderr: string }): void;
  taken(bytes: number): void;
}

interface Helper {
  process: ChildProcess;
  waiting: Map<number, Waiting>;
}

let helper: Helper | undefined;
let nextId = 1;

function startHelper(): Helper {
  // The helper's own environment: no Node options (a test runner's loader would slow its start), and
  // no secrets (launchPlan scrubs them); each child it starts is given its own environment.
  const { NODE_OPTIONS: _options, ...env } = process.env;
  const plan = launchPlan(process.execPath, ['-e', HELPER_SOURCE], env);
  const started: Helper = {
    process: spawn(plan.file, plan.args, { env: plan.env, stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'advanced', windowsHide: true }),
    waiting: new Map(),
  };
  const gone = (why: string) => {
    if (helper === started) helper = undefined;
    for (const waiting of started.waiting.values()) waiting.exited({ code: null, signal: null, stderr: `${why}\n` });
    started.waiting.clear();
  };
  started.process.on('message', (answer: HelperAnswer) => {
    const waiting = started.waiting.get(answer.id);
    if (!waiting) return;
    if ('exit' in answer) {
      started.waiting.delete(answer.id);
      idleWhenNothingWaits(started);
      waiting.exited(answer.exit);
    } else waiting.taken(answer.taken);
  });
  started.process.once('error', (error) => gone(`the helper that starts tools could not run: ${error.message}`));
  started.process.once('exit', (code, signal) => gone(`the helper that starts tools ended (${signal ?? `exit ${code}`})`));
  idleWhenNothingWaits(started);
  return started;
}

/** An idle helper never keeps this process alive; one with a child running does, like the child would. */
function idleWhenNothingWaits(started: Helper): void {
  const busy = started.waiting.size > 0;
  const handles: Array<{ ref(): void; unref(): void } | undefined> = [started.process, started.process.channel ?? undefined];
  for (const handle of handles) {
    if (busy) handle?.ref();
    else handle?.unref();
  }
}

/** Starts the helper now (its start overlaps whatever comes next), unless it runs already or cannot be used here. */
export function warmSpawner(): void {
  if (!process.versions.electron && (!helper || !helper.process.connected)) helper = startHelper();
}

export interface AwayChild {
  readonly done: Promise<ChildResult>;
  /** Ends the child's whole process group and records why. */
  stop(reason: string): void;
}

/** How many bytes of stdin may be on their way to the child before reading more waits for it. */
const IN_FLIGHT_BYTES = 4 * 1024 * 1024;

/**
 * Runs `bin args` from the helper, its stdin read from `stdin`, stdout discarded, stderr kept (its
 * tail). Like startChild: a timeout or stop() kills its process group, and the result says why.
 */
export function startChildAway(bin: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; stdin: Readable; timeoutMs?: number }): AwayChild {
  if (process.versions.electron) {
    const direct = startChild(bin, args, options);
    return { done: direct.done, stop: direct.stop };
  }
  warmSpawner();
  const { process: helperProcess, waiting } = helper!;
  const id = nextId++;
  const plan = launchPlan(bin, args, options.env);
  const send = (message: object) => {
    if (helperProcess.connected) helperProcess.send({ id, ...message });
  };
  let stoppedBecause: string | undefined;
  let exited = false;
  let inFlight = 0;
  const stdin = options.stdin;
  const stop = (reason: string) => {
    if (exited || stoppedBecause !== undefined) return;
    stoppedBecause = reason;
    send({ kill: true });
  };
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => stop(`timed out after ${Math.round(options.timeoutMs! / 1000)} s`), options.timeoutMs);
  const done = new Promise<ChildResult>((resolve) => {
    waiting.set(id, {
      exited: ({ code, signal, stderr }) => {
        exited = true;
        if (timer) clearTimeout(timer);
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        resolve({ exitCode: code, signal, stderr, stdout: '', stoppedBecause });
      },
      taken: (bytes) => {
        inFlight -= bytes;
        if (inFlight <= IN_FLIGHT_BYTES && stdin.isPaused()) stdin.resume();
      },
    });
  });
  idleWhenNothingWaits(helper!);
  send({ start: plan });
  const onData = (chunk: Buffer) => {
    inFlight += chunk.length;
    send({ bytes: chunk });
    if (inFlight > IN_FLIGHT_BYTES) stdin.pause();
  };
  const onEnd = () => send({ end: true });
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  // Destroyed before its end (the pass failed or pg_restore is done): the child's stdin ends too.
  stdin.once('close', onEnd);
  stdin.once('error', (error: Error) => stop(`reading the input failed: ${error.message}`));
  return { done, stop };
}
