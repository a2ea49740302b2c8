// The scheduler decides what is due from the stored next-run times and an injected clock, so it
// behaves the same after a sleep, a reboot, a week offline or a time-zone change:
// - a slot that passed while nothing ran is run once, as a catch-up (not once per missed slot);
// - one backup per profile at a time (a profile busy in any Holdfast process waits for the next tick);
// - at most `concurrency` backups at once; the rest stay due and start on a later tick.
// node-cron only drives the ticks (see ticker.ts); everything here is testable without waiting.
import type { BackupOptions } from '../backup/options.ts';
import { nextRunAfter } from './cron.ts';
import type { Schedule, ScheduleStore } from './schedule-store.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A slot started this much after its due time counts as a catch-up. */
export const CATCH_UP_AFTER_MS = 90_000;

export type ScheduledOutcome = { status: 'completed' } | { status: 'failed' | 'interrupted'; error: string };

export interface SchedulerDeps {
  store: ScheduleStore;
  clock: Clock;
  concurrency: number;
  /** Runs one backup; must not throw (errors come back as values). */
  runBackup(schedule: Schedule, options: BackupOptions, context: { catchUp: boolean; signal: AbortSignal }): Promise<ScheduledOutcome>;
  /** True when a backup of the profile is running in this or another Holdfast process. */
  isProfileBusy(profile: string): boolean;
  /** Each tick: copies whose automatic retry is due are uploaded again (one pass at a time; must not throw). */
  retryCopies?: (now: Date) => Promise<unknown>;
  log?: (message: string, detail?: Record<string, unknown>) => void;
}

export interface StartedRun {
  scheduleId: string;
  profile: string;
  catchUp: boolean;
  dueAt: string;
}

interface Running {
  profile: string;
  controller: AbortController;
  done: Promise<void>;
}

export class Scheduler {
  private readonly running = new Map<string, Running>();
  private accepting = true;
  private retrying: Promise<void> | undefined;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Starts every due schedule it may; does not wait for the backups to finish. */
  tick(): StartedRun[] {
    if (!this.accepting) return [];
    const now = this.deps.clock.now();
    const started: StartedRun[] = [];
    this.retryCopies(now);
    const due = this.deps.store.list().filter((s) => s.enabled && Date.parse(s.nextRun) <= now.getTime());
    for (const schedule of due) {
      if (this.running.size >= this.deps.concurrency) break;
      if (this.running.has(schedule.id) || this.busy(schedule.profile)) continue;
      const catchUp = now.getTime() - Date.parse(schedule.nextRun) > CATCH_UP_AFTER_MS;
      // Strictly after now: every slot that passed is covered by this one run.
      const next = nextRunAfter(schedule.cron, schedule.timeZone, now);
      // Claimed only if no other process claimed this slot first (the desktop app and a daemon may both tick).
      if (!this.deps.store.markStarted(schedule.id, schedule.nextRun, now, next, catchUp)) continue;
      const controller = new AbortController();
      const done = this.deps
        .runBackup(schedule, schedule.options, { catchUp, signal: controller.signal })
        .catch((error: unknown): ScheduledOutcome => ({ status: 'failed', error: (error as Error).message }))
        .then((outcome) => {
          try {
            this.deps.store.markFinished(schedule.id, outcome.status, outcome.status === 'completed' ? undefined : outcome.error);
          } catch (error) {
            // The run itself is recorded by the backup; a busy catalogue must not crash the process.
            this.deps.log?.(`could not record the outcome on schedule ${schedule.id}: ${(error as Error).message}`);
          }
          this.deps.log?.(`scheduled backup of ${schedule.profile} ${outcome.status}`, { scheduleId: schedule.id, catchUp });
        })
        .finally(() => this.running.delete(schedule.id));
      this.running.set(schedule.id, { profile: schedule.profile, controller, done });
      started.push({ scheduleId: schedule.id, profile: schedule.profile, catchUp, dueAt: schedule.nextRun });
    }
    return started;
  }

  /** A pass over the due copy retries, unless the last one is still uploading. */
  private retryCopies(now: Date): void {
    if (!this.deps.retryCopies || this.retrying) return;
    this.retrying = this.deps
      .retryCopies(now)
      .then(
        () => undefined,
        (error: unknown) => this.deps.log?.(`retrying copies failed; the next tick tries again: ${(error as Error).message}`),
      )
      .finally(() => (this.retrying = undefined));
  }

  private busy(profile: string): boolean {
    for (const run of this.running.values()) if (run.profile === profile) return true;
    return this.deps.isProfileBusy(profile);
  }

  runningProfiles(): string[] {
    return [...this.running.values()].map((run) => run.profile);
  }

  /** Resolves when every backup this scheduler started has finished. */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0 || this.retrying) await Promise.all([...[...this.running.values()].map((run) => run.done), this.retrying]);
  }

  /**
   * Stops taking work; lets running backups finish within `graceMs`, then cancels the rest (their
   * runs end interrupted and their temp files are removed by the backup itself).
   */
  async stop(graceMs: number): Promise<{ finished: number; interrupted: number }> {
    this.accepting = false;
    const runs = [...this.running.values()];
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const result = await Promise.race([Promise.all(runs.map((run) => run.done)).then(() => 'done' as const), graceOver]);
    clearTimeout(timer);
    if (result === 'done') return { finished: runs.length, interrupted: 0 };
    const left = [...this.running.values()];
    for (const run of left) run.controller.abort();
    await Promise.all(left.map((run) => run.done));
    return { finished: runs.length - left.length, interrupted: left.length };
  }
}
