// Backup schedules as the engine offers them: added from a preset or a cron line, listed with a
// description in words, paused and resumed, removed; each change told as an event (audited).
import { BackupOptionsSchema, type BackupOptions } from '../backup/options.ts';
import type { Catalogue } from '../catalogue/catalogue.ts';
import type { HoldfastConfig } from '../config/config.ts';
import type { EventBus } from '../events/bus.ts';
import { retentionPolicyFor } from '../retention/operations.ts';
import { refuseNoLocalCopy } from '../backup/offsite-only.ts';
import { describeCron, nextRunAfter, systemTimeZone, validateCron, validateTimeZone, type ScheduleType } from './cron.ts';
import type { Schedule, ScheduleStore } from './schedule-store.ts';

export interface ScheduleEngine {
  catalogue: Catalogue;
  schedules: ScheduleStore;
  config: Pick<HoldfastConfig, 'env' | 'retentionDays' | 'presets'>;
  events: Pick<EventBus, 'emit'>;
}

export interface ScheduleRequest {
  profile: string;
  type: ScheduleType;
  /** Required for type custom; the presets come from BACKUP_*_SCHEDULE. */
  cron?: string | undefined;
  timeZone?: string | undefined;
  options?: Partial<BackupOptions> | undefined;
  retention?: string | undefined;
  /** Run a restore drill after each backup. */
  testRestore?: boolean | undefined;
}

/** A schedule as listed: the specification's fields plus a description in words. */
export interface ScheduleView {
  id: string;
  profile: string;
  type: ScheduleType;
  schedule: string;
  description: string;
  timeZone: string;
  enabled: boolean;
  lastRun: string | null;
  nextRun: string | null;
  status: string;
  lastError: string | null;
  catchUp: boolean;
  options: BackupOptions;
  retention: string | null;
  testRestore: boolean;
}

function scheduleView(schedule: Schedule): ScheduleView {
  return {
    id: schedule.id,
    profile: schedule.profile,
    type: schedule.type,
    schedule: schedule.cron,
    description: describeCron(schedule.cron),
    timeZone: schedule.timeZone,
    enabled: schedule.enabled,
    lastRun: schedule.lastRun,
    nextRun: schedule.enabled ? schedule.nextRun : null,
    status: schedule.enabled ? (schedule.lastStatus ?? 'scheduled') : 'paused',
    lastError: schedule.lastError,
    catchUp: schedule.lastCatchUp,
    options: schedule.options,
    retention: schedule.retention,
    testRestore: schedule.testRestore,
  };
}

export function addSchedule(engine: ScheduleEngine, input: ScheduleRequest, now: Date): ScheduleView {
  const profile = engine.catalogue.requireProfile(input.profile);
  const cron = input.type === 'custom' ? (input.cron ?? '') : engine.config.presets[input.type];
  validateCron(cron);
  const timeZone = validateTimeZone(input.timeZone ?? systemTimeZone());
  if (input.retention !== undefined) retentionPolicyFor(engine, input.profile, input.retention);
  // The kind names the file, as in the specification ("…-daily.sql.gz").
  const options = BackupOptionsSchema.parse({ ...input.options, suffix: input.options?.suffix ?? (input.type === 'custom' ? 'scheduled' : input.type) });
  // Its backups go where the profile's do (a schedule has no list of its own yet): refused now, not at 2 a.m.
  if (options.noLocalCopy) refuseNoLocalCopy(options, profile.copyTo ?? []);
  const schedule = engine.schedules.add(
    {
      profile: input.profile,
      type: input.type,
      cron,
      timeZone,
      options,
      retention: input.retention ?? null,
      testRestore: input.testRestore ?? false,
      nextRun: nextRunAfter(cron, timeZone, now).toISOString(),
    },
    now,
  );
  void engine.events.emit({ kind: 'schedule.added', schedule });
  return scheduleView(schedule);
}

/** What an edit may change; left out, a field keeps its value. A new type or cron moves the next run to the new slot. */
export type ScheduleChanges = Partial<Omit<ScheduleRequest, 'profile' | 'retention'>> & { retention?: string | null | undefined };

export function editSchedule(engine: ScheduleEngine, id: string, changes: ScheduleChanges, now: Date): ScheduleView {
  const current = engine.schedules.require(id);
  const type = changes.type ?? current.type;
  const cron = type === 'custom' ? (changes.cron ?? current.cron) : engine.config.presets[type];
  validateCron(cron);
  const timeZone = validateTimeZone(changes.timeZone ?? current.timeZone);
  const retention = changes.retention === undefined ? current.retention : changes.retention;
  if (retention !== null) retentionPolicyFor(engine, current.profile, retention);
  // Left out, the suffix and who the backups are encrypted to stay: an edit of the format must not drop
  // an encryption choice (only a super-admin may change it under holdfast serve: serve/auth.ts).
  const options = changes.options
    ? BackupOptionsSchema.parse({
        ...changes.options,
        suffix: changes.options.suffix ?? current.options.suffix,
        encryptTo: changes.options.encryptTo ?? current.options.encryptTo,
        noLocalCopy: changes.options.noLocalCopy ?? current.options.noLocalCopy,
      })
    : current.options;
  if (options.noLocalCopy) refuseNoLocalCopy(options, engine.catalogue.requireProfile(current.profile).copyTo ?? []);
  const moved = cron !== current.cron || timeZone !== current.timeZone;
  const schedule = engine.schedules.update(id, {
    type,
    cron,
    timeZone,
    options,
    retention,
    testRestore: changes.testRestore ?? current.testRestore,
    nextRun: moved ? nextRunAfter(cron, timeZone, now).toISOString() : current.nextRun,
  });
  void engine.events.emit({ kind: 'schedule.edited', schedule });
  return scheduleView(schedule);
}

export function listSchedules(engine: Pick<ScheduleEngine, 'schedules'>, profile?: string): ScheduleView[] {
  return engine.schedules.list(profile ? { profile } : {}).map(scheduleView);
}

export function setScheduleEnabled(engine: ScheduleEngine, id: string, enabled: boolean, now: Date): ScheduleView {
  const current = engine.schedules.require(id);
  // Resuming starts from the next slot; slots that passed while paused are not caught up.
  const next = enabled && !current.enabled ? nextRunAfter(current.cron, current.timeZone, now).toISOString() : undefined;
  const schedule = engine.schedules.setEnabled(id, enabled, next);
  void engine.events.emit({ kind: 'schedule.enabled', id, enabled });
  return scheduleView(schedule);
}

export function removeSchedule(engine: ScheduleEngine, id: string): { removed: string } {
  engine.schedules.remove(id);
  void engine.events.emit({ kind: 'schedule.removed', id });
  return { removed: id };
}

/** The shortest interval among the profile's active schedules, plus an hour for a slow run: when health calls a backup overdue. */
export function expectedIntervalHours(schedules: ScheduleStore, profile: string, now: Date): number | undefined {
  const intervals = schedules
    .list({ profile })
    .filter((s) => s.enabled)
    .map((s) => {
      const first = nextRunAfter(s.cron, s.timeZone, now);
      return (nextRunAfter(s.cron, s.timeZone, first).getTime() - first.getTime()) / 3_600_000;
    });
  return intervals.length ? Math.min(...intervals) + 1 : undefined;
}
