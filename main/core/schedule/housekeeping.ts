// What every long-running host runs besides the backups themselves: retention on
// BACKUP_CLEANUP_SCHEDULE (default 05:00 daily) and the re-verification of stored backups on
// HOLDFAST_VERIFY_SCHEDULE, both in the system's zone. The daemon and the desktop app start it the
// same way (the desktop app used to schedule no cleanup at all, so a DBA who lived in the tray filled
// the disk). A cleanup still running when its next slot comes skips that slot.
import { plural } from '../model/human.ts';
import type { SchedulingEngine } from './engine-port.ts';
import { systemClock, type Clock } from './scheduler.ts';
import { scheduleReverify, type ScheduleTask } from '../verify/reverify.ts';
import { nodeCronLibrary } from './cron-libraries.ts';

export interface Housekeeping {
  readonly cleanupCron: string;
  readonly verifyCron: string | null;
  /** Stops both schedules and waits for a run in progress. */
  stop(): Promise<void>;
}

const cronTask: ScheduleTask = (expression, run) => nodeCronLibrary().schedule(expression, run);

export function startHousekeeping(engine: SchedulingEngine, options: { log: (message: string) => void; schedule?: ScheduleTask; clock?: Clock }): Housekeeping {
  const schedule = options.schedule ?? cronTask;
  const clock = options.clock ?? systemClock;
  // Checked when the configuration was read (config.ts), like every other setting.
  const cleanup = engine.config.cleanupSchedule;
  let cleaning: Promise<void> | undefined;
  const cleanupTask = schedule(cleanup, () => {
    if (cleaning) {
      options.log('cleanup: the previous run is still going; this slot is skipped');
      return;
    }
    cleaning = engine
      .cleanup({ dryRun: false }, clock.now())
      .then((summary) => options.log(`cleanup: deleted ${plural(summary.deleted, 'backup')}, ${plural(summary.errors, 'error')}`))
      .catch((error: unknown) => options.log(`cleanup failed: ${(error as Error).message}`))
      .finally(() => {
        cleaning = undefined;
      });
  });
  const verifyCron = engine.config.verifySchedule;
  const reverify = verifyCron ? scheduleReverify(engine, verifyCron, { log: options.log, schedule }) : undefined;
  options.log(`retention runs on "${cleanup}"; ${verifyCron ? `stored backups are re-verified on "${verifyCron}"` : 'scheduled re-verification is off (HOLDFAST_VERIFY_SCHEDULE=off)'}`);
  return {
    cleanupCron: cleanup,
    verifyCron,
    async stop() {
      cleanupTask.stop();
      await Promise.all([cleaning, reverify?.stop()]);
    },
  };
}
