// Threads of this process that set the pace of a child, so must keep the main thread's priority when
// a command lowers its helper threads (cli/helper-threads.ts): the thread that reads pg_dump's output
// FIFO (backup/dump-pipe.ts). Lowered, it starved whenever both cores were busy, and pg_dump waited on
// the full FIFO for 23–46% of an encrypted backup on a loaded machine, against ~6% at normal priority.
//
// Linux keeps a thread id per thread (/proc/self/task); a thread is known by the ids that appear while
// it is started. Elsewhere there is nothing to lower, and nothing is recorded.
import { readdirSync } from 'node:fs';

const pacing = new Set<number>();

function threadIds(): Set<number> {
  if (process.platform !== 'linux') return new Set();
  try {
    return new Set(readdirSync('/proc/self/task').map(Number));
  } catch {
    return new Set();
  }
}

/** Runs `start`, which starts a thread, and returns the ids of the threads that appeared meanwhile. */
export function threadsStartedBy<T>(start: () => T): { value: T; threads: number[] } {
  const before = threadIds();
  const value = start();
  return { value, threads: [...threadIds()].filter((id) => !before.has(id)) };
}

/** These threads pace a child until `done` is called. */
export function markPacing(threads: readonly number[]): () => void {
  for (const id of threads) pacing.add(id);
  return () => {
    for (const id of threads) pacing.delete(id);
  };
}

export function isPacing(thread: number): boolean {
  return pacing.has(thread);
}
