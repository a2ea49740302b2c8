// What every command shares: opening the engine (and saying what its start-up reconcile found),
// calling one contract channel, printing the result or the error with its hint, and the exit code.
// Commands only turn flags into contract input; the contract's zod schema parses that input.
import type { Command } from 'commander';
import { invoke, type Channel, type ChannelOutput } from '../contract.ts';
import { loadConfig } from '../core/config/config.ts';
import { Holdfast } from '../core/holdfast.ts';
import { exitCodeFor, HoldfastError, toErrorInfo, type ErrorInfo } from '../core/model/errors.ts';
import { continuationLines, showNewlinesIn } from '../core/model/terminal-text.ts';
import type { Io, Terminal } from './io.ts';
import { lowerHelperThreads, lowerMainThread } from './helper-threads.ts';
import { progressPrinter } from './progress.ts';

export interface CommandContext {
  io: Terminal;
  /**
   * Calls a channel and prints its value with `render` (JSON with --json). Exit code 1 when the call
   * failed or `failed` says the value reports a failure (an invalid backup, a failed drill).
   */
  run<C extends Channel>(channel: C, input: unknown, json: boolean, render: (value: ChannelOutput<C>) => string, failed?: (value: ChannelOutput<C>) => boolean, how?: RunHow): Promise<void>;
  /** For commands that run outside `run` (serve, daemon): the process's exit code. */
  setExitCode(code: number): void;
  /** The exit code so far: 0 until a call failed. */
  exitCode(): number;
}

export interface RunHow {
  /**
   * The command's work is a tool it starts (pg_dump) and what Holdfast does beside it only checks it:
   * the helper threads yield (helper-threads.ts). Not for restores, where Holdfast's own threads feed
   * psql (a plain script inflated and filtered) and would slow the restore they feed.
   */
  helpersYield?: boolean;
  /**
   * The value is text its writers laid out in lines (a tool's stderr, `holdfast runs log`; the
   * identity file `holdfast key export` prints): printed
   * as they wrote it. Any other value's newlines are shown as `\n` (showNewlinesIn), since its
   * renderer lays out one item a line and a name holding a newline would forge a line.
   */
  linesOfItsOwn?: boolean;
}

/**
 * What cancels a command's work, which then ends its tools, removes what it wrote and records the run
 * as cancelled: Ctrl-C, a kill, and a hangup (the terminal closed, an ssh session dropped), whose
 * default action ended Holdfast on the spot and left the run to the next start as a crash. They stay
 * handled until the command ends: a closed terminal's SIGHUP arrives twice (from the kernel and again
 * from the shell), like a Ctrl-C through a wrapper, and the default action of the second would end
 * Holdfast halfway through removing what the cancelled work wrote.
 */
const CANCEL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** One command group (`holdfast profile …`, `holdfast restore`, …) added to the program. */
export type CommandGroup = (program: Command, context: CommandContext) => void;

export function printError(io: Io, error: ErrorInfo, json: boolean): void {
  if (json) io.stdout(`${JSON.stringify({ ok: false, error })}\n`);
  // A message with a tool's stderr in it spans lines: each further one is a continuation, never a line of its own.
  io.stderr(
    `holdfast: ${continuationLines(error.message)}\n${error.hint ? `hint: ${continuationLines(error.hint)}\n` : ''}${error.runId ? `the tools' whole output: holdfast runs log ${error.runId}\n` : ''}`,
  );
}

export function commandContext(io: Terminal): CommandContext {
  let exitCode = 0;

  async function open(json: boolean): Promise<Holdfast | undefined> {
    try {
      const { holdfast, reconciled } = await Holdfast.open(loadConfig());
      for (const { run, pid } of reconciled.endedProcesses) io.stderr(`holdfast: ended process ${pid} (run ${run}), left running by a Holdfast that stopped.\n`);
      for (const { run, pid } of reconciled.stuckProcesses)
        io.stderr(`holdfast: process ${pid} (run ${run}), left running by a Holdfast that stopped, would not end; its profile stays locked until it does.\n`);
      for (const { run, pid, profile } of reconciled.endedBackends ?? [])
        io.stderr(`holdfast: ended server backend ${pid} on profile ${profile}'s server (run ${run}), left waiting by a tool of a Holdfast that stopped.\n`);
      for (const { profile, runs, message } of reconciled.backendsNotReached ?? [])
        io.stderr(
          `holdfast: could not reach profile ${profile}'s server to end what runs ${runs.join(', ')} left there (${message}); end sessions named holdfast-<run> yourself if they wait for a lock.\n`,
        );
      const settled = reconciled.recoveredRestores ?? [];
      // A restore's run did not leave partial output to remove: what its recovery did is said instead.
      const newDatabases = reconciled.newDatabases ?? [];
      for (const { runId, profile, message } of newDatabases) io.stderr(`holdfast: restore run ${runId} to ${profile} was interrupted by an earlier crash; ${message}.\n`);
      for (const id of reconciled.interruptedRuns)
        if (!settled.some((r) => r.runId === id) && !newDatabases.some((r) => r.runId === id)) io.stderr(`holdfast: run ${id} was interrupted by an earlier crash; its partial output was removed.\n`);
      for (const recovery of settled) io.stderr(`holdfast: restore run ${recovery.runId} of ${recovery.profile}/${recovery.database}: ${recovery.message}\n`);
      for (const filename of reconciled.finishedBackups) io.stderr(`holdfast: backup ${filename} was being sealed when Holdfast stopped; it was finished from its recorded checksum.\n`);
      return holdfast;
    } catch (error) {
      const info = toErrorInfo(error);
      printError(io, info, json);
      exitCode = exitCodeFor(info.code);
      return undefined;
    }
  }

  return {
    io,
    setExitCode: (code) => {
      exitCode = code;
    },
    exitCode: () => exitCode,
    async run(channel, input, json, render, failed, how = {}) {
      const holdfast = await open(json);
      if (!holdfast) return;
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      for (const signal of CANCEL_SIGNALS) process.on(signal, onSignal);
      try {
        const printProgress = progressPrinter(io);
        if (how.helpersYield) lowerHelperThreads();
        // Asked again as the work goes on: libuv's pool grows on demand, at the main thread's priority.
        const onProgress: typeof printProgress = (progress) => {
          if (how.helpersYield) lowerHelperThreads();
          if (how.helpersYield && progress.operation === 'backup' && progress.progress.toolsStarted && progress.progress.database === undefined) lowerMainThread();
          printProgress(progress);
        };
        const result = await invoke(holdfast, channel, input, { signal: abort.signal, onProgress });
        if (!result.ok) {
          printError(io, result.error, json);
          exitCode = exitCodeFor(result.error.code);
          return;
        }
        io.stdout(json ? `${JSON.stringify(result.value, null, 2)}\n` : `${render(how.linesOfItsOwn ? result.value : showNewlinesIn(result.value))}\n`);
        if (failed?.(result.value)) exitCode = 1;
      } finally {
        for (const signal of CANCEL_SIGNALS) process.off(signal, onSignal);
        holdfast.close();
      }
    },
  };
}

/** Commander's argument parser for a whole-number flag. */
export function integer(name: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new HoldfastError('BAD_INPUT', `${name} must be a whole number, not "${value}".`);
    return Number(value);
  };
}

/** Commander's collector for a repeatable flag. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];
