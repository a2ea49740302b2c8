// What the HTTP channels (Slack, the generic webhook, and the chat hooks to come) share: the URL read
// from the environment without ever echoing it, and one JSON POST turned into a delivery attempt.
// Webhook URLs carry their credential in the path, so they never appear in an attempt's error.
import { HoldfastError } from '../model/errors.ts';
import type { NotifyChannel, NotifyTarget } from './channel.ts';
import { errorText, scrub, type Attempt } from './delivery.ts';
import type { NotifyEvent } from './message.ts';

/** Above this, a Retry-After is treated as hostile or broken: waiting that long would stall the caller. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** An http(s) URL from `variable`; empty counts as unset, as in loadConfig. Errors name the variable, never the URL. */
export function webhookUrlFromEnv(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new HoldfastError('BAD_INPUT', `Environment variable ${variable} is not valid: it must be an http(s) URL.`, `Set ${variable} to the full webhook URL (https://…), or unset it.`);
  }
  return raw;
}

/** One POST of `body` as JSON. 429 and 5xx are worth retrying; other 4xx mean the request itself is wrong. */
export async function postJson(url: string, body: unknown, options: { label: string; timeoutMs: number }): Promise<Attempt> {
  const { label, timeoutMs } = options;
  const secrets = [url];
  // Outside the try: an event that cannot be serialised is a bug to report, not a network error to retry.
  const payload = JSON.stringify(body);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: payload,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text().catch(() => '');
    if (response.ok) return { ok: true };
    const error = `${label} answered HTTP ${response.status}${text.trim() ? `: ${scrub(text.trim().slice(0, 200), secrets)}` : ''}`;
    const retryable = response.status === 429 || response.status >= 500;
    const retryAfterMs = response.status === 429 ? parseRetryAfter(response.headers.get('retry-after'), Date.now()) : undefined;
    return retryAfterMs === undefined ? { ok: false, error, retryable } : { ok: false, error, retryable, retryAfterMs };
  } catch (error) {
    return { ok: false, retryable: true, error: isTimeout(error) ? `${label} did not answer within ${timeoutMs} ms` : `${label} could not be reached: ${errorText(error, secrets)}` };
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

function isTimeout(error: unknown): boolean {
  // fetch rejects with the signal's reason, a DOMException, which is not an Error on every runtime.
  const name = error && typeof error === 'object' && 'name' in error ? (error as { name: unknown }).name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}

/**
 * A channel that POSTs JSON to a webhook URL read from one environment variable: Slack, the generic
 * webhook, and the chat services to come differ only in these four facts.
 */
export function httpChannel<Id extends string>(spec: { id: Id; variable: string; label: string; body: (event: NotifyEvent) => unknown }): NotifyChannel<Id> & { target(url: string): NotifyTarget } {
  const target = (url: string): NotifyTarget => ({ channel: spec.id, label: spec.label, send: (event, timeoutMs) => postJson(url, spec.body(event), { label: spec.label, timeoutMs }) });
  return {
    id: spec.id,
    variables: [spec.variable],
    target,
    fromEnv(env) {
      const url = webhookUrlFromEnv(env, spec.variable);
      return url === undefined ? undefined : target(url);
    },
  };
}
