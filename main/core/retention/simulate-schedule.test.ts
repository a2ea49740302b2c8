// Issue 17 item 6: the schedule form's retention preview simulates the schedule's own cadence, not
// always "a year of dailies": a weekly schedule keeps weeks, an hourly one hours.
import { describe, expect, test } from 'vitest';
import { simulateSchedule } from './simulate-schedule.ts';

const start = new Date('2025-01-01T00:00:00.000Z');

describe('simulateSchedule', () => {
  test('a weekly schedule (Sundays 03:00) under 30d: a year of Sundays, the four of the last 30 days kept, each a Sunday', () => {
    const result = simulateSchedule({ kind: 'days', keepDays: 30 }, { start, days: 365, cron: '0 3 * * 0', timeZone: 'UTC' });
    expect(result.cadence).toMatch(/Sunday/i);
    expect(result.backups).toBe(52);
    // 2025's last 30 days hold four Sundays (Dec 7, 14, 21, 28); a daily simulation kept 30.
    expect(result.keptCount).toBe(4);
    expect(result.deletedCount).toBe(48);
    for (const kept of result.kept) expect(new Date(kept.at).getUTCDay()).toBe(0);
  });

  test('an hourly schedule under gfs:2d: 24 backups a day, two days of them kept (the newest of each day and the newest overall)', () => {
    const result = simulateSchedule({ kind: 'gfs', daily: 2, weekly: 0, monthly: 0, yearly: 0 }, { start, days: 30, cron: '0 * * * *', timeZone: 'UTC' });
    expect(result.backups).toBe(30 * 24);
    expect(result.kept.length).toBe(2);
    expect(result.kept[0]!.at).toBe('2025-01-30T23:00:00.000Z');
  });

  test('an hourly schedule under 1d keeps the last day of hours', () => {
    const result = simulateSchedule({ kind: 'days', keepDays: 1 }, { start, days: 7, cron: '0 * * * *', timeZone: 'UTC' });
    expect(result.keptCount).toBeGreaterThanOrEqual(24);
    expect(result.keptCount).toBeLessThanOrEqual(25);
  });
});
