import { describe, expect, test } from 'vitest';
import {
  estimateRemainingMs,
  formatInZone,
  formatBytes,
  formatClock,
  formatDateTime,
  formatDuration,
  formatPercent,
  formatRelative,
  formatTenthsOfSeconds,
  groupedCount,
  plural,
  progressFraction,
} from './format.ts';

describe('formatting', () => {
  test('counts are grouped as en-US writes them (without ICU for whole numbers)', () => {
    const samples = [0, 7, 999, 1_000, 12_345, 100_000, 999_999, 1_000_000, 1_234_567_890, Number.MAX_SAFE_INTEGER, -1, -1_000, -987_654, 1.5, 12_345.678, 1e21, NaN, Infinity];
    for (const n of samples) expect(groupedCount(n)).toBe(n.toLocaleString('en-US'));
  });

  test('an average in tenths of a second is not shown as milliseconds it does not have', () => {
    expect(formatTenthsOfSeconds(0.1, 1)).toBe('0.1 s');
    expect(formatTenthsOfSeconds(0, 3)).toBe('< 0.1 s');
    expect(formatTenthsOfSeconds(0, 0)).toBe('—');
    expect(formatTenthsOfSeconds(2.5, 4)).toBe('2.5 s');
    expect(formatTenthsOfSeconds(75, 4)).toBe('1 min 15 s');
  });

  test('sizes in binary units with sensible precision', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KB');
    expect(formatBytes(25.5 * 1024 * 1024)).toBe('25.5 MB');
    expect(formatBytes(512 * 1024 ** 3)).toBe('512 GB');
    expect(formatBytes(null)).toBe('—');
  });

  test('durations at the scale they are read', () => {
    expect(formatDuration(340)).toBe('340 ms');
    expect(formatDuration(4_250)).toBe('4.3 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
    expect(formatDuration(3 * 3_600_000 + 7 * 60_000)).toBe('3 h 07 min');
    expect(formatDuration(600_000)).toBe('10 min');
    expect(formatDuration(3_600_000)).toBe('1 h');
    expect(formatClock(7_400)).toBe('0:07');
    expect(formatClock(3_729_000)).toBe('1:02:09');
    expect(formatDuration(-1)).toBe('—');
  });

  test('dates sort as text, counts and shares read right', () => {
    expect(formatDateTime(new Date(2026, 10, 5, 7, 3, 9).toISOString())).toBe('2026-11-05 07:03:09');
    expect(formatDateTime(new Date(2026, 10, 5, 7, 3, 9).toISOString(), false)).toBe('2026-11-05 07:03');
    expect(plural(1, 'backup')).toBe('1 backup');
    expect(plural(10_001, 'backup')).toBe('10,001 backups');
    expect(formatPercent(10_000, 10_001)).toBe('99.9%');
    expect(formatPercent(1, 2)).toBe('50%');
    expect(formatPercent(1, 3)).toBe('33.3%');
    expect(formatPercent(1, 10_000)).toBe('0.1%');
    expect(formatPercent(0, 0)).toBe('—');
  });

  test('relative times, past and future', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(formatRelative('2026-01-10T11:59:40Z', now)).toBe('just now');
    expect(formatRelative('2026-01-10T11:55:00Z', now)).toBe('5 min ago');
    expect(formatRelative('2026-01-10T15:00:00Z', now)).toBe('in 3 h');
    expect(formatRelative('2026-01-07T12:00:00Z', now)).toBe('3 d ago');
    expect(formatRelative(null, now)).toBe('—');
  });

  test('ETA from the previous backup size: none without one, none once past it', () => {
    expect(estimateRemainingMs({ bytes: 25, elapsedMs: 10_000, expectedBytes: 100 })).toBe(30_000);
    expect(estimateRemainingMs({ bytes: 25, elapsedMs: 10_000, expectedBytes: undefined })).toBeUndefined();
    expect(estimateRemainingMs({ bytes: 150, elapsedMs: 10_000, expectedBytes: 100 })).toBeUndefined();
    expect(estimateRemainingMs({ bytes: 0, elapsedMs: 10_000, expectedBytes: 100 })).toBeUndefined();
    expect(progressFraction(150, 100)).toBe(1);
    expect(progressFraction(10, undefined)).toBeUndefined();
  });
});

describe('formatInZone', () => {
  test("a schedule's next run as that zone's clock shows it, the zone named", () => {
    expect(formatInZone('2026-03-03T03:30:00.000Z', 'Europe/Paris')).toBe('2026-03-03 04:30 Europe/Paris');
    expect(formatInZone('2026-07-01T23:15:00.000Z', 'UTC')).toBe('2026-07-01 23:15 UTC');
    expect(formatInZone(null, 'UTC')).toBe('—');
  });
});
