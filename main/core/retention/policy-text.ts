// A retention policy and its text form ("30d", "7d4w12m", with an optional ",min=N"): parsed and
// checked once at the boundary, and written back in one canonical form.
import { HoldfastError } from '../model/errors.ts';

export type RetentionPolicy = { kind: 'days'; keepDays: number; minKeep?: number } | { kind: 'gfs'; daily: number; weekly: number; monthly: number; yearly: number; minKeep?: number };

export const GFS_KINDS = ['daily', 'weekly', 'monthly', 'yearly'] as const;
export type GfsKind = (typeof GFS_KINDS)[number];
const GFS_UNITS: Record<string, GfsKind> = { d: 'daily', w: 'weekly', m: 'monthly', y: 'yearly' };
/** The most days a bucket of each kind spans, so the other backups' window never ends before the tier's. */
export const GFS_DAYS: Record<GfsKind, number> = { daily: 1, weekly: 7, monthly: 31, yearly: 366 };

function badPolicy(message: string): HoldfastError {
  return new HoldfastError('BAD_INPUT', message, 'Use "30d", "days:30" or "gfs:7d,4w,12m,3y" (any subset of d/w/m/y), optionally with ",min:N".');
}

function checkCount(value: unknown, name: string, minimum: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw badPolicy(`Retention ${name} must be a whole number of at least ${minimum}, not ${String(value)}.`);
  }
}

export function validatePolicy(policy: RetentionPolicy): void {
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
    const unit = /^(\d{1,6})([wmy])$/.exec(head);
    if (!match && unit) {
      const kind = GFS_UNITS[unit[2]!]!;
      const count = Number(unit[1]);
      const period = { weekly: 'week', monthly: 'month', yearly: 'year', daily: 'day' }[kind];
      throw badPolicy(
        `Retention policy ${quoted}: "${head}" alone is not a policy: "${count * GFS_DAYS[kind]}d" keeps every backup of the last ${count * GFS_DAYS[kind]} days; "gfs:${head}" keeps one backup from each of the last ${count} ${period}s.`,
      );
    }
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
