// The ticker's watchdog: a wall clock that jumps (resume from sleep, a manual clock change) makes the
// scheduler look at once instead of at the next minute. Timers and the wall clock are faked.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import type { Scheduler } from './scheduler.ts';
import { startTicker } from './ticker.ts';

let ticks = 0;
const scheduler = {
  tick: () => {
    ticks += 1;
    return [];
  },
} as unknown as Scheduler;

beforeEach(() => {
  ticks = 0;
  // Five seconds past a minute, so no cron minute boundary falls inside the steps below.
  vi.useFakeTimers({ now: new Date('2025-03-01T10:00:05Z'), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => vi.useRealTimers());

test('ticks once at start (catch-up), not again while the clock runs normally', () => {
  const ticker = startTicker(scheduler, { watchdogMs: 5_000, jumpMs: 30_000 });
  expect(ticks).toBe(1);
  vi.advanceTimersByTime(15_000);
  expect(ticks).toBe(1);
  ticker.stop();
});

test('a wall clock jump (sleep, clock change) ticks at the next watchdog check; resume() ticks at once', () => {
  const ticker = startTicker(scheduler, { watchdogMs: 5_000, jumpMs: 30_000 });
  vi.setSystemTime(new Date('2025-03-01T14:00:10Z'));
  vi.advanceTimersByTime(5_000);
  expect(ticks).toBe(2);
  vi.advanceTimersByTime(5_000);
  expect(ticks).toBe(2);
  ticker.resumed();
  expect(ticks).toBe(3);
  ticker.stop();
  vi.setSystemTime(new Date('2025-03-02T14:00:15Z'));
  vi.advanceTimersByTime(10_000);
  expect(ticks).toBe(3);
});

test('a tick that throws (a catalogue busy past its timeout) is reported and the next tick runs; the process does not die', () => {
  let calls = 0;
  const flaky = {
    tick: () => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      return [];
    },
  } as unknown as Scheduler;
  const errors: string[] = [];
  const ticker = startTicker(flaky, { watchdogMs: 5_000, jumpMs: 30_000, onError: (error) => errors.push((error as Error).message) });
  expect(errors).toEqual(['database is locked']);
  ticker.resumed();
  expect(calls).toBe(2);
  expect(errors).toHaveLength(1);
  ticker.stop();
});

test("a tick's failure without onError reaches stderr with its control characters shown", () => {
  const written: string[] = [];
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
  const failing = {
    tick: () => {
      // A schedule's profile name, as a hostile catalogue row could hold it.
      throw new Error('profile "shop\u001b[2J\u009b\u202e" is broken');
    },
  } as unknown as Scheduler;
  const ticker = startTicker(failing, { watchdogMs: 5_000, jumpMs: 30_000 });
  ticker.stop();
  write.mockRestore();
  expect(written.join('')).toContain('a scheduler tick failed and will be retried: profile "shop\\u001b[2J\\u009b\\u202e" is broken');
});
