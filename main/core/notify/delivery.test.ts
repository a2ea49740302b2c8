import { afterEach, describe, expect, test } from 'vitest';
import { parseRetryAfter } from './http.ts';
import { Notifier } from './notifier.ts';
import { slackTarget } from './channels/slack.ts';
import { closeServers, completed, failed, recordingSleep, startServer } from './test-support.ts';

afterEach(closeServers);

describe('delivery', () => {
  test('5xx answers are retried with exponential backoff until one succeeds', async () => {
    const server = await startServer([{ status: 500 }, { status: 502 }, { status: 503 }]);
    const { sleep, delays } = recordingSleep();
    const outcomes = await new Notifier({ targets: [slackTarget(server.url())], on: 'all' }, { sleep, baseDelayMs: 100 }).notify(completed);

    expect(outcomes).toEqual([{ target: 'slack', ok: true, attempts: 4 }]);
    expect(delays).toEqual([100, 200, 400]);
    expect(server.requests).toHaveLength(4);
    expect(new Set(server.requests.map((request) => JSON.stringify(request.body))).size).toBe(1);
  });

  test('after maxAttempts it gives up without a final pointless wait', async () => {
    const server = await startServer(Array.from({ length: 10 }, () => ({ status: 503, body: 'down for maintenance' })));
    const { sleep, delays } = recordingSleep();
    const outcomes = await new Notifier({ targets: [slackTarget(server.url())], on: 'all' }, { sleep }).notify(failed);

    expect(outcomes).toEqual([{ target: 'slack', ok: false, attempts: 4, error: 'Slack webhook answered HTTP 503: down for maintenance' }]);
    expect(delays).toEqual([1000, 2000, 4000]);
    expect(server.requests).toHaveLength(4);
  });

  test('429 waits as long as Retry-After says; without it, the usual backoff', async () => {
    const server = await startServer([{ status: 429, headers: { 'retry-after': '7' } }, { status: 429 }]);
    const { sleep, delays } = recordingSleep();
    const outcomes = await new Notifier({ targets: [slackTarget(server.url())], on: 'all' }, { sleep, baseDelayMs: 50 }).notify(completed);

    expect(outcomes).toEqual([{ target: 'slack', ok: true, attempts: 3 }]);
    expect(delays).toEqual([7000, 100]);
  });

  test('other 4xx answers are not retried', async () => {
    const server = await startServer([{ status: 400, body: 'invalid_payload' }]);
    const { sleep, delays } = recordingSleep();
    const outcomes = await new Notifier({ targets: [slackTarget(server.url())], on: 'all' }, { sleep }).notify(completed);

    expect(outcomes).toEqual([{ target: 'slack', ok: false, attempts: 1, error: 'Slack webhook answered HTTP 400: invalid_payload' }]);
    expect(delays).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  test('a server that never answers hits the per-attempt timeout, and each attempt is retried', async () => {
    const server = await startServer(['hang', 'hang']);
    const { sleep, delays } = recordingSleep();
    const started = Date.now();
    const outcomes = await new Notifier({ targets: [slackTarget(server.url())], on: 'all' }, { sleep, timeoutMs: 150, maxAttempts: 2, baseDelayMs: 10 }).notify(completed);

    expect(outcomes).toEqual([{ target: 'slack', ok: false, attempts: 2, error: 'Slack webhook did not answer within 150 ms' }]);
    expect(delays).toEqual([10]);
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('notify resolves even when the logger and sleep throw', async () => {
    const server = await startServer([{ status: 500 }]);
    const notifier = new Notifier(
      { targets: [slackTarget(server.url())], on: 'all' },
      {
        sleep: () => Promise.reject(new Error('sleep broke')),
        log: () => {
          throw new Error('logger broke');
        },
      },
    );
    await expect(notifier.notify(completed)).resolves.toEqual([{ target: 'slack', ok: false, attempts: 1, error: 'Slack webhook answered HTTP 500' }]);
  });
});

describe('Retry-After', () => {
  test('seconds or an HTTP date, capped at five minutes; anything else is not a wait', () => {
    const now = Date.parse('2024-01-15T02:00:00.000Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Mon, 15 Jan 2024 02:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 15 Jan 2024 01:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('86400', now)).toBe(5 * 60_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
