// What makes the scheduler tick in a long-running process (the daemon, the Electron main process):
// node-cron every minute, plus a watchdog that notices the wall clock jumping (suspend/resume, a
// manual clock change, a time-zone change) and ticks at once instead of waiting for the next minute.
import { showControls } from '../model/terminal-text.ts';
import { nodeCronLibrary } from './cron-libraries.ts';
import type { Scheduler } from './scheduler.ts';

export interface Ticker {
  /** Call on resume from sleep (Electron's powerMonitor 'resume'). */
  resumed(): void;
  stop(): void;
}

export interface TickerOptions {
  watchdogMs?: number;
  jumpMs?: number;
  onTick?: () => void;
  /**
   * A tick that failed — e.g. the catalogue stayed locked past its busy timeout while another host
   * wrote. The next tick tries again: a long-running host must not die of it.
   */
  onError?: (error: unknown) => void;
}

export function startTicker(scheduler: Scheduler, options: TickerOptions = {}): Ticker {
  const tick = () => {
    try {
      scheduler.tick();
      options.onTick?.();
    } catch (error) {
      if (options.onError) options.onError(error);
      else process.stderr.write(`holdfast: a scheduler tick failed and will be retried: ${showControls((error as Error).message)}\n`);
    }
  };
  const task = nodeCronLibrary().schedule('* * * * *', tick);
  const watchdogMs = options.watchdogMs ?? 15_000;
  const jumpMs = options.jumpMs ?? 30_000;
  let lastWall = Date.now();
  let lastMono = performance.now();
  const watchdog = setInterval(() => {
    const wall = Date.now();
    const mono = performance.now();
    if (Math.abs(wall - lastWall - (mono - lastMono)) > jumpMs) tick();
    lastWall = wall;
    lastMono = mono;
  }, watchdogMs);
  watchdog.unref?.();
  // Catch up on anything that came due while Holdfast was not running.
  tick();
  return {
    resumed: tick,
    stop() {
      void task.stop();
      clearInterval(watchdog);
    },
  };
}
