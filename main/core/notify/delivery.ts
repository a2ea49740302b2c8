// One notification to one target, retried while retrying can help, and never thrown: notifications go
// out after the work is done, so they must never turn a good backup into a failed one. Every channel
// hands its single attempt to deliver(); the retry policy lives here once.
export type Attempt = { ok: true } | { ok: false; error: string; retryable: boolean; retryAfterMs?: number };

export type NotifyLog = (level: 'info' | 'warn' | 'error', message: string, detail?: Record<string, unknown>) => void;

export interface DeliveryOptions {
  sleep: (ms: number) => Promise<void>;
  maxAttempts: number;
  baseDelayMs: number;
  /** Per attempt; each channel applies it to its own transport. */
  timeoutMs: number;
  log: NotifyLog;
}

export interface NotifyOutcome {
  /** The channel's id ("slack", "webhook", …): never its URL, which may carry the credential. */
  target: string;
  ok: boolean;
  attempts: number;
  error?: string;
}

/** Tries `attempt` up to maxAttempts times, waiting Retry-After or an exponential backoff between tries. */
export async function deliver(target: { channel: string; label: string }, attempt: () => Promise<Attempt>, options: DeliveryOptions): Promise<NotifyOutcome> {
  let lastError = 'not attempted';
  let attempts = 0;
  while (attempts < options.maxAttempts) {
    attempts += 1;
    const result = await attempt();
    if (result.ok) {
      options.log('info', `${target.label} notified`, { target: target.channel, attempts });
      return { target: target.channel, ok: true, attempts };
    }
    lastError = result.error;
    if (!result.retryable || attempts >= options.maxAttempts) break;
    const delay = result.retryAfterMs ?? options.baseDelayMs * 2 ** (attempts - 1);
    options.log('warn', `${lastError}; retrying in ${delay} ms`, { target: target.channel, attempt: attempts, delayMs: delay });
    try {
      await options.sleep(delay);
    } catch {
      // An injected sleep that fails (say, cancelled on shutdown) ends the retries, not the caller.
      break;
    }
  }
  options.log('error', `Notification not delivered: ${lastError}`, { target: target.channel, attempts });
  return { target: target.channel, ok: false, attempts, error: lastError };
}

// undici reports "fetch failed" with the useful part in `cause` (ECONNREFUSED, ENOTFOUND, …).
export function errorText(error: unknown, secrets: string[]): string {
  if (!(error instanceof Error)) return scrub(String(error), secrets);
  const cause = (error as Error & { cause?: unknown }).cause;
  const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  const causeMessage = cause instanceof Error ? cause.message : undefined;
  const text = code ? `${error.message} (${code})` : causeMessage ? `${error.message} (${causeMessage})` : error.message;
  return scrub(text, secrets);
}

/** Removes each secret (and, for a URL, its path, where Slack keeps the token) from text bound for an outcome or a log. */
export function scrub(text: string, secrets: string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (!secret) continue;
    result = result.split(secret).join('<webhook URL>');
    // Servers and libraries sometimes echo only the path.
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
