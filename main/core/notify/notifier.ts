// Sends each notification to every configured channel (channels/), filtered by HOLDFAST_NOTIFY_ON.
// It never rejects: one outcome per target, delivered or not, and a bug in a channel is logged, not
// thrown, so a notification can never turn a good backup into a failed one.
import type { Logger } from '../log/log.ts';
import { HoldfastError } from '../model/errors.ts';
import type { AppChannels, AppTarget, NotifyTopic } from './app-channels.ts';
import type { NotifyTarget } from './channel.ts';
import { NOTIFY_CHANNELS, type ChannelId } from './channels/index.ts';
import { deliver, errorText, type DeliveryOptions, type NotifyOutcome } from './delivery.ts';
import { isFailureEvent, type NotifyEvent } from './message.ts';
import { showControls } from '../model/terminal-text.ts';

export type { NotifyEvent } from './message.ts';
export type { NotifyLog, NotifyOutcome } from './delivery.ts';
export { isFailureEvent } from './message.ts';

export type NotifyOn = 'all' | 'failures' | 'none';

export interface NotifySettings {
  targets: NotifyTarget[];
  on: NotifyOn;
}

export type NotifierOptions = Partial<DeliveryOptions>;

const NOTIFY_ON = ['all', 'failures', 'none'] as const;

/** Each channel's variables, and HOLDFAST_NOTIFY_ON (default: all when any target is set, else none). */
export function notifySettingsFromEnv(env: NodeJS.ProcessEnv): NotifySettings {
  const targets = NOTIFY_CHANNELS.map((channel) => channel.fromEnv(env)).filter((target) => target !== undefined);
  const rawOn = env.HOLDFAST_NOTIFY_ON?.trim();
  if (rawOn === undefined || rawOn === '') return { targets, on: targets.length ? 'all' : 'none' };
  if (!(NOTIFY_ON as readonly string[]).includes(rawOn)) {
    throw new HoldfastError(
      'BAD_INPUT',
      `Environment variable HOLDFAST_NOTIFY_ON=${JSON.stringify(rawOn)} is not valid: expected all, failures or none.`,
      'Set HOLDFAST_NOTIFY_ON to all, failures or none, or unset it.',
    );
  }
  return { targets, on: rawOn as NotifyOn };
}

/** Which channels are configured, for the settings page: whether, never where (the URL is the secret). */
export function configuredChannels(settings: NotifySettings): Record<ChannelId, boolean> {
  const configured = new Set(settings.targets.map((target) => target.channel));
  return Object.fromEntries(NOTIFY_CHANNELS.map((channel) => [channel.id, configured.has(channel.id)])) as Record<ChannelId, boolean>;
}

export class Notifier {
  private readonly options: DeliveryOptions;

  constructor(
    private readonly settings: NotifySettings,
    options: NotifierOptions = {},
    /** The channels added in the app (app-channels.ts), read at each notice so an added one is used at once. */
    private readonly appTargets: () => Promise<AppTarget[]> = async () => [],
  ) {
    const log = options.log;
    this.options = {
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? 4)),
      baseDelayMs: Math.max(0, options.baseDelayMs ?? 1000),
      timeoutMs: Math.max(1, options.timeoutMs ?? 10_000),
      log: (level, message, detail) => {
        try {
          log?.(level, message, detail);
        } catch {
          // A broken logger must not make notify() reject.
        }
      },
    };
  }

  /**
   * Never rejects: one outcome per target that wants the event — the environment's filtered by `on`,
   * each app channel by its own choice of events (the topic says what the notice is about).
   */
  async notify(event: NotifyEvent, topic: NotifyTopic = topicOf(event)): Promise<NotifyOutcome[]> {
    try {
      const fromEnv = this.wants(event) ? this.settings.targets : [];
      const fromApp = (await this.appTargets()).filter((app) => app.wants(event, topic));
      return await Promise.all([...fromEnv.map((target) => this.deliver(target, event)), ...fromApp.map((app) => this.deliverRecorded(app, event, this.options))]);
    } catch (error) {
      // Only a bug (say, an event that cannot be serialised) gets here; still not the caller's problem.
      this.options.log('error', 'Notification could not be prepared', { event: safeKind(event), error: errorText(error, []) });
      return [];
    }
  }

  /** "Send test": one attempt, so the page answers within the timeout; the result is the channel's last delivery. */
  sendTest(app: AppTarget, requestedBy: string): Promise<NotifyOutcome> {
    const event: NotifyEvent = { kind: 'notification.test', channel: app.target.channel, requestedBy, at: new Date().toISOString() };
    return this.deliverRecorded(app, event, { ...this.options, maxAttempts: 1 });
  }

  private deliver(target: NotifyTarget, event: NotifyEvent, options: DeliveryOptions = this.options): Promise<NotifyOutcome> {
    return deliver(target, () => target.send(event, options.timeoutMs), options);
  }

  private async deliverRecorded(app: AppTarget, event: NotifyEvent, options: DeliveryOptions): Promise<NotifyOutcome> {
    const outcome = await this.deliver(app.target, event, options);
    try {
      app.record(outcome);
    } catch (error) {
      options.log('warn', 'The delivery result could not be recorded', { target: app.target.channel, error: errorText(error, []) });
    }
    return outcome;
  }

  private wants(event: NotifyEvent): boolean {
    if (this.settings.on === 'none') return false;
    return this.settings.on === 'failures' ? isFailureEvent(event) : true;
  }
}

/** What a notice is about when its sender does not say (a copy's or a drill's failure travels as a backup.failed). */
function topicOf(event: NotifyEvent): NotifyTopic {
  if (event.kind === 'notification.test') return 'test';
  if (event.kind === 'drill.cleanupFailed') return 'drill';
  if (event.kind === 'cleanup.completed') return 'cleanup';
  return event.kind.startsWith('restore.') ? 'restore' : 'backup';
}

function safeKind(event: unknown): string {
  return event && typeof event === 'object' && 'kind' in event ? String((event as { kind: unknown }).kind) : 'unknown';
}

/** The notifier an engine sends with: what it has to say goes to the file log, and any trouble to stderr too. */
export function engineNotifier(env: NodeJS.ProcessEnv, logger: Logger, appChannels?: Pick<AppChannels, 'targets'>): Notifier {
  return new Notifier(
    notifySettingsFromEnv(env),
    {
      log: (level, message, detail) => {
        logger.log(level, `notification: ${message}`, detail);
        // The message carries what a webhook or mail server answered: shown, never obeyed, by the terminal.
        if (level !== 'info') process.stderr.write(showControls(`holdfast: notification ${level}: ${message}\n`));
      },
    },
    appChannels ? () => appChannels.targets() : undefined,
  );
}
