// What the desktop app adds around the engine: the scheduler ticking in the main process (unless the
// user paused it from the tray), the tray's state, "Back up now", and a notification when a backup
// fails. What is running and what to say come from the engine's events, whoever started the work
// (the window, the tray, a schedule). No Electron here: main.ts passes in the notification and tray
// callbacks, so the spec drives this class against a real catalogue.
import type { Envelope } from '../contract.ts';
import type { EmittedEvent, EngineEvent } from '../core/events/events.ts';
import type { Holdfast } from '../core/holdfast.ts';
import { toErrorInfo } from '../core/model/errors.ts';
import { humanBytes } from '../core/model/human.ts';
import { startHeartbeat, type Heartbeat } from '../core/schedule/heartbeat.ts';
import { systemClock, type Clock, type Scheduler } from '../core/schedule/scheduler.ts';
import { startTicker, type Ticker, type TickerOptions } from '../core/schedule/ticker.ts';
import type { BackupMetadata } from '../core/model/types.ts';
import { startHousekeeping, type Housekeeping } from '../core/schedule/housekeeping.ts';
import type { ScheduleTask } from '../core/verify/reverify.ts';
import type { SettingsStore } from './desktop-settings.ts';
import type { LoginItem } from './login-item.ts';
import { settleWithin } from './settle.ts';
import { redrawsTray, runningAfter, trayState, type RunningBackups, type TrayState } from './tray-model.ts';

export interface Notice {
  title: string;
  body: string;
}

export interface DesktopDeps {
  holdfast: Holdfast;
  settings: SettingsStore;
  loginItem: LoginItem;
  notify(notice: Notice): void;
  /** Called with every new tray state. */
  onState(state: TrayState): void;
  startTicker?: (scheduler: Scheduler, options: TickerOptions & { onTick: () => void }) => Ticker;
  /** The cron task retention and re-verification run on (node-cron's by default). */
  cronTask?: ScheduleTask;
  clock?: Clock;
  log?(message: string): void;
}

const MAX_BODY = 240;

export function failureNotice(profile: string, error: string, kind: 'scheduled' | 'manual'): Notice {
  const body = error.length > MAX_BODY ? `${error.slice(0, MAX_BODY - 1)}…` : error;
  return { title: `Holdfast: ${kind === 'scheduled' ? 'scheduled ' : ''}backup of ${profile} failed`, body };
}

/**
 * The notice an engine event calls for: a backup started from the tray ends with one either way (the
 * window may be hidden); a scheduled backup, or its restore drill, that fails raises one. Backups
 * from the window say how they went in the window.
 */
export function noticeFor(event: EngineEvent): Notice | undefined {
  switch (event.kind) {
    case 'backup.completed':
      return event.trigger.kind === 'tray' ? { title: `Holdfast: backup of ${event.profile} completed`, body: `${event.backup.filename} (${humanBytes(event.backup.size)})` } : undefined;
    case 'backup.failed':
      if (event.trigger.kind === 'schedule') return failureNotice(event.profile, event.error.message, 'scheduled');
      return event.trigger.kind === 'tray' ? failureNotice(event.profile, event.error.message, 'manual') : undefined;
    case 'schedule.drillFailed':
      return failureNotice(event.profile, event.message, 'scheduled');
    default:
      return undefined;
  }
}

export class Desktop {
  readonly scheduler: Scheduler;
  private ticker: Ticker | undefined;
  private paused = false;
  private stopping = false;
  /** Backups running in this process (window, tray, schedule), from the engine's events. */
  private running: RunningBackups = new Map();
  private readonly unsubscribe: () => void;
  private readonly manualRuns = new Map<AbortController, Promise<unknown>>();
  private readonly startTickerFn: NonNullable<DesktopDeps['startTicker']>;
  /**
   * Retention (BACKUP_CLEANUP_SCHEDULE) and re-verification (HOLDFAST_VERIFY_SCHEDULE). "Pause
   * schedules" pauses backups only: these keep running, or the disk would fill while paused.
   */
  private housekeeping: Housekeeping | undefined;
  /** Says in the catalogue that this app runs the schedules; only while it ticks (a paused app runs none). */
  private heartbeat: Heartbeat | undefined;

  private constructor(private readonly deps: DesktopDeps) {
    this.startTickerFn = deps.startTicker ?? ((scheduler, options) => startTicker(scheduler, options));
    this.scheduler = deps.holdfast.createScheduler(deps.clock);
    this.unsubscribe = deps.holdfast.events.subscribe({ name: 'desktop', handle: (event) => this.onEngineEvent(event) });
  }

  private onEngineEvent(event: EmittedEvent): void {
    this.running = runningAfter(this.running, event);
    const notice = noticeFor(event);
    // Backups cancelled because the app is quitting end as failed (interrupted); no alarm for those.
    if (notice && !(this.stopping && event.kind !== 'backup.completed')) this.deps.notify(notice);
    if (redrawsTray(event)) this.refresh();
  }

