// Notifications go out after the work is done, so they must never turn a good backup into a failed
// one: delivery retries what is worth retrying, gives up quietly, and reports outcomes instead of
// throwing. Webhook URLs carry their credential in the path, so they never appear in an outcome,
// an error or a log line; targets are named "Slack webhook" / "webhook" instead.
import { humanBytes, humanDuration } from '../model/human.ts';
import { HoldfastError, type ErrorInfo } from '../model/errors.ts';

export type NotifyEvent =
  | { kind: 'backup.completed'; profile: string; database: string; filename: string; size: number; durationMs: number; at: string }
  | { kind: 'backup.failed'; profile: string; database?: string; error: ErrorInfo; durationMs?: number; at: string }
  | { kind: 'restore.completed' | 'restore.failed'; profile: string; database: string; filename: string; error?: ErrorInfo; at: string }
  | { kind: 'cleanup.completed'; deleted: number; freedBytes: number; errors: number; at: string }
  /** A restore drill on a designated server could not drop its database: it is still there. */
  | { kind: 'drill.cleanupFailed'; profile: string; database: string; filename: string; error: ErrorInfo; at: string };

export interface NotifySettings {
  slackWebhook?: string;
  /** Receives `{ event: <kind>, ...fields, source: 'holdfast' }` as JSON. */
  webhookUrl?: string;
  on: 'all' | 'failures' | 'none';
}

export interface NotifyOutcome {
  target: 'slack' | 'webhook';
  ok: boolean;
  attempts: number;
  error?: string;
}

export type NotifyLog = (level: 'info' | 'warn' | 'error', message: string, detail?: Record<string, unknown>) => void;

export interface NotifierOptions {
  sleep?: (ms: number) => Promise<void>;
  maxAttempts?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
  log?: NotifyLog;
}

const NOTIFY_ON = ['all', 'failures', 'none'] as const;

/**
 * BACKUP_SLACK_WEBHOOK, HOLDFAST_WEBHOOK_URL, HOLDFAST_NOTIFY_ON. Empty values count as unset, as in
 * loadConfig. Error messages name the variable but never echo a URL, since the URL is the secret.
 */
export function notifySettingsFromEnv(env: NodeJS.ProcessEnv): NotifySettings {
  const slackWebhook = webhookFromEnv(env, 'BACKUP_SLACK_WEBHOOK');
  const webhookUrl = webhookFromEnv(env, 'HOLDFAST_WEBHOOK_URL');
  const rawOn = env.HOLDFAST_NOTIFY_ON?.trim();
  let on: NotifySettings['on'];
  if (rawOn === undefined || rawOn === '') {
    on = slackWebhook || webhookUrl ? 'all' : 'none';
  } else if ((NOTIFY_ON as readonly string[]).includes(rawOn)) {
    on = rawOn as NotifySettings['on'];
  } else {
    throw new HoldfastError(
      'BAD_INPUT',
      `Environment variable HOLDFAST_NOTIFY_ON=${JSON.stringify(rawOn)} is not valid: expected all, failures or none.`,
      'Set HOLDFAST_NOTIFY_ON to all, failures or none, or unset it.',
    );
  }
  return {
    ...(slackWebhook ? { slackWebhook } : {}),
    ...(webhookUrl ? { webhookUrl } : {}),
    on,
  };
}

function webhookFromEnv(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new HoldfastError(
      'BAD_INPUT',
      `Environment variable ${variable} is not valid: it must be an http(s) URL.`,
      `Set ${variable} to the full webhook URL (https://…), or unset it.`,
    );
  }
  return raw;
}

/** Failures, and cleanups that hit errors, are what someone must act on; that is what `failures` sends. */
export function isFailureEvent(event: NotifyEvent): boolean {
  switch (event.kind) {
    case 'backup.failed':
    case 'restore.failed':
    case 'drill.cleanupFailed':
      return true;
    case 'cleanup.completed':
      return event.errors > 0;
    default:
      return false;
  }
}

