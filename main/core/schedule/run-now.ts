// Run now: one schedule's backup (and the restore drill it asks for) taken at once, as the scheduler
// would take it — its profile, its options, recorded as the schedule's last run — without moving the
// next slot. The caller hears the backup's progress.
import type { BackupProgress } from '../backup/backup.ts';
import type { BackupOptions } from '../backup/options.ts';
import { HoldfastError, toErrorInfo } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import type { SchedulingEngine } from './engine-scheduler.ts';
import { setSlotOutcome } from './set-slot.ts';

export interface RunNowResult {
  scheduleId: string;
  backup: { id: string; filename: string };
  /** The drill the schedule asks for after each backup; null when it asks for none. */
  drill: { ok: boolean; error: string | null } | null;
}

type RunNowEngine = Omit<SchedulingEngine, 'backup'> & {
  backup(profile: string, options: Partial<BackupOptions>, hooks: Parameters<SchedulingEngine['backup']>[2] & { onProgress?: (progress: BackupProgress) => void }): Promise<BackupMetadata>;
};

export async function runScheduleNow(
  engine: RunNowEngine,
  id: string,
  hooks: { signal?: AbortSignal; onProgress?: (progress: BackupProgress) => void },
  now: Date = new Date(),
): Promise<RunNowResult> {
  const schedule = engine.schedules.require(id);
  if (engine.isProfileBusy(schedule.profile)) {
    throw new HoldfastError('CONFLICT', `A backup of ${schedule.profile} is running already.`, 'Wait for it to finish (the Backups page shows it), then run the schedule again.');
  }
  engine.schedules.markRunNow(id, now);
  const trigger = { kind: 'schedule' as const, scheduleId: id, catchUp: false };
  try {
    if (engine.sets.isWholeServer(schedule.profile)) {
      // A whole-server profile's schedule takes a backup set, as the scheduler does (engine-scheduler.ts).
      const set = await engine.sets.take(schedule.profile, schedule.options, { ...(hooks.signal ? { signal: hooks.signal } : {}), trigger });
      const { outcome, drill } = await setSlotOutcome(engine, schedule, set, hooks.signal);
      engine.schedules.markFinished(id, outcome.status, outcome.status === 'completed' ? undefined : outcome.error);
      return { scheduleId: id, backup: { id: set.id, filename: set.manifest?.filename ?? `backup set ${set.id}` }, drill };
    }
    const backup = await engine.backup(schedule.profile, schedule.options, {
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      ...(schedule.copyTo ? { copyTo: schedule.copyTo } : {}),
      trigger,
    });
    let drill: RunNowResult['drill'] = null;
    if (schedule.testRestore) {
      const result = await engine.testRestore(backup.id, hooks.signal ? { signal: hooks.signal } : {});
      drill = { ok: result.ok, error: result.ok ? null : (result.error ?? 'the restore drill failed') };
    }
    engine.schedules.markFinished(
      id,
      drill && !drill.ok ? 'failed' : 'completed',
      drill && !drill.ok ? `backup ${backup.filename} was taken, but its restore drill failed: ${drill.error}` : undefined,
    );
    return { scheduleId: id, backup: { id: backup.id, filename: backup.filename }, drill };
  } catch (error) {
    const info = toErrorInfo(error);
    engine.schedules.markFinished(id, info.code === 'CANCELLED' ? 'interrupted' : 'failed', info.message);
    throw error;
  }
}
