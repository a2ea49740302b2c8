import { describe, expect, test } from 'vitest';
import { timeAxis, type Point } from './series.ts';

const at = (iso: string): Point => ({ at: new Date(iso).getTime(), size: 1, seconds: 1, count: 1 });
const labels = (series: Point[]) => {
  const axis = timeAxis(series);
  return axis.ticks.map(axis.label);
};

// A DBA's review (stop 26): the Overview's axes read "Dec 6, Dec 6, Dec 6" for backups taken on one day.
describe('the charts’ time axis labels each tick apart', () => {
  test('backups within one day: times of day, each once', () => {
    const ticks = labels([at('2026-12-06T09:05:00'), at('2026-12-06T11:40:00'), at('2026-12-06T16:20:00')]);
    expect(ticks.length).toBeGreaterThan(1);
    expect(new Set(ticks).size).toBe(ticks.length);
    for (const tick of ticks) expect(tick).toMatch(/^\d{2}:\d{2}$/);
  });

  test('backups minutes apart: minutes, each once', () => {
    const ticks = labels([at('2026-12-06T14:01:00'), at('2026-12-06T14:03:30'), at('2026-12-06T14:09:00')]);
    expect(ticks.length).toBeGreaterThan(1);
    expect(new Set(ticks).size).toBe(ticks.length);
  });

  test('backups seconds apart (taken one after another): seconds, each once', () => {
    const ticks = labels([at('2026-12-06T14:01:02.300'), at('2026-12-06T14:01:03.900'), at('2026-12-06T14:01:05.100')]);
    expect(ticks.length).toBeGreaterThan(1);
    expect(new Set(ticks).size).toBe(ticks.length);
    for (const tick of ticks) expect(tick).toMatch(/^\d{2}:\d{2}:\d{2}$/);
  });

  test('across midnight within a day and a half: date and time, each once', () => {
    const ticks = labels([at('2026-12-05T20:00:00'), at('2026-12-06T02:00:00'), at('2026-12-06T07:00:00')]);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ticks.some((tick) => tick.startsWith('Dec 6'))).toBe(true);
  });

  test('weeks and a year: days, each once, and never more than six ticks', () => {
    for (const last of ['2026-12-20T12:00:00', '2027-12-01T12:00:00']) {
      const ticks = labels([at('2026-12-01T12:00:00'), at('2026-12-06T12:00:00'), at(last)]);
      expect(ticks.length).toBeGreaterThan(1);
      expect(ticks.length).toBeLessThanOrEqual(6);
      expect(new Set(ticks).size).toBe(ticks.length);
    }
  });

  test('one backup: one tick, its date', () => {
    expect(labels([at('2026-12-06T09:05:00')])).toEqual(['Dec 6']);
  });
});
