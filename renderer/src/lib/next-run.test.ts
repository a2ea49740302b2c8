// A DBA review: under "Scheduled backups will not run" (holdfast serve --no-schedules, nothing else
// running them), the Schedules page and the Overview still showed "Next run: in 3 hours" as if it would.
import { describe, expect, test } from 'vitest';
import type { SchedulingStatus } from '../stores/schedules.ts';
import { NOT_RUN_LABEL, schedulesRun } from './next-run.ts';

const host: SchedulingStatus['running'][number] = {
  kind: 'daemon',
  pid: 42,
  hostName: 'db1',
  label: 'holdfast daemon (pid 42 on db1)',
  startedAt: '2026-12-06T19:00:00.000Z',
  lastTick: '2026-12-06T20:00:00.000Z',
  secretStore: 'file',
  running: true,
  credentialProblems: [],
  credentialsCheckedAt: null,
};

describe('whether a next run time is shown', () => {
  test('not while nothing runs the schedules (the banner says they will not run)', () => {
    expect(schedulesRun({ activeSchedules: 1, running: [], stale: [], warning: 'nothing is running these schedules' })).toBe(false);
    expect(NOT_RUN_LABEL).toBe('not run: nothing runs the schedules');
  });

  test('while a host runs them, in this process or another (a daemon beside a --no-schedules serve)', () => {
    expect(schedulesRun({ activeSchedules: 1, running: [host], stale: [], warning: null })).toBe(true);
  });

  test('before the hosts are known, the schedule’s own time stands', () => {
    expect(schedulesRun(null)).toBe(true);
  });
});
