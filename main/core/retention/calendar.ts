// Calendar arithmetic for retention in a given time zone: a backup's local date and time, its day,
// ISO week, month and year buckets, and the instant a local wall-clock time names. Read through Intl,
// so DST is the platform's business.
import { HoldfastError } from '../model/errors.ts';
import type { GfsKind } from './policy-text.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      // Fixed locale, calendar and digits: the parts are parsed as numbers, whatever the user's locale.
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        calendar: 'gregory',
        numberingSystem: 'latn',
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new HoldfastError('BAD_INPUT', `Unknown time zone "${timeZone}".`, 'Use an IANA zone name such as Europe/Berlin or UTC.');
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function defaultTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function localParts(ms: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(ms)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? NaN,
    month: parts.month ?? NaN,
    day: parts.day ?? NaN,
    hour: parts.hour ?? NaN,
    minute: parts.minute ?? NaN,
    second: parts.second ?? NaN,
  };
}

/** The instant a local wall-clock time names; a time skipped by DST moves forward by the gap. */
export function zonedInstant(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const offsetAt = (ms: number): number => {
    const p = localParts(ms, timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
  };
  // Two rounds settle on the offset in force at the target instant, including next to a transition.
  return wall - offsetAt(wall - offsetAt(wall));
}

/** Pure calendar arithmetic on a civil date (no zone involved), so UTC is the right tool. */
export function addCivilDays(year: number, month: number, day: number, days: number): { year: number; month: number; day: number } {
  const date = new Date(Date.UTC(year, month - 1, day + days));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

function isoWeek(year: number, month: number, day: number): { year: number; week: number } {
  const date = new Date(Date.UTC(year, month - 1, day));
  const mondayBased = (date.getUTCDay() + 6) % 7;
  // The ISO week belongs to the year holding its Thursday.
  date.setUTCDate(date.getUTCDate() - mondayBased + 3);
  const weekYear = date.getUTCFullYear();
  const dayOfYear = Math.round((date.getTime() - Date.UTC(weekYear, 0, 1)) / DAY_MS);
  return { year: weekYear, week: 1 + Math.floor(dayOfYear / 7) };
}

export const pad = (value: number, width: number): string => String(value).padStart(width, '0');

export function bucketKeys(parts: LocalParts): Record<GfsKind, string> {
  const week = isoWeek(parts.year, parts.month, parts.day);
  const year = pad(parts.year, 4);
  const month = `${year}-${pad(parts.month, 2)}`;
  return {
    daily: `${month}-${pad(parts.day, 2)}`,
    weekly: `${pad(week.year, 4)}-W${pad(week.week, 2)}`,
    monthly: month,
    yearly: year,
  };
}

export type PartsOf = (ms: number) => LocalParts;

export function memoParts(timeZone: string): PartsOf {
  formatterFor(timeZone);
  const cache = new Map<number, LocalParts>();
  return (ms) => {
    let parts = cache.get(ms);
    if (!parts) {
      parts = localParts(ms, timeZone);
      cache.set(ms, parts);
    }
    return parts;
  };
}
