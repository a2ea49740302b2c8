// Scheduling decisions with an injected clock and a real SQLite catalogue: days pass in
// microseconds. The backup runner here records calls; real backups run in test/schedule.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BackupOptionsSchema } from '../backup/options.ts';
import { Catalogue } from '../catalogue/catalogue.ts';
import { nextRunAfter, validateCron } from './cron.ts';
import { ScheduleStore } from './schedule-store.ts';
import { Scheduler, type ScheduledOutcome } from './scheduler.ts';

let dir: string;
let catalogue: Catalogue;
let store: ScheduleStore;
let now: Date;
const clock = { now: () => now };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-sched-'));
  catalogue = new Catalogue(join(dir, 'catalogue.sqlite'));
  store = new ScheduleStore(catalogue.db);
});
afterEach(() => {
  catalogue.close();
  rmSync(dir, { recursive: true, force: true });
});

function addSchedule(profile: string, cron: string, timeZone = 'UTC', options: Record<string, unknown> = {}) {
  return store.add(
    { profile, type: 'custom', cron, timeZone, options: BackupOptionsSchema.parse(options), retention: null, testRestore: false, nextRun: nextRunAfter(cron, timeZone, now).toISOString() },
    now,
  );
}

function recordingScheduler(options: { concurrency?: number; busy?: Set<string>; outcome?: () => Promise<ScheduledOutcome> } = {}) {
  const calls: Array<{ profile: string; at: string; catchUp: boolean }> = [];
  const scheduler = new Scheduler({
    store,
    clock,
    concurrency: options.concurrency ?? 1,
    isProfileBusy: (profile) => options.busy?.has(profile) ?? false,
    runBackup: async (schedule, _options, context) => {
      calls.push({ profile: schedule.profile, at: now.toISOString(), catchUp: context.catchUp });
      return options.outcome ? options.outcome() : { status: 'completed' };
    },
  });
  return { scheduler, calls };
}

/** Walks the clock from `from` to `to` in steps, ticking and finishing runs at each step. */
async function walk(scheduler: Scheduler, from: string, to: string, stepMinutes: number) {
  for (now = new Date(from); now.getTime() <= Date.parse(to); now = new Date(now.getTime() + stepMinutes * 60_000)) {
    scheduler.tick();
    await scheduler.whenIdle();
  }
}

