// The dashboard's charts over backup history: each backup while there are few, daily averages once
// there are many or they span weeks, so a year of hourly backups is a readable line, not a smear.
import type { BackupRow } from './backup-rows.ts';
import { formatShortDate } from './format.ts';

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

export interface TimeAxis {
  /** Where the ticks go (ms), inside the series' first and last points. */
  ticks: number[];
  label: (at: number) => string;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** Steps a tick may be apart, shortest first: minutes and hours on the clock, then whole days. */
const CLOCK_STEPS = [1, 5, 10, 15, 30]
  .map((seconds) => seconds * 1000)
  .concat([1, 2, 5, 10, 15, 30].map((m) => m * MINUTE_MS))
  .concat([1, 2, 3, 6, 12].map((h) => h * HOUR_MS));
const DAY_STEPS = [1, 2, 3, 7, 14, 30, 61, 91, 182, 365];

/**
 * The charts' time axis: ticks a step apart, labelled at that step's resolution (times of day within
 * a day or so, dates beyond), so no two ticks read the same (recharts' own ticks, labelled by date,
 * read "Dec 6" several times for backups taken on one day).
 */
export function timeAxis(series: readonly Point[], maxTicks = 6): TimeAxis {
  const first = series[0]?.at;
  const last = series.at(-1)?.at;
  if (first === undefined || last === undefined || last === first) return { ticks: first === undefined ? [] : [first], label: (value) => formatShortDate(value) };
  const span = last - first;
  const midnights = localMidnights(first, last, 1);
  if (midnights.length >= 2) {
    const step = DAY_STEPS.find((days) => Math.floor(span / (days * DAY_MS)) + 1 <= maxTicks) ?? DAY_STEPS.at(-1)!;
    const ticks = localMidnights(first, last, step);
    const years = new Set(ticks.map((tick) => new Date(tick).getFullYear()));
    return { ticks, label: (value) => (years.size > 1 ? `${formatShortDate(value)}, ${new Date(value).getFullYear()}` : formatShortDate(value)) };
  }
  const step = CLOCK_STEPS.find((ms) => Math.floor(span / ms) + 1 <= maxTicks) ?? CLOCK_STEPS.at(-1)!;
  const offset = new Date(first).getTimezoneOffset() * MINUTE_MS;
  const ticks: number[] = [];
  // On the local clock's step boundaries: 14:00, 14:15, not 14:07.
  for (let tick = Math.ceil((first - offset) / step) * step + offset; tick <= last; tick += step) ticks.push(tick);
  // A span shorter than a second has no step inside it: its first point is the one tick.
  if (!ticks.length) ticks.push(first);
  const oneDay = new Date(first).toDateString() === new Date(last).toDateString();
  const seconds = step < MINUTE_MS;
  return { ticks, label: (value) => (oneDay ? clockTime(value, seconds) : `${formatShortDate(value)} ${clockTime(value, seconds)}`) };
}

/** Local midnights from `first` to `last`, every `days` days. */
function localMidnights(first: number, last: number, days: number): number[] {
  const day = new Date(first);
  day.setHours(0, 0, 0, 0);
  if (day.getTime() < first) day.setDate(day.getDate() + 1);
  const midnights: number[] = [];
  for (; day.getTime() <= last; day.setDate(day.getDate() + days)) midnights.push(day.getTime());
  return midnights;
}

function clockTime(at: number, seconds: boolean): string {
  const time = new Date(at);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(time.getHours())}:${two(time.getMinutes())}${seconds ? `:${two(time.getSeconds())}` : ''}`;
}
