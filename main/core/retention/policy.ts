// Retention planning: which backups a policy keeps and why. Pure: the clock and the time zone are
// passed in, so a plan can be previewed, tested and audited without touching anything.
//
// Choices, matching what pgBackRest, restic and Databasus users expect:
// - Candidates are successful backups only. The caller passes completed backups; a failed or
//   interrupted run never produced a backup row, and a row marked 'missing' has no file, so neither
//   may count as the copy that lets an older one go.
// - Each profile is planned on its own; one profile's backups never make room for another's.
// - Only a *good full* backup (scope 'full', and neither its last verify nor its last restore drill
//   failed; never checked counts as good) fills policy slots, counts toward `minKeep` and can be
//   the newest good backup. A table-filtered, schema-only or data-only backup, or one that failed a
//   check, restores less than the database: were it to take a slot, the full backup it displaced
//   would go and the profile would be left with half a copy.
// - The newest good full backup of a profile is always kept, whatever the policy, and so are its
//   `minKeep` (default 1) newest. When backups have been failing for weeks, the last good one must
//   survive.
// - Every other backup is kept while it is no older than the policy's finest window (days: keepDays;
//   GFS: its finest non-zero tier, count × 1, 7, 31 or 366 days), elapsed time as for days, and is
//   deleted after that: never in place of a full one. A profile with no good full backup at all
//   keeps its newest backup of any kind, since something is better than nothing.
// - A pinned backup is kept whatever the policy.
// - days: a backup is kept while now − timestamp ≤ keepDays × 24 h (elapsed time, not calendar days;
//   exactly keepDays old is still kept, so deletion only ever happens strictly past the limit).
// - GFS: backups are bucketed by local calendar day, ISO week (Monday first, "2025-W10"), month and
//   year in the given time zone, read through Intl so DST is the platform's business, not ours.
//   For each kind with count N, the newest backup of each of the N most recent buckets that hold
//   a backup is kept (restic's --keep-daily semantics): empty periods do not use up slots, so a gap
//   in backups does not silently shorten history. `now` plays no part in GFS slots (only in the
//   window that keeps the other backups).
// - A kept backup lists every rule that keeps it: the pin first, then policy slots (daily, weekly,
//   monthly, yearly), then the newest-backup rule, then the minimum.
// - Order is deterministic: profiles by name (code-point order), newest first within a profile,
//   equal timestamps broken by id. A timestamp that cannot be read is kept and listed last: a
//   retention run must never delete what it cannot date.
import type { BackupScope } from '../backup/options.ts';
import { HoldfastError } from '../model/errors.ts';

export type RetentionPolicy =
  | { kind: 'days'; keepDays: number; minKeep?: number }
  | { kind: 'gfs'; daily: number; weekly: number; monthly: number; yearly: number; minKeep?: number };

export interface RetentionCandidate {
  id: string;
  profile: string;
  /** ISO time the backup started. */
  timestamp: string;
  size: number;
  /** What part of the database it holds; only 'full' backups fill slots. */
  scope: BackupScope;
  /** Its last verify or its last restore drill failed (the verify first); null when neither did. */
  failedCheck: 'verify' | 'drill' | null;
  /** Kept whatever the policy (`holdfast pin`). */
  pinned: boolean;
}