describe('scheduler', () => {
  test('a week offline: the missed daily slot runs once, as a catch-up, and the next slot is tomorrow', async () => {
    now = new Date('2025-01-01T00:00:00Z');
    const schedule = addSchedule('prod', '0 2 * * *');
    const { scheduler, calls } = recordingScheduler();
    now = new Date('2025-01-08T10:00:00Z');
    expect(scheduler.tick()).toEqual([{ scheduleId: schedule.id, profile: 'prod', catchUp: true, dueAt: '2025-01-01T02:00:00.000Z' }]);
    await scheduler.whenIdle();
    expect(scheduler.tick()).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(store.require(schedule.id)).toMatchObject({ nextRun: '2025-01-09T02:00:00.000Z', lastStatus: 'completed', lastCatchUp: true });
  });

  test('an on-time slot is not a catch-up', async () => {
    now = new Date('2025-01-01T00:00:00Z');
    addSchedule('prod', '0 2 * * *');
    const { scheduler, calls } = recordingScheduler();
    await walk(scheduler, '2025-01-01T01:59:00Z', '2025-01-03T01:59:00Z', 1);
    expect(calls.map((c) => [c.at, c.catchUp])).toEqual([
      ['2025-01-01T02:00:00.000Z', false],
      ['2025-01-02T02:00:00.000Z', false],
    ]);
  });

  test('one backup per profile at a time, and the global limit; waiting slots stay due', async () => {
    now = new Date('2025-01-01T00:00:00Z');
    addSchedule('prod', '0 2 * * *');
    addSchedule('prod', '0 2 * * *', 'UTC', { schemaOnly: true, suffix: 'ddl' });
    addSchedule('staging', '0 2 * * *');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { scheduler, calls } = recordingScheduler({ concurrency: 2, outcome: async () => (await gate, { status: 'completed' }) });
    now = new Date('2025-01-01T02:00:00Z');
    expect(
      scheduler
        .tick()
        .map((s) => s.profile)
        .sort(),
    ).toEqual(['prod', 'staging']);
    expect(scheduler.tick()).toEqual([]);
    release();
    await scheduler.whenIdle();
    expect(scheduler.tick().map((s) => s.profile)).toEqual(['prod']);
    await scheduler.whenIdle();
    expect(calls).toHaveLength(3);
  });

  test('a profile busy in another process waits without losing its slot', async () => {
    now = new Date('2025-01-01T00:00:00Z');
    const schedule = addSchedule('prod', '0 2 * * *');
    const busy = new Set(['prod']);
    const { scheduler, calls } = recordingScheduler({ busy });
    now = new Date('2025-01-01T02:00:00Z');
    expect(scheduler.tick()).toEqual([]);
    expect(store.require(schedule.id).nextRun).toBe('2025-01-01T02:00:00.000Z');
    busy.clear();
    now = new Date('2025-01-01T02:01:00Z');
    expect(scheduler.tick()).toHaveLength(1);
    await scheduler.whenIdle();
    expect(calls).toHaveLength(1);
  });

  test.each([
    { zone: 'Europe/Berlin', day: '2025-03-30', from: '2025-03-29T12:00:00Z', to: '2025-03-31T12:00:00Z', expected: '2025-03-30T01:30:00.000Z' },
    { zone: 'Europe/Berlin', day: '2025-10-26', from: '2025-10-25T12:00:00Z', to: '2025-10-27T12:00:00Z', expected: '2025-10-26T01:30:00.000Z' },
    { zone: 'America/New_York', day: '2025-03-09', from: '2025-03-08T12:00:00Z', to: '2025-03-10T12:00:00Z', expected: '2025-03-09T07:30:00.000Z' },
    { zone: 'America/New_York', day: '2025-11-02', from: '2025-11-01T12:00:00Z', to: '2025-11-03T12:00:00Z', expected: '2025-11-02T07:30:00.000Z' },
  ])('a 02:30 daily slot runs exactly once on the DST change day $day in $zone', async ({ zone, day, from, to, expected }) => {
    now = new Date(from);
    addSchedule('prod', '30 2 * * *', zone);
    const { scheduler, calls } = recordingScheduler();
    await walk(scheduler, from, to, 10);
    const localDay = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
    const onDay = calls.filter((c) => localDay(c.at) === day);
    expect(onDay.map((c) => c.at)).toEqual([expected]);
    expect(calls).toHaveLength(2);
  });

  test('a failed backup is recorded on the schedule and the next slot still comes', async () => {
    now = new Date('2025-01-01T00:00:00Z');
    const schedule = addSchedule('prod', '0 * * * *');
    const { scheduler } = recordingScheduler({ outcome: async () => ({ status: 'failed', error: 'pg_dump exited with code 1: boom' }) });
    now = new Date('2025-01-01T01:00:00Z');
    scheduler.tick();
    await scheduler.whenIdle();
    expect(store.require(schedule.id)).toMatchObject({ lastStatus: 'failed', lastError: 'pg_dump exited with code 1: boom', nextRun: '2025-01-01T02:00:00.000Z' });
  });

  test('stop: no new work; a backup past the grace period is cancelled', async () => {
    now = new Date('2025-01-01T00:00:00Z');
    addSchedule('prod', '0 2 * * *');
    const scheduler = new Scheduler({
      store,
      clock,
      concurrency: 1,
      isProfileBusy: () => false,
      runBackup: (_schedule, _options, context) => new Promise<ScheduledOutcome>((resolve) => context.signal.addEventListener('abort', () => resolve({ status: 'interrupted', error: 'cancelled' }))),
    });
    now = new Date('2025-01-01T02:00:00Z');
    expect(scheduler.tick()).toHaveLength(1);
    expect(await scheduler.stop(20)).toEqual({ finished: 0, interrupted: 1 });
    now = new Date('2025-01-05T02:00:00Z');
    expect(scheduler.tick()).toEqual([]);
  });

  test('an identical schedule is refused with the existing one named, and nothing is stored', () => {
    now = new Date('2025-01-01T00:00:00Z');
    const first = addSchedule('prod', '0 2 * * *', 'Europe/Berlin', { tables: ['public.users'] });
    let refused: unknown;
    try {
      // Spacing in the cron and the options' key order do not make it a different schedule.
      store.add(
        {
          profile: 'prod',
          type: 'daily',
          cron: ' 0  2 * * * ',
          timeZone: 'Europe/Berlin',
          options: BackupOptionsSchema.parse({ tables: ['public.users'], format: 'custom' }),
          retention: '7d',
          testRestore: true,
          nextRun: first.nextRun,
        },
        now,
      );
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining(first.id), hint: expect.stringMatching(/pause or remove/i) });
    expect(store.list()).toHaveLength(1);

    store.setEnabled(first.id, false);
    expect(() => addSchedule('prod', '0 2 * * *', 'Europe/Berlin', { tables: ['public.users'] })).toThrow(
      expect.objectContaining({ code: 'CONFLICT', hint: expect.stringMatching(/paused: resume it/) }),
    );
    expect(store.list()).toHaveLength(1);

    // Any one difference is a different schedule.
    addSchedule('staging', '0 2 * * *', 'Europe/Berlin', { tables: ['public.users'] });
    addSchedule('prod', '0 3 * * *', 'Europe/Berlin', { tables: ['public.users'] });
    addSchedule('prod', '0 2 * * *', 'UTC', { tables: ['public.users'] });
    addSchedule('prod', '0 2 * * *', 'Europe/Berlin', { tables: ['public.orders'] });
    addSchedule('prod', '0 2 * * *', 'Europe/Berlin', {});
    expect(store.list()).toHaveLength(6);
  });

  test('cron expressions are checked with the reason', () => {
    expect(() => validateCron('0 2 * *')).toThrow(/4 fields/);
    expect(() => validateCron('61 2 * * *')).toThrow(/not valid/);
    expect(() => validateCron('0 2 * * 0')).not.toThrow();
  });
});
