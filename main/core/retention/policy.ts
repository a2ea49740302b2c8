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
//   would go and the profile would be left with half a copy. An imported dump (made elsewhere, its
//   time its file's) is weighed the same way: it may be of another database or older than it looks,
//   and it must never be why the last backup Holdfast took goes. Imports enter pinned anyway.
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
import { plural } from '../model/human.ts';
import { addCivilDays, bucketKeys, DAY_MS, defaultTimeZone, memoParts, pad, zonedInstant, type PartsOf } from './calendar.ts';
import { GFS_DAYS, GFS_KINDS, validatePolicy, type RetentionPolicy } from './policy-text.ts';

export { formatRetentionPolicy, parseRetentionPolicy, type RetentionPolicy } from './policy-text.ts';

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
  /** A dump made elsewhere and imported: it restores, but it is kept like a partial backup, never as the profile's good full one. */
  imported?: boolean;
}

export interface RetentionDecision {
  id: string;
  profile: string;
  timestamp: string;
  action: 'keep' | 'delete';
  reasons: string[];
}

// --- planning ----------------------------------------------------------------------------------------

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

/** The days every backup that is not a good full one is kept for: the policy's finest window. */
function otherBackupsWindowDays(policy: RetentionPolicy): number {
  if (policy.kind === 'days') return policy.keepDays;
  const finest = GFS_KINDS.find((kind) => policy[kind] > 0)!;
  return policy[finest] * GFS_DAYS[finest];
}

function isGoodFull(candidate: RetentionCandidate): boolean {
  return candidate.scope === 'full' && candidate.failedCheck === null && candidate.imported !== true;
}

/** What makes a backup other than a good full one, as a reason's subject. */
function otherKind(candidate: RetentionCandidate): string {
  if (candidate.imported) return 'imported dump';
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
  const droppedOther = (candidate: RetentionCandidate) => `${otherKind(candidate)} older than ${plural(windowDays, 'day')} (only full backups whose checks passed fill slots)`;
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
  /** How many backups the simulation took. */
  backups: number;
}

/**
 * What-if preview: `days` days of backups starting on `start`'s local calendar date (its time of day
 * is ignored), the first at 02:00 local and `backupsPerDay` evenly spaced from there within the day,
 * with the policy applied at the end of every local day to what survived so far.
 */
export function simulateRetention(
  policy: RetentionPolicy,
  options: {
    start: Date;
    days: number;
    backupsPerDay?: number;
    timeZone?: string;
    /** The backups' instants (ms) in [dayStart, dayEnd) instead of backupsPerDay from 02:00: a schedule's own cadence (simulate-schedule.ts). */
    instantsBetween?: (dayStart: number, dayEnd: number) => number[];
  },
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
    const next = addCivilDays(date.year, date.month, date.day, 1);
    const dayStart = zonedInstant(date.year, date.month, date.day, 0, 0, timeZone);
    const dayEnd = zonedInstant(next.year, next.month, next.day, 0, 0, timeZone);
    const instants = options.instantsBetween
      ? options.instantsBetween(dayStart, dayEnd)
      : minutes.map((minute) => zonedInstant(date.year, date.month, date.day, Math.floor(minute / 60), minute % 60, timeZone));
    for (const at of instants) {
      // Fixed-width ids keep the tie-break order equal to creation order.
      alive.push({ id: `sim-${pad(serial, 8)}`, profile: 'simulation', timestamp: new Date(at).toISOString(), size: 0, scope: 'full', failedCheck: null, pinned: false });
      serial += 1;
    }
    const endOfDay = new Date(dayEnd - 1);
    last = plan(alive, policy, endOfDay, partsOf);
    const keep = new Set(last.filter((decision) => decision.action === 'keep').map((decision) => decision.id));
    deletedCount += alive.length - keep.size;
    alive = alive.filter((candidate) => keep.has(candidate.id));
  }
  const kept = last.filter((decision) => decision.action === 'keep').map((decision) => ({ at: decision.timestamp, reasons: decision.reasons }));
  return { kept, deletedCount, keptCount: kept.length, backups: serial };
}