export interface RetentionDecision {
  id: string;
  profile: string;
  timestamp: string;
  action: 'keep' | 'delete';
  reasons: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const GFS_KINDS = ['daily', 'weekly', 'monthly', 'yearly'] as const;
type GfsKind = (typeof GFS_KINDS)[number];
const GFS_UNITS: Record<string, GfsKind> = { d: 'daily', w: 'weekly', m: 'monthly', y: 'yearly' };
/** The most days a bucket of each kind spans, so the other backups' window never ends before the tier's. */
const GFS_DAYS: Record<GfsKind, number> = { daily: 1, weekly: 7, monthly: 31, yearly: 366 };

// --- calendar --------------------------------------------------------------------------------------

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
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

function localParts(ms: number, timeZone: string): LocalParts {
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
function zonedInstant(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const offsetAt = (ms: number): number => {
    const p = localParts(ms, timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
  };
  // Two rounds settle on the offset in force at the target instant, including next to a transition.
  return wall - offsetAt(wall - offsetAt(wall));
}

/** Pure calendar arithmetic on a civil date (no zone involved), so UTC is the right tool. */
function addCivilDays(year: number, month: number, day: number, days: number): { year: number; month: number; day: number } {
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

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

function bucketKeys(parts: LocalParts): Record<GfsKind, string> {
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

// --- validation and text form ------------------------------------------------------------------------

function badPolicy(message: string): HoldfastError {
  return new HoldfastError('BAD_INPUT', message, 'Use "30d", "days:30" or "gfs:7d,4w,12m,3y" (any subset of d/w/m/y), optionally with ",min:N".');
}

function checkCount(value: unknown, name: string, minimum: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw badPolicy(`Retention ${name} must be a whole number of at least ${minimum}, not ${String(value)}.`);
  }
}

function validatePolicy(policy: RetentionPolicy): void {
  if (policy.minKeep !== undefined) checkCount(policy.minKeep, 'minKeep', 1);
  if (policy.kind === 'days') {
    checkCount(policy.keepDays, 'keepDays', 1);
    return;
  }
  if (policy.kind !== 'gfs') throw badPolicy(`Unknown retention policy kind "${String((policy as { kind: unknown }).kind)}".`);
  for (const kind of GFS_KINDS) checkCount(policy[kind], kind, 0);
  // All-zero GFS would quietly mean "delete everything but the newest"; that is never what was meant.
  if (GFS_KINDS.every((kind) => policy[kind] === 0)) throw badPolicy('A GFS retention policy needs at least one non-zero count.');
}

/**
 * "30d", "days:30", "gfs:7d,4w,12m,3y" (any subset; a missing unit is 0), each optionally followed
 * by ",min:N" for the minimum kept per profile. Case and spaces are ignored.
 */
export function parseRetentionPolicy(text: string): RetentionPolicy {
  const source = text.trim().toLowerCase().replace(/\s+/g, '');
  const quoted = JSON.stringify(text);
  if (source === '') throw badPolicy('The retention policy is empty.');
  const [head = '', ...rest] = source.split(',');
  let minKeep: number | undefined;
  const takeMin = (part: string): boolean => {
    const match = /^min:(\d{1,6})$/.exec(part);
    if (!match) return false;
    if (minKeep !== undefined) throw badPolicy(`Retention policy ${quoted}: "min" is given twice.`);
    minKeep = Number(match[1]);
    if (minKeep < 1) throw badPolicy(`Retention policy ${quoted}: "${part}" must keep at least 1.`);
    return true;
  };
  const withMin = <T extends RetentionPolicy>(policy: T): T => (minKeep === undefined ? policy : { ...policy, minKeep });

  if (!head.startsWith('gfs:')) {
    const match = /^(?:(\d{1,6})d|days:(\d{1,6}))$/.exec(head);
    if (!match) throw badPolicy(`Retention policy ${quoted}: "${head}" is not understood; expected "<n>d", "days:<n>" or "gfs:…".`);
    for (const part of rest) {
      if (!takeMin(part)) throw badPolicy(`Retention policy ${quoted}: "${part}" is not understood; only ",min:<n>" may follow a days policy.`);
    }
    const keepDays = Number(match[1] ?? match[2]);
    if (keepDays < 1) throw badPolicy(`Retention policy ${quoted}: "${head}" must keep at least 1 day.`);
    return withMin({ kind: 'days', keepDays });
  }

  const counts: Record<GfsKind, number> = { daily: 0, weekly: 0, monthly: 0, yearly: 0 };
  const seen = new Set<GfsKind>();
  const parts = [head.slice('gfs:'.length), ...rest];
  for (const part of parts) {
    if (part === '') throw badPolicy(`Retention policy ${quoted}: an empty part; list counts like "7d,4w,12m,3y".`);
    if (takeMin(part)) continue;
    const match = /^(\d{1,6})([dwmy])$/.exec(part);
    const kind = match ? GFS_UNITS[match[2]!] : undefined;
    if (!match || !kind) throw badPolicy(`Retention policy ${quoted}: "${part}" is not understood; use <n>d, <n>w, <n>m, <n>y or min:<n>.`);
    if (seen.has(kind)) throw badPolicy(`Retention policy ${quoted}: "${part}" repeats the ${kind} count.`);
    seen.add(kind);
    counts[kind] = Number(match[1]);
  }
  const policy = withMin({ kind: 'gfs' as const, ...counts });
  validatePolicy(policy);
  return policy;
}

/** The canonical text form; parseRetentionPolicy reads it back to the same policy. */
export function formatRetentionPolicy(policy: RetentionPolicy): string {
  const min = policy.minKeep === undefined ? '' : `,min:${policy.minKeep}`;
  if (policy.kind === 'days') return `${policy.keepDays}d${min}`;
  const units = GFS_KINDS.filter((kind) => policy[kind] > 0).map((kind) => `${policy[kind]}${kind[0]}`);
  return `gfs:${units.join(',')}${min}`;
}

// --- planning ----------------------------------------------------------------------------------------

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

interface Dated {
  candidate: RetentionCandidate;
  ms: number;
}

function newestFirst(a: Dated, b: Dated): number {
  const aValid = !Number.isNaN(a.ms);
  const bValid = !Number.isNaN(b.ms);
  if (aValid !== bValid) return aValid ? -1 : 1;
  if (aValid && a.ms !== b.ms) return b.ms - a.ms;
  return a.candidate.id < b.candidate.id ? -1 : a.candidate.id > b.candidate.id ? 1 : 0;
}

type PartsOf = (ms: number) => LocalParts;

function memoParts(timeZone: string): PartsOf {
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

/** The days every backup that is not a good full one is kept for: the policy's finest window. */
function otherBackupsWindowDays(policy: RetentionPolicy): number {
  if (policy.kind === 'days') return policy.keepDays;
  const finest = GFS_KINDS.find((kind) => policy[kind] > 0)!;
  return policy[finest] * GFS_DAYS[finest];
}

function isGoodFull(candidate: RetentionCandidate): boolean {
  return candidate.scope === 'full' && candidate.failedCheck === null;
}

/** What makes a backup other than a good full one, as a reason's subject. */
function otherKind(candidate: RetentionCandidate): string {
  if (candidate.scope !== 'full') return `${candidate.scope} backup`;
  return candidate.failedCheck === 'verify' ? 'backup that failed verification' : 'backup that failed its restore drill';
}

function planProfile(items: Dated[], policy: RetentionPolicy, nowMs: number, partsOf: PartsOf): RetentionDecision[] {
  const sorted = [...items].sort(newestFirst);
  const valid = sorted.filter((item) => !Number.isNaN(item.ms));
  const good = valid.filter((item) => isGoodFull(item.candidate));
  const reasons = new Map<Dated, string[]>(sorted.map((item) => [item, item.candidate.pinned ? ['pinned'] : []]));
  const minKeep = policy.minKeep ?? 1;

  if (policy.kind === 'days') {
    const limit = policy.keepDays * DAY_MS;
    for (const item of good) {
      if (nowMs - item.ms <= limit) reasons.get(item)!.push(`within ${plural(policy.keepDays, 'day')}`);
    }
  } else {
    const keys = new Map(good.map((item) => [item, bucketKeys(partsOf(item.ms))]));
    for (const kind of GFS_KINDS) {
      const slots = policy[kind];
      const filled = new Set<string>();
      for (const item of good) {
        if (filled.size >= slots) break;
        const key = keys.get(item)![kind];
        if (filled.has(key)) continue;
        filled.add(key);
        reasons.get(item)!.push(`${kind} slot ${key}`);
      }
    }
  }

  good.forEach((item, index) => {
    if (index === 0) reasons.get(item)!.push('newest good full backup of the profile');
    if (index < minKeep) reasons.get(item)!.push(`minimum of ${minKeep} kept`);
  });
  const windowDays = otherBackupsWindowDays(policy);
  for (const item of valid) {
    if (isGoodFull(item.candidate) || nowMs - item.ms > windowDays * DAY_MS) continue;
    reasons.get(item)!.push(`${otherKind(item.candidate)}, kept within ${plural(windowDays, 'day')}`);
  }
  if (good.length === 0 && valid[0]) reasons.get(valid[0])!.push('newest backup of the profile, which has no good full backup');
  for (const item of sorted) {
    if (Number.isNaN(item.ms)) reasons.get(item)!.push('timestamp not understood; never deleted');
  }

  const dropped =
    policy.kind === 'days'
      ? `older than ${plural(policy.keepDays, 'day')}`
      : `outside every slot (${GFS_KINDS.filter((kind) => policy[kind] > 0)
          .map((kind) => `${policy[kind]} ${kind}`)
          .join(', ')})`;
  const droppedOther = (candidate: RetentionCandidate) =>
    `${otherKind(candidate)} older than ${plural(windowDays, 'day')} (only full backups whose checks passed fill slots)`;
  return sorted.map((item) => {
    const keep = reasons.get(item)!;
    const { id, profile, timestamp } = item.candidate;
    if (keep.length > 0) return { id, profile, timestamp, action: 'keep', reasons: keep };
    return { id, profile, timestamp, action: 'delete', reasons: [isGoodFull(item.candidate) ? dropped : droppedOther(item.candidate)] };
  });
}

function plan(candidates: RetentionCandidate[], policy: RetentionPolicy, now: Date, partsOf: PartsOf): RetentionDecision[] {
  validatePolicy(policy);
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new HoldfastError('BAD_INPUT', 'The retention clock is not a valid date.');
  const byProfile = new Map<string, Dated[]>();
  for (const candidate of candidates) {
    const list = byProfile.get(candidate.profile) ?? [];
    list.push({ candidate, ms: Date.parse(candidate.timestamp) });
    byProfile.set(candidate.profile, list);
  }
  const profiles = [...byProfile.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return profiles.flatMap((profile) => planProfile(byProfile.get(profile)!, policy, nowMs, partsOf));
}

/**
 * Decides keep or delete for every candidate (completed backups only), newest first per profile,
 * profiles in name order. `timeZone` (default: this process's zone) sets the GFS calendar buckets.
 */
export function planRetention(candidates: RetentionCandidate[], policy: RetentionPolicy, now: Date, timeZone?: string): RetentionDecision[] {
  return plan(candidates, policy, now, memoParts(timeZone ?? defaultTimeZone()));
}

export interface RetentionSimulation {
  /** The backups alive at the end, newest first, with the rules keeping them. */
  kept: Array<{ at: string; reasons: string[] }>;
  deletedCount: number;
  keptCount: number;
}

/**
 * What-if preview: `days` days of backups starting on `start`'s local calendar date (its time of day
 * is ignored), the first at 02:00 local and `backupsPerDay` evenly spaced from there within the day,
 * with the policy applied at the end of every local day to what survived so far.
 */
export function simulateRetention(
  policy: RetentionPolicy,
  options: { start: Date; days: number; backupsPerDay?: number; timeZone?: string },
): RetentionSimulation {
  validatePolicy(policy);
  const perDay = options.backupsPerDay ?? 1;
  if (!Number.isSafeInteger(options.days) || options.days < 0 || options.days > 100 * 366) {
    throw new HoldfastError('BAD_INPUT', `A retention simulation covers 0 to 36600 days, not ${options.days}.`);
  }
  if (!Number.isSafeInteger(perDay) || perDay < 1 || perDay > 1440) {
    throw new HoldfastError('BAD_INPUT', `A retention simulation takes 1 to 1440 backups a day, not ${perDay}.`);
  }
  if (Number.isNaN(options.start.getTime())) throw new HoldfastError('BAD_INPUT', 'The simulation start is not a valid date.');
  const timeZone = options.timeZone ?? defaultTimeZone();
  const partsOf = memoParts(timeZone);
  const first = partsOf(options.start.getTime());
  const spacing = Math.floor(1440 / perDay);
  const minutes = Array.from({ length: perDay }, (_, i) => (120 + i * spacing) % 1440).sort((a, b) => a - b);

  let alive: RetentionCandidate[] = [];
  let last: RetentionDecision[] = [];
  let deletedCount = 0;
  let serial = 0;
  for (let offset = 0; offset < options.days; offset += 1) {
    const date = addCivilDays(first.year, first.month, first.day, offset);
    for (const minute of minutes) {
      const at = zonedInstant(date.year, date.month, date.day, Math.floor(minute / 60), minute % 60, timeZone);
      // Fixed-width ids keep the tie-break order equal to creation order.
      alive.push({ id: `sim-${pad(serial, 8)}`, profile: 'simulation', timestamp: new Date(at).toISOString(), size: 0, scope: 'full', failedCheck: null, pinned: false });
      serial += 1;
    }
    const next = addCivilDays(date.year, date.month, date.day, 1);
    const endOfDay = new Date(zonedInstant(next.year, next.month, next.day, 0, 0, timeZone) - 1);
    last = plan(alive, policy, endOfDay, partsOf);
    const keep = new Set(last.filter((decision) => decision.action === 'keep').map((decision) => decision.id));
    deletedCount += alive.length - keep.size;
    alive = alive.filter((candidate) => keep.has(candidate.id));
  }
  const kept = last.filter((decision) => decision.action === 'keep').map((decision) => ({ at: decision.timestamp, reasons: decision.reasons }));
  return { kept, deletedCount, keptCount: kept.length };
}
