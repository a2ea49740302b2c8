// Numbers as a DBA reads them: sizes in binary units, durations that fit the scale, times relative
// to now with the exact time one hover away.
import { groupedCount } from '../../../main/core/model/human.ts';

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${bytes < 0 ? '-' : ''}${value.toFixed(digits)} ${units[unit]}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const totalSeconds = Math.round(seconds);
  const minutes = Math.floor(totalSeconds / 60);
  const part = (value: number, unit: string) => (value ? ` ${String(value).padStart(2, '0')} ${unit}` : '');
  if (minutes < 60) return `${minutes} min${part(totalSeconds % 60, 's')}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${part(minutes % 60, 'min')}`;
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

/**
 * A duration the engine gives in seconds to one decimal (backup.stats' averageDuration). Under a
 * second it stays in tenths of a second: 0.1 s shown as "100 ms" claimed a precision it does not
 * have, next to backups listed at 132 ms. 0 with backups behind it is under 0.05 s, not nothing.
 */
export function formatTenthsOfSeconds(seconds: number | null | undefined, samples: number): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0 || samples <= 0) return '—';
  if (seconds === 0) return '< 0.1 s';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  return formatDuration(seconds * 1000);
}

/** A running timer: 0:07, 12:45, 1:02:09. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** "3 min ago", "in 5 h", "just now"; the absolute time belongs in a title attribute. */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '—';
  const delta = at - now;
  const abs = Math.abs(delta);
  if (abs < 45_000) return 'just now';
  let text: string;
  if (abs < 3_600_000) text = `${Math.round(abs / 60_000)} min`;
  else if (abs < 86_400_000) text = `${Math.round(abs / 3_600_000)} h`;
  else if (abs < 60 * 86_400_000) text = `${Math.round(abs / 86_400_000)} d`;
  else text = `${Math.round(abs / (30 * 86_400_000))} mo`;
  return delta < 0 ? `${text} ago` : `in ${text}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** Local time as a DBA writes it (and sorts it): 2026-11-25 19:57:42, or without seconds. */
export function formatDateTime(iso: string | null | undefined, withSeconds = true): string {
  if (!iso) return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const date = `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}`;
  return `${date} ${two(at.getHours())}:${two(at.getMinutes())}${withSeconds ? `:${two(at.getSeconds())}` : ''}`;
}

export { formatInZone } from '../../../main/core/model/time-in-zone.ts';

/**
 * Built on first use, not when this module loads: the first Intl formatter in a fresh renderer costs
 * 45–85 ms of the main thread (ICU's locale data; CPU profile, bench row 7), and this module is in the
 * entry, which draws the Backups page's first screen: built at load, that held the first screen.
 * Only the charts draw short dates.
 */
let shortDate: Intl.DateTimeFormat | undefined;

/** Chart ticks: "Nov 25". */
export function formatShortDate(iso: string | number): string {
  const at = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(at)) return String(iso);
  shortDate ??= new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric' });
  return shortDate.format(at);
}

/** The terminal's and the app's one way to count things in words. */
export { groupedCount, plural } from '../../../main/core/model/human.ts';

/** A share as a percentage that never rounds a failure away: 10,000 of 10,001 is 99.9%, not 100%. */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '—';
  const exact = (part / whole) * 100;
  if (part === whole) return '100%';
  if (part === 0) return '0%';
  const shown = Math.min(99.9, Math.max(0.1, Math.floor(exact * 10) / 10));
  return `${Number.isInteger(shown) ? shown : shown.toFixed(1)}%`;
}

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : groupedCount(n);
}

/**
 * Time left from progress so far: bytes written against the size of the previous backup of the
 * same profile and format. Unknown without an expectation, and never a negative or absurd figure
 * when this backup grows past the last one.
 */
export function estimateRemainingMs(progress: { bytes: number; elapsedMs: number; expectedBytes: number | undefined }): number | undefined {
  const { bytes, elapsedMs, expectedBytes } = progress;
  if (!expectedBytes || expectedBytes <= 0 || bytes <= 0 || elapsedMs < 500) return undefined;
  if (bytes >= expectedBytes) return undefined;
  const rate = bytes / elapsedMs;
  return (expectedBytes - bytes) / rate;
}

/** 0–1, or undefined when there is nothing to measure against. */
export function progressFraction(bytes: number, expectedBytes: number | undefined): number | undefined {
  if (!expectedBytes || expectedBytes <= 0) return undefined;
  return Math.min(1, Math.max(0, bytes / expectedBytes));
}
