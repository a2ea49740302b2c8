// Retention as the engine offers it: which policy applies to a profile, a cleanup across profiles
// (each deletion audited by runCleanup, the run as a whole told as one event), and a preview.
import type { Catalogue } from '../catalogue/catalogue.ts';
import type { HoldfastConfig } from '../config/config.ts';
import type { EventBus } from '../events/bus.ts';
import { HoldfastError } from '../model/errors.ts';
import type { FileCheck } from '../recovery/file-check.ts';
import type { ScheduleStore } from '../schedule/schedule-store.ts';
import { systemTimeZone, validateCron, validateTimeZone, type ScheduleType } from '../schedule/cron.ts';
import { actorName } from '../users/acting.ts';
import { planCleanup, runCleanup, type CleanupReport, type CopyRemover } from './cleanup.ts';
import type { CopyCleanupReport } from './copy-cleanup.ts';
import { formatRetentionPolicy, parseRetentionPolicy, type RetentionPolicy } from './policy.ts';
import { simulateSchedule } from './simulate-schedule.ts';

export interface RetentionEngine {
  catalogue: Catalogue;
  schedules: ScheduleStore;
  config: Pick<HoldfastConfig, 'retentionDays' | 'presets'>;
  events: Pick<EventBus, 'emit'>;
  offsite?: CopyRemover;
  /** Under serve, which backup files are still there is looked for after the first answer. */
  fileCheck?: Pick<FileCheck, 'done' | 'run'>;
}

export interface CleanupSummary {
  dryRun: boolean;
  deleted: number;
  freedBytes: number;
  errors: number;
  profiles: Array<CleanupReport & { profile: string }>;
  /** Each destination's stored policy over its copies (absent: none was applied). */
  destinations?: CopyCleanupReport[];
}

/** The policy for a profile: the one asked for, else its schedule's, else BACKUP_RETENTION_DAYS. */
export function retentionPolicyFor(engine: Pick<RetentionEngine, 'schedules' | 'config'>, profile: string, override?: string): RetentionPolicy {
  const text = override ?? engine.schedules.list({ profile }).find((s) => s.retention)?.retention;
  if (!text) return { kind: 'days', keepDays: engine.config.retentionDays };
  try {
    return parseRetentionPolicy(text);
  } catch (error) {
    // The parser's own message may already name the policy; saying it twice reads as a stutter.
    if (error instanceof HoldfastError && error.message.includes(`"${text}"`)) throw error;
    throw new HoldfastError('BAD_INPUT', `Retention policy "${text}" is not valid: ${(error as Error).message}`, 'Use 30d, or gfs:7d,4w,12m,3y (any of d, w, m, y).');
  }
}

export async function cleanup(
  engine: RetentionEngine,
  input: { profile?: string | undefined; policy?: string | undefined; dryRun: boolean; onlyIds?: readonly string[] | undefined },
  now: Date,
): Promise<CleanupSummary> {
  if (input.policy) retentionPolicyFor(engine, '', input.policy);
  // Until the start-up file check has run, a vanished file's row still says "completed" and would
  // count as a kept copy, letting a backup still on disk go: join the check first.
  if (engine.fileCheck && !engine.fileCheck.done) await engine.fileCheck.run();
  const profiles = input.profile ? [input.profile] : [...new Set(engine.catalogue.listBackups({ statuses: ['completed'] }).map((b) => b.profile))].sort();
  const reports: Array<CleanupReport & { profile: string }> = [];
  for (const profile of profiles) {
    const report = await runCleanup(engine.catalogue, {
      profile,
      policy: retentionPolicyFor(engine, profile, input.policy),
      now,
      dryRun: input.dryRun,
      ...(input.onlyIds ? { onlyIds: input.onlyIds } : {}),
      actor: actorName(),
      ...(engine.offsite ? { copies: engine.offsite } : {}),
    });
    reports.push({ profile, ...report });
  }
  const summary: CleanupSummary = {
    dryRun: input.dryRun,
    deleted: reports.reduce((n, r) => n + r.deleted.length, 0),
    freedBytes: reports.reduce((n, r) => n + r.freedBytes, 0),
    errors: reports.reduce((n, r) => n + r.errors.length, 0),
    profiles: reports,
  };
  if (!input.dryRun) await engine.events.emit({ kind: 'cleanup.completed', deleted: summary.deleted, freedBytes: summary.freedBytes, errors: summary.errors });
  return summary;
}

/** A daily 02:00 backup: what a preview simulates when no schedule's cadence is given. */
const DAILY = '0 2 * * *';

/**
 * What a policy would keep of the existing backups (each file, kept or deleted, and why), and of a
 * year of backups at the schedule's cadence (its cron in its zone; daily at 02:00 when none is given).
 */
export function retentionPreview(
  engine: RetentionEngine,
  input: { policy: string; profile?: string | undefined; type?: ScheduleType | undefined; cron?: string | undefined; timeZone?: string | undefined },
  now: Date,
) {
  const policy = retentionPolicyFor(engine, input.profile ?? '', input.policy);
  const { decisions } = planCleanup(engine.catalogue, { profile: input.profile, policy, now });
  // A preset's cron is the engine's (BACKUP_*_SCHEDULE), as the schedule it previews would get it.
  const cron = input.type && input.type !== 'custom' ? engine.config.presets[input.type] : (input.cron ?? DAILY);
  validateCron(cron);
  const timeZone = validateTimeZone(input.timeZone ?? systemTimeZone());
  return { policy: formatRetentionPolicy(policy), existing: decisions, simulated: simulateSchedule(policy, { start: now, days: 365, cron, timeZone }) };
}