/** Above this, a Retry-After is treated as hostile or broken: waiting that long would stall the caller. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

export class Notifier {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly timeoutMs: number;
  private readonly logFn: NotifyLog | undefined;

  constructor(
    private readonly settings: NotifySettings,
    options: NotifierOptions = {},
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 4));
    this.baseDelayMs = Math.max(0, options.baseDelayMs ?? 1000);
    this.timeoutMs = Math.max(1, options.timeoutMs ?? 10_000);
    this.logFn = options.log;
  }

  /** Never rejects: one outcome per configured target, or none when `on` filters the event out. */
  async notify(event: NotifyEvent): Promise<NotifyOutcome[]> {
    try {
      if (!this.wants(event)) return [];
      const deliveries: Array<Promise<NotifyOutcome>> = [];
      if (this.settings.slackWebhook) {
        deliveries.push(this.deliver('slack', this.settings.slackWebhook, slackMessage(event)));
      }
      if (this.settings.webhookUrl) {
        deliveries.push(this.deliver('webhook', this.settings.webhookUrl, webhookBody(event)));
      }
      return await Promise.all(deliveries);
    } catch (error) {
      // Only a bug (say, an event that cannot be serialised) gets here; still not the caller's problem.
      this.log('error', 'Notification could not be prepared', { event: safeKind(event), error: errorText(error, []) });
      return [];
    }
  }

  private wants(event: NotifyEvent): boolean {
    switch (this.settings.on) {
      case 'none':
        return false;
      case 'failures':
        return isFailureEvent(event);
      default:
        return true;
    }
  }

  private async deliver(target: NotifyOutcome['target'], url: string, body: unknown): Promise<NotifyOutcome> {
    const label = target === 'slack' ? 'Slack webhook' : 'webhook';
    const secrets = [url];
    const payload = JSON.stringify(body);
    let lastError = 'not attempted';
    let attempts = 0;
    while (attempts < this.maxAttempts) {
      attempts += 1;
      let retryAfterMs: number | undefined;
      let retryable: boolean;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: payload,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        const text = await response.text().catch(() => '');
        if (response.ok) {
          this.log('info', `${label} notified`, { target, attempts });
          return { target, ok: true, attempts };
        }
        lastError = `${label} answered HTTP ${response.status}${text.trim() ? `: ${scrub(text.trim().slice(0, 200), secrets)}` : ''}`;
        // Other 4xx mean the request itself is wrong (bad payload, revoked hook): repeating it cannot help.
        retryable = response.status === 429 || response.status >= 500;
        if (response.status === 429) retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      } catch (error) {
        lastError = isTimeout(error)
          ? `${label} did not answer within ${this.timeoutMs} ms`
          : `${label} could not be reached: ${errorText(error, secrets)}`;
        retryable = true;
      }
      if (!retryable || attempts >= this.maxAttempts) break;
      const delay = retryAfterMs ?? this.baseDelayMs * 2 ** (attempts - 1);
      this.log('warn', `${lastError}; retrying in ${delay} ms`, { target, attempt: attempts, delayMs: delay });
      try {
        await this.sleep(delay);
      } catch {
        // An injected sleep that fails (say, cancelled on shutdown) ends the retries, not the caller.
        break;
      }
    }
    this.log('error', `Notification not delivered: ${lastError}`, { target, attempts });
    return { target, ok: false, attempts, error: lastError };
  }

  private log(level: 'info' | 'warn' | 'error', message: string, detail?: Record<string, unknown>): void {
    try {
      this.logFn?.(level, message, detail);
    } catch {
      // A broken logger must not make notify() reject.
    }
  }
}

