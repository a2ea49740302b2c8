// How many databases of a set are dumped at once, and a runner that never exceeds it.
import { availableParallelism } from 'node:os';
import { MAX_DEFAULT_PARALLEL_DATABASES } from './parallel-default.ts';

/** Each member is a pg_dump (mostly server work) plus a counting session: one per core, 1 to the cap. */
export function defaultParallelDatabases(cores: number = availableParallelism()): number {
  return Math.min(MAX_DEFAULT_PARALLEL_DATABASES, Math.max(1, cores));
}

/** Runs task over items with at most `limit` at once, in order of items; stops starting new ones once `stop()` says so. */
export async function runBounded<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>, stop: () => boolean = () => false): Promise<Array<R | undefined>> {
  const results: Array<R | undefined> = new Array(items.length).fill(undefined);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) {
      const index = next;
      next += 1;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
