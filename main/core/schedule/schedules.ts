// Backup schedules as the engine offers them: added from a preset or a cron line, listed with a
// description in words, paused and resumed, removed; each change told as an event (audited).
import { HoldfastError } from '../model/errors.ts';
import { applyOptionsPatch, BackupOptionsSchema, type BackupOptions, type BackupOptionsPatch } from '../backup/options.ts';
import type { Catalogue } from '../catalogue/catalogue.ts';
import type { HoldfastConfig } from '../config/config.ts';
import type { EventBus } from '../events/bus.ts';
import { retentionPolicyFor } from '../retention/operations.ts';
import { keepsNoLocalCopy, refuseNoLocalCopy } from '../backup/offsite-only.ts';
import type { Profile } from '../model/types.ts';
import { describeCron, nextRunAfter, systemTimeZone, validateCron, validateTimeZone, type ScheduleType } from './cron.ts';
import { scheduleDelivery, type ScheduleDelivery } from './schedule-delivery.ts';
import { scheduleOutput, type ScheduleOutput } from './schedule-output.ts';
import type { Schedule, ScheduleStore } from './schedule-store.ts';

export interface ScheduleEngine {
  catalogue: Catalogue;
  /** Destination names are checked when a schedule is saved (a typo would fail every copy at 2 a.m.). */
  offsite?: { destinations: { show(name: string): unknown } };
  schedules: ScheduleStore;
  config: Pick<HoldfastConfig, 'env' | 'retentionDays' | 'presets' | 'compressionDefault'>;
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
  /** Where its backups are copied, overriding the profile's default destinations; left out: the profile's. */
  copyTo?: string[] | undefined;
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
  /** Its own destinations; null: the profile's default ones. */
  copyTo: string[] | null;
  /** Its destinations, local copy and encryption, each its own choice or the profile's: what `schedule edit` sets. */
  delivery: ScheduleDelivery;
  /** Its backups' format and compression (its own, or the default BACKUP_COMPRESSION gives). */
  output: ScheduleOutput;
}

function scheduleView(engine: Pick<ScheduleEngine, 'config'>, schedule: Schedule): ScheduleView {
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
    copyTo: schedule.copyTo,
    delivery: scheduleDelivery(schedule),
    output: scheduleOutput(schedule.options, engine.config.compressionDefault),
  };
}

/** The destinations a schedule's backups go to must exist, and a whole-server set has none yet; --no-local-copy needs one. */
function checkDestinations(engine: ScheduleEngine, profileName: string, copyTo: string[] | null, options: BackupOptions): void {
  for (const name of copyTo ?? []) engine.offsite?.destinations.show(name);
  const profile: Profile = engine.catalogue.requireProfile(profileName);
  if (profile.wholeServer && copyTo?.length)
    throw new HoldfastError('BAD_INPUT', 'Copies of a whole-server backup set to destinations are not supported yet.', 'Leave out --copy-to for this schedule.');
  // Its backups go where it says, else where the profile's do, and keep no local copy when it says
  // so, else when the profile does (as take-backup decides): refused now, not at 2 a.m.
  if (keepsNoLocalCopy(options, profile)) refuseNoLocalCopy(options, copyTo ?? profile.copyTo ?? []);
}

export function addSchedule(engine: ScheduleEngine, input: ScheduleRequest, now: Date): ScheduleView {
  const profile = engine.catalogue.requireProfile(input.profile);
  const cron = input.type === 'custom' ? (input.cron ?? '') : engine.config.presets[input.type];
  validateCron(cron);
  const timeZone = validateTimeZone(input.timeZone ?? systemTimeZone());
  if (input.retention !== undefined) retentionPolicyFor(engine, input.profile, input.retention);
  // The kind names the file, as in the specification ("…-daily.sql.gz").
  const options = BackupOptionsSchema.parse({ ...input.options, suffix: input.options?.suffix ?? (input.type === 'custom' ? 'scheduled' : input.type) });
  const copyTo = input.copyTo === undefined ? null : [...new Set(input.copyTo)];
  checkDestinations(engine, profile.name, copyTo, options);
  const schedule = engine.schedules.add(
    {
      profile: input.profile,
      type: input.type,
      cron,
      timeZone,
      options,
      retention: input.retention ?? null,
      testRestore: input.testRestore ?? false,
      copyTo,
      nextRun: nextRunAfter(cron, timeZone, now).toISOString(),
    },
    now,
  );
  void engine.events.emit({ kind: 'schedule.added', schedule });
  return scheduleView(engine, schedule);
}

