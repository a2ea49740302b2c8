// A headless process that runs the schedules: the scheduler and its ticker, its heartbeat and
// credential check (heartbeat.ts), plus retention and re-verification on their crons
// (housekeeping.ts). `holdfast daemon` and `holdfast serve` both host them through here; the desktop
// app keeps its own ticker (its tray can pause backups) and shares the heartbeat and the housekeeping.
// Two hosts on one HOLDFAST_HOME are safe: each slot is claimed by one of them.
import type { ScheduleTask } from '../verify/reverify.ts';
import type { SchedulingEngine } from './engine-port.ts';
import { startHeartbeat } from './heartbeat.ts';
import { startHousekeeping } from './housekeeping.ts';
import { systemClock, type Clock } from './scheduler.ts';
import { startTicker } from './ticker.ts';

export interface SchedulingHost {
  /** Takes no new work; running backups get `graceMs`, then are cancelled (their runs end interrupted). */
  stop(graceMs: number): Promise<{ finished: number; interrupted: number }>;
}

export interface SchedulingHostOptions {
  kind: 'daemon' | 'serve';
  log: (message: string) => void;
  /** Specs inject a clock and cron tasks, so a cleanup slot comes without waiting for it. */
  clock?: Clock;
  cronTask?: ScheduleTask;
}

export function startSchedulingHost(engine: SchedulingEngine, options: SchedulingHostOptions): SchedulingHost {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const heartbeat = startHeartbeat(engine, { kind: options.kind, clock, log });
  void heartbeat.checkAll();
  const scheduler = engine.createScheduler(clock, (schedule, outcome, backup) => {
    if (outcome.status === 'completed') log(`backup of ${schedule.profile} completed: ${backup?.filename}`);
    else log(`backup of ${schedule.profile} ${outcome.status}: ${outcome.error}`);
  });
  // Ticks at once: anything that came due while nothing ran starts now, as a catch-up.
  const ticker = startTicker(scheduler, {
    onTick: () => heartbeat.ticked(),
    onError: (error) => log(`a scheduler tick failed; the next one tries again: ${(error as Error).message}`),
  });
  const housekeeping = startHousekeeping(engine, { log, clock, ...(options.cronTask ? { schedule: options.cronTask } : {}) });
  return {
    async stop(graceMs) {
      ticker.stop();
      const [stopped] = await Promise.all([scheduler.stop(graceMs), housekeeping.stop()]);
      await heartbeat.stop();
      return stopped;
    },
  };
}