/** Seconds, or an HTTP date; anything else falls back to exponential backoff. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.min(Math.round(Number(trimmed) * 1000), MAX_RETRY_AFTER_MS);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - nowMs), MAX_RETRY_AFTER_MS);
}

function webhookBody(event: NotifyEvent): Record<string, unknown> {
  const { kind, ...fields } = event;
  return { event: kind, ...fields, source: 'holdfast' };
}

function isTimeout(error: unknown): boolean {
  // fetch rejects with the signal's reason, a DOMException, which is not an Error on every runtime.
  const name = error && typeof error === 'object' && 'name' in error ? (error as { name: unknown }).name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}

// undici reports "fetch failed" with the useful part in `cause` (ECONNREFUSED, ENOTFOUND, …).
function errorText(error: unknown, secrets: string[]): string {
  if (!(error instanceof Error)) return scrub(String(error), secrets);
  const cause = (error as Error & { cause?: unknown }).cause;
  const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  const causeMessage = cause instanceof Error ? cause.message : undefined;
  const text = code ? `${error.message} (${code})` : causeMessage ? `${error.message} (${causeMessage})` : error.message;
  return scrub(text, secrets);
}

function scrub(text: string, secrets: string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (!secret) continue;
    result = result.split(secret).join('<webhook URL>');
    // Servers and libraries sometimes echo only the path, which is where Slack keeps the token.
    try {
      const { pathname, search } = new URL(secret);
      const tail = `${pathname}${search}`;
      if (tail.length > 1) result = result.split(tail).join('<webhook path>');
    } catch {
      // Not a URL; the whole-string replacement above is all we can do.
    }
  }
  return result;
}

function safeKind(event: unknown): string {
  return event && typeof event === 'object' && 'kind' in event ? String((event as { kind: unknown }).kind) : 'unknown';
}

// --- Slack formatting ---------------------------------------------------------------------------

/** A readable Slack message: `text` is the notification/fallback line, `blocks` the full layout. */
export function slackMessage(event: NotifyEvent): { text: string; blocks: unknown[] } {
  const { title, fields, failure } = describe(event);
  const lines = fields.map(([name, value]) => `*${name}:* ${escapeSlack(value)}`);
  if (failure) {
    lines.push(`*Error:* ${escapeSlack(failure.message)}`);
    if (failure.hint) lines.push(`*Hint:* ${escapeSlack(failure.hint)}`);
  }
  const text = [title, ...lines].join('\n');
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') || ' ' } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Holdfast · ${escapeSlack(event.at)}` }] },
  ];
  return { text, blocks };
}

function describe(event: NotifyEvent): { title: string; fields: Array<[string, string]>; failure?: ErrorInfo } {
  switch (event.kind) {
    case 'backup.completed':
      return {
        title: `✅ Backup completed: ${event.profile}`,
        fields: [
          ['Profile', event.profile],
          ['Database', event.database],
          ['File', event.filename],
          ['Size', humanBytes(event.size)],
          ['Duration', humanDuration(event.durationMs)],
        ],
      };
    case 'backup.failed':
      return {
        title: `❌ Backup failed: ${event.profile}`,
        fields: [
          ['Profile', event.profile],
          ...(event.database !== undefined ? [['Database', event.database] as [string, string]] : []),
          ...(event.durationMs !== undefined ? [['Duration', humanDuration(event.durationMs)] as [string, string]] : []),
        ],
        failure: event.error,
      };
    case 'restore.completed':
    case 'restore.failed': {
      const failed = event.kind === 'restore.failed';
      const fields: Array<[string, string]> = [
        ['Profile', event.profile],
        ['Database', event.database],
        ['File', event.filename],
      ];
      const title = `${failed ? '❌' : '✅'} 🔄 Restore ${failed ? 'failed' : 'completed'}: ${event.profile}`;
      // A failed restore without error details still says so rather than pretending to be complete.
      const failure = event.error ?? (failed ? { code: 'RESTORE_FAILED' as const, message: 'No error details were recorded.' } : undefined);
      return failure ? { title, fields, failure } : { title, fields };
    }
    case 'drill.cleanupFailed':
      return {
        title: `❌ Restore drill left a database behind: ${event.profile}`,
        fields: [
          ['Profile', event.profile],
          ['Database', event.database],
          ['File', event.filename],
        ],
        failure: event.error,
      };
    case 'cleanup.completed':
      return {
        title: `${event.errors > 0 ? '❌' : '✅'} 🧹 Cleanup completed${event.errors > 0 ? ` with ${event.errors} error${event.errors === 1 ? '' : 's'}` : ''}`,
        fields: [
          ['Deleted', `${event.deleted} backup${event.deleted === 1 ? '' : 's'}`],
          ['Freed', humanBytes(event.freedBytes)],
          ['Errors', String(event.errors)],
        ],
      };
  }
}

// Slack treats &, < and > as markup (links, mentions); an error message must not become one.
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