/** What an edit may change; left out, a field keeps its value. A new type or cron moves the next run to the new slot. */
export type ScheduleChanges = Partial<Omit<ScheduleRequest, 'profile' | 'retention' | 'copyTo' | 'options'>> & {
  /** Only the options given change (null clears an optional one). */
  options?: BackupOptionsPatch | undefined;
  retention?: string | null | undefined;
  copyTo?: string[] | null | undefined;
  /** Clear the schedule's own encryption choice: its backups follow the profile's, then the default. */
  inheritEncryption?: boolean | undefined;
  /** Clear the schedule's own "keep no local copy" choice: its backups follow the profile's. */
  inheritNoLocalCopy?: boolean | undefined;
};

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
  if (changes.inheritEncryption && changes.options?.encryptTo !== undefined)
    throw new HoldfastError(
      'BAD_INPUT',
      'A schedule edit either chooses who its backups are encrypted to (options.encryptTo) or clears that choice (inheritEncryption), not both.',
      'Send one of them.',
    );
  if (changes.inheritNoLocalCopy && changes.options?.noLocalCopy !== undefined)
    throw new HoldfastError(
      'BAD_INPUT',
      'A schedule edit either chooses whether its backups keep a local copy (options.noLocalCopy) or clears that choice (inheritNoLocalCopy), not both.',
      'Send one of them.',
    );
  // Cleared, a key is left out, so the profile's choice applies again (and follows later changes to it).
  const cleared: Array<keyof BackupOptions> = [...(changes.inheritEncryption ? (['encryptTo'] as const) : []), ...(changes.inheritNoLocalCopy ? (['noLocalCopy'] as const) : [])];
  const options = changes.options !== undefined || cleared.length > 0 ? applyOptionsPatch(current.options, changes.options ?? {}, cleared) : current.options;
  const copyTo = changes.copyTo === undefined ? current.copyTo : changes.copyTo === null ? null : [...new Set(changes.copyTo)];
  checkDestinations(engine, current.profile, copyTo, options);
  const moved = cron !== current.cron || timeZone !== current.timeZone;
  const schedule = engine.schedules.update(id, {
    type,
    cron,
    timeZone,
    options,
    retention,
    testRestore: changes.testRestore ?? current.testRestore,
    copyTo,
    nextRun: moved ? nextRunAfter(cron, timeZone, now).toISOString() : current.nextRun,
  });
  void engine.events.emit({ kind: 'schedule.edited', schedule });
  return scheduleView(engine, schedule);
}

export function listSchedules(engine: Pick<ScheduleEngine, 'schedules' | 'config'>, profile?: string): ScheduleView[] {
  return engine.schedules.list(profile ? { profile } : {}).map((schedule) => scheduleView(engine, schedule));
}

export function setScheduleEnabled(engine: ScheduleEngine, id: string, enabled: boolean, now: Date): ScheduleView {
  const current = engine.schedules.require(id);
  // Resuming starts from the next slot; slots that passed while paused are not caught up.
  const next = enabled && !current.enabled ? nextRunAfter(current.cron, current.timeZone, now).toISOString() : undefined;
  const schedule = engine.schedules.setEnabled(id, enabled, next);
  void engine.events.emit({ kind: 'schedule.enabled', id, enabled });
  return scheduleView(engine, schedule);
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