  /** Builds the desktop around an open engine and starts ticking unless the tray's pause is on. */
  static async start(deps: DesktopDeps): Promise<Desktop> {
    const desktop = new Desktop(deps);
    desktop.housekeeping = startHousekeeping(deps.holdfast, {
      log: (message) => deps.log?.(message),
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.cronTask ? { schedule: deps.cronTask } : {}),
    });
    desktop.paused = (await deps.settings.load()).schedulesPaused;
    if (!desktop.paused) desktop.startTicking();
    desktop.refresh();
    return desktop;
  }

  get schedulesPaused(): boolean {
    return this.paused;
  }

  get ticking(): boolean {
    return this.ticker !== undefined;
  }

  private startTicking(): void {
    // startTicker ticks at once: anything that came due while paused runs once, as a catch-up.
    if (!this.heartbeat) {
      const log = (message: string) => (this.deps.log ? this.deps.log(message) : this.deps.holdfast.logger.log('info', `desktop: ${message}`));
      this.heartbeat = startHeartbeat(this.deps.holdfast, { kind: 'desktop', clock: this.deps.clock ?? systemClock, log });
      void this.heartbeat.checkAll();
    }
    this.ticker ??= this.startTickerFn(this.scheduler, {
      onTick: () => {
        this.heartbeat?.ticked();
        this.refresh();
      },
      onError: (error) => this.deps.holdfast.logger.log('error', 'a scheduler tick failed; the next one tries again', { error: (error as Error).message }),
    });
  }

  state(): TrayState {
    const { holdfast } = this.deps;
    const profiles = holdfast.listProfiles().map((profile) => profile.name);
    // Backups in other processes (the CLI, the daemon) are seen in the catalogue.
    const busyProfiles = profiles.filter((profile) => this.running.has(profile) || holdfast.isProfileBusy(profile));
    let startAtLogin = false;
    try {
      startAtLogin = this.deps.loginItem.isEnabled();
    } catch (error) {
      this.deps.log?.(`could not read the login item: ${(error as Error).message}`);
    }
    return trayState({ profiles, busyProfiles, runs: holdfast.catalogue.listRuns({ kind: 'backup' }), schedulesPaused: this.paused, startAtLogin });
  }

  refresh(): void {
    try {
      this.deps.onState(this.state());
    } catch (error) {
      this.deps.log?.(`could not refresh the tray: ${(error as Error).message}`);
    }
  }

  /** "Back up now ▸ <profile>": the window may be hidden, so its end is a notice either way (noticeFor). */
  async backupNow(profile: string): Promise<Envelope<BackupMetadata>> {
    const controller = new AbortController();
    const running = this.deps.holdfast.backup(profile, {}, { signal: controller.signal, trigger: { kind: 'tray' } }).then(
      (value): Envelope<BackupMetadata> => ({ ok: true, value }),
      (error: unknown): Envelope<BackupMetadata> => ({ ok: false, error: toErrorInfo(error) }),
    );
    this.manualRuns.set(controller, running);
    try {
      return await running;
    } finally {
      this.manualRuns.delete(controller);
    }
  }

  async setSchedulesPaused(paused: boolean): Promise<void> {
    this.paused = paused;
    if (paused) {
      this.ticker?.stop();
      this.ticker = undefined;
      await this.stopHeartbeat();
    } else if (!this.stopping) {
      this.startTicking();
    }
    try {
      await this.deps.settings.save({ schedulesPaused: paused });
    } catch (error) {
      this.deps.log?.(`could not remember the schedules' pause: ${(error as Error).message}`);
    }
    this.refresh();
  }

  setStartAtLogin(enabled: boolean): void {
    try {
      this.deps.loginItem.setEnabled(enabled);
    } catch (error) {
      this.deps.notify({ title: 'Holdfast: could not change "Start at login"', body: (error as Error).message });
    }
    this.refresh();
  }

  /** powerMonitor 'resume': slots missed while asleep run now (once), not at the next minute. */
  resumed(): void {
    this.ticker?.resumed();
  }

  /** On quit: no new scheduled work; running backups get `graceMs` to finish, then are cancelled. */
  async stop(graceMs: number): Promise<{ finished: number; interrupted: number }> {
    this.stopping = true;
    this.ticker?.stop();
    this.ticker = undefined;
    const manual = [...this.manualRuns];
    const [stopped] = await Promise.all([
      this.scheduler.stop(graceMs),
      settleWithin(
        manual.map(([, running]) => running),
        graceMs,
        () => manual.forEach(([controller]) => controller.abort()),
      ),
      // A re-verification in progress stops after the backup it is reading.
      this.housekeeping?.stop(),
    ]);
    await this.stopHeartbeat();
    this.unsubscribe();
    return stopped;
  }

  private async stopHeartbeat(): Promise<void> {
    const heartbeat = this.heartbeat;
    this.heartbeat = undefined;
    await heartbeat?.stop();
  }
}
