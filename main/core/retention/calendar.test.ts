import { describe, expect, test } from 'vitest';
import { addCivilDays, bucketKeys, localParts, memoParts, zonedInstant } from './calendar.ts';

describe('retention calendar', () => {
  test('buckets: local day, ISO week (its Thursday decides the year), month and year', () => {
    // 2021-01-03 is a Sunday in ISO week 2020-W53; 2024-12-30 a Monday in 2025-W01.
    expect(bucketKeys({ year: 2021, month: 1, day: 3, hour: 0, minute: 0, second: 0 })).toEqual({ daily: '2021-01-03', weekly: '2020-W53', monthly: '2021-01', yearly: '2021' });
    expect(bucketKeys({ year: 2024, month: 12, day: 30, hour: 0, minute: 0, second: 0 }).weekly).toBe('2025-W01');
  });

  test('a backup late in the UTC evening falls on the next local day east of UTC', () => {
    const ms = Date.parse('2025-03-09T23:30:00Z');
    expect(bucketKeys(localParts(ms, 'Europe/Berlin')).daily).toBe('2025-03-10');
    expect(bucketKeys(memoParts('UTC')(ms)).daily).toBe('2025-03-09');
  });

  test('a wall-clock time skipped by DST moves forward by the gap; civil days ignore zones', () => {
    // Europe/Berlin skipped 02:00–03:00 on 2025-03-30.
    expect(new Date(zonedInstant(2025, 3, 30, 2, 30, 'Europe/Berlin')).toISOString()).toBe('2025-03-30T01:30:00.000Z');
    expect(new Date(zonedInstant(2025, 7, 1, 12, 0, 'Europe/Berlin')).toISOString()).toBe('2025-07-01T10:00:00.000Z');
    expect(addCivilDays(2024, 2, 28, 1)).toEqual({ year: 2024, month: 2, day: 29 });
  });

  test('an unknown time zone is bad input', () => {
    expect(() => memoParts('Mars/Olympus')).toThrow(/Unknown time zone "Mars\/Olympus"/);
  });
});
