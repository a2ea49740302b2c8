import { describe, expect, test } from 'vitest';
import { defaultParallelDatabases, runBounded } from './parallelism.ts';
import { AUTO_PARALLEL_DATABASES } from './parallel-default.ts';
import { matchesPattern } from './server-databases.ts';

describe('runBounded', () => {
  test('never runs more than the limit at once, and runs every item', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await runBounded([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5 + (item % 3) * 3));
      running -= 1;
      done.push(item);
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test('starts nothing more once told to stop', async () => {
    let started = 0;
    await runBounded(
      [1, 2, 3, 4],
      1,
      async () => {
        started += 1;
      },
      () => started >= 2,
    );
    expect(started).toBe(2);
  });

  test('the default follows the core count, 1 to 8, as every shell says it', () => {
    expect(defaultParallelDatabases(1)).toBe(1);
    expect(defaultParallelDatabases(2)).toBe(2);
    expect(defaultParallelDatabases(64)).toBe(8);
    expect(AUTO_PARALLEL_DATABASES).toBe(`one per processor of the machine Holdfast runs on, up to ${defaultParallelDatabases(Number.MAX_SAFE_INTEGER)}`);
  });
});

describe('matchesPattern', () => {
  test('names, * and ?, and nothing else special', () => {
    expect(matchesPattern('staging', 'staging')).toBe(true);
    expect(matchesPattern('staging_2', 'staging*')).toBe(true);
    expect(matchesPattern('tmp1', 'tmp?')).toBe(true);
    expect(matchesPattern('tmp12', 'tmp?')).toBe(false);
    expect(matchesPattern('a.b', 'a.b')).toBe(true);
    expect(matchesPattern('axb', 'a.b')).toBe(false);
    expect(matchesPattern('Shop', 'shop')).toBe(false);
  });
});
