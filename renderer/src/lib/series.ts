// The dashboard's charts over backup history: each backup while there are few, daily averages once
// there are many or they span weeks, so a year of hourly backups is a readable line, not a smear.
import type { BackupRow } from './backup-rows.ts';

export interface Point {
  at: number;
  size: number;
  seconds: number;
  count: number;
}

const DAY_MS = 86_400_000;

export function chartSeries(rows: readonly BackupRow[], options: { maxPoints?: number; days?: number; now?: number } = {}): Point[] {
  const maxPoints = options.maxPoints ?? 120;
  const now = options.now ?? Date.now();
  const since = now - (options.days ?? 365) * DAY_MS;
  const points = rows
    .filter((row) => row.status === 'completed' && row.size !== null)
    .map((row) => ({ at: Date.parse(row.timestamp), size: row.size ?? 0, seconds: (row.duration ?? 0) / 1000, count: 1 }))
    .filter((point) => point.at >= since)
    .sort((a, b) => a.at - b.at);
  if (points.length <= maxPoints) return points;
  const days = new Map<number, Point>();
  for (const point of points) {
    // Local midnight, so a day on the chart is the reader's day.
    const day = new Date(point.at);
    day.setHours(12, 0, 0, 0);
    const key = day.getTime();
    const bucket = days.get(key) ?? { at: key, size: 0, seconds: 0, count: 0 };
    bucket.size += point.size;
    bucket.seconds += point.seconds;
    bucket.count += 1;
    days.set(key, bucket);
  }
  return [...days.values()].map((bucket) => ({ at: bucket.at, size: bucket.size / bucket.count, seconds: bucket.seconds / bucket.count, count: bucket.count }));
}
