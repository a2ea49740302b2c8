// Sends each notification to every configured channel (channels/), filtered by HOLDFAST_NOTIFY_ON.
// It never rejects: one outcome per target, delivered or not, and a bug in a channel is logged, not
// thrown, so a notification can never turn a good backup into a failed one.
import type { Logger } from '../log/log.ts';
import { HoldfastError } from '../model/errors.ts';
import type { NotifyTarget } from './channel.ts';
import { NOTIFY_CHANNELS, type ChannelId } from './channels/index.ts';
import { deliver, errorText, type DeliveryOptions, type NotifyOutcome } from './delivery.ts';
import { isFailureEvent, type NotifyEvent } from './message.ts';

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

  /** Never rejects: one outcome per configured target, or none when `on` filters the event out. */
  async notify(event: NotifyEvent): Promise<NotifyOutcome[]> {
    try {
      if (!this.wants(event)) return [];
      return await Promise.all(this.settings.targets.map((target) => deliver(target, () => target.send(event, this.options.timeoutMs), this.options)));
    } catch (error) {
      // Only a bug (say, an event that cannot be serialised) gets here; still not the caller's problem.
      this.options.log('error', 'Notification could not be prepared', { event: safeKind(event), error: errorText(error, []) });
      return [];
    }
  }

  private wants(event: NotifyEvent): boolean {
    if (this.settings.on === 'none') return false;
    return this.settings.on === 'failures' ? isFailureEvent(event) : true;
  }
}

function safeKind(event: unknown): string {
  return event && typeof event === 'object' && 'kind' in event ? String((event as { kind: unknown }).kind) : 'unknown';
}

/** The notifier an engine sends with: what it has to say goes to the file log, and any trouble to stderr too. */
export function engineNotifier(env: NodeJS.ProcessEnv, logger: Logger): Notifier {
  return new Notifier(notifySettingsFromEnv(env), {
    log: (level, message, detail) => {
      logger.log(level, `notification: ${message}`, detail);
      if (level !== 'info') process.stderr.write(`holdfast: notification ${level}: ${message}\n`);
    },
  });
}
