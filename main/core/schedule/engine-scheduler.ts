// The scheduler over the engine: each due schedule takes a backup, then the restore drill it asks
// for. The backup stands either way; a failed drill is the schedule's failed outcome and its own event.
import type { BackupOptions } from '../backup/options.ts';
import type { RestoreTestResult } from '../drill/test-restore.ts';
import type { EventBus } from '../events/bus.ts';
import type { BackupTrigger } from '../events/events.ts';
import { toErrorInfo } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import { DATABASE_NOT_RECORDED } from '../model/unknown-database.ts';
import type { BackupSet } from '../sets/set-record.ts';
import type { Schedule, ScheduleStore } from './schedule-store.ts';
import { setSlotOutcome, type SetSlotEngine } from './set-slot.ts';
import { Scheduler, systemClock, type Clock, type ScheduledOutcome } from './scheduler.ts';

export interface SchedulingEngine {
  schedules: ScheduleStore;
  config: { concurrency: number };
  events: Pick<EventBus, 'emit'>;
  isProfileBusy(profile: string): boolean;
  backup(profile: string, options: Partial<BackupOptions>, hooks: { signal?: AbortSignal; trigger?: BackupTrigger; copyTo?: readonly string[] }): Promise<BackupMetadata>;
  testRestore(ref: string, options: { signal?: AbortSignal }): Promise<RestoreTestResult>;
  /** Whole-server profiles: a due slot takes a backup set, a unit that is completed or not. */
  sets: SetSlotEngine['sets'] & {
    isWholeServer(profile: string): boolean;
    take(profile: string, options: Partial<BackupOptions>, hooks: { signal?: AbortSignal; trigger?: BackupTrigger }): Promise<BackupSet>;
  };
  /** Copies that did not count whose automatic retry time has come, uploaded again (storage/copy-auto-retry.ts). */
  retryDueCopies?(now: Date): Promise<unknown>;
}

export type OutcomeListener = (schedule: Schedule, outcome: ScheduledOutcome, backup?: BackupMetadata) => void;

export function createEngineScheduler(engine: SchedulingEngine, clock: Clock = systemClock, onOutcome?: OutcomeListener): Scheduler {
  return new Scheduler({
    store: engine.schedules,
    clock,
    concurrency: engine.config.concurrency,
    isProfileBusy: (profile) => engine.isProfileBusy(profile),
    ...(engine.retryDueCopies ? { retryCopies: engine.retryDueCopies.bind(engine) } : {}),
    runBackup: async (schedule, options, context) => {
      if (engine.sets.isWholeServer(schedule.profile)) return runSet(engine, schedule, options, context, onOutcome);
      try {
        const backup = await engine.backup(schedule.profile, options, {
          signal: context.signal,
          trigger: { kind: 'schedule', scheduleId: schedule.id, catchUp: context.catchUp },
          // Its own destinations when it names any; else the profile's (take-backup.ts).
          ...(schedule.copyTo ? { copyTo: schedule.copyTo } : {}),
        });
        if (schedule.testRestore) {
          const drill = await engine.testRestore(backup.id, { signal: context.signal });
          if (!drill.ok) {
            const outcome: ScheduledOutcome = { status: 'failed', error: `backup ${backup.filename} was taken, but its restore drill failed: ${drill.error}` };
            await engine.events.emit({ kind: 'schedule.drillFailed', scheduleId: schedule.id, profile: schedule.profile, database: backup.database ?? DATABASE_NOT_RECORDED, message: outcome.error });
            onOutcome?.(schedule, outcome, backup);
            return outcome;
          }
        }
        onOutcome?.(schedule, { status: 'completed' }, backup);
        return { status: 'completed' };
      } catch (error) {
        const info = toErrorInfo(error);
        const outcome: ScheduledOutcome = { status: info.code === 'CANCELLED' ? 'interrupted' : 'failed', error: info.message };
        onOutcome?.(schedule, outcome);
        return outcome;
      }
    },
  });
}

/** A whole-server schedule's slot: the set, then the drill it asks for (set-slot.ts). */
async function runSet(
  engine: SchedulingEngine,
  schedule: Schedule,
  options: BackupOptions,
  context: { catchUp: boolean; signal: AbortSignal },
  onOutcome?: OutcomeListener,
): Promise<ScheduledOutcome> {
  let outcome: ScheduledOutcome;
  try {
    const set = await engine.sets.take(schedule.profile, options, { signal: context.signal, trigger: { kind: 'schedule', scheduleId: schedule.id, catchUp: context.catchUp } });
    ({ outcome } = await setSlotOutcome(engine, schedule, set, context.signal));
  } catch (error) {
    const info = toErrorInfo(error);
    outcome = { status: info.code === 'CANCELLED' ? 'interrupted' : 'failed', error: info.message };
  }
  onOutcome?.(schedule, outcome);
  return outcome;
}
