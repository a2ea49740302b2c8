// A headless process that runs the schedules: the scheduler and its ticker, plus retention and
// re-verification on their crons (housekeeping.ts). `holdfast daemon` and `holdfast serve` both host
// them through here; the desktop app keeps its own ticker (its tray can pause backups) and shares the
// housekeeping. Two hosts on one HOLDFAST_HOME are safe: each slot is claimed by one of them.
import type { Holdfast } from '../holdfast.ts';
import { startHousekeeping } from './housekeeping.ts';
import { startTicker } from './ticker.ts';

export interface SchedulingHost {
  /** Takes no new work; running backups get `graceMs`, then are cancelled (their runs end interrupted). */
  stop(graceMs: number): Promise<{ finished: number; interrupted: number }>;
}

export function startSchedulingHost(holdfast: Holdfast, options: { log: (message: string) => void }): SchedulingHost {
  const { log } = options;
  const scheduler = holdfast.createScheduler(undefined, (schedule, outcome, backup) => {
    if (outcome.status === 'completed') log(`backup of ${schedule.profile} completed: ${backup?.filename}`);
    else log(`backup of ${schedule.profile} ${outcome.status}: ${outcome.error}`);
  });
  // Ticks at once: anything that came due while nothing ran starts now, as a catch-up.
  const ticker = startTicker(scheduler, { onError: (error) => log(`a scheduler tick failed; the next one tries again: ${(error as Error).message}`) });
  const housekeeping = startHousekeeping(holdfast, { log });
  return {
    async stop(graceMs) {
      ticker.stop();
      const [stopped] = await Promise.all([scheduler.stop(graceMs), housekeeping.stop()]);
      return stopped;
    },
  };
}
