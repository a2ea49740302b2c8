import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { isFailureEvent, Notifier, notifySettingsFromEnv, slackMessage, type NotifyEvent, type NotifyOutcome } from './notifier.ts';

interface Recorded {
  method: string;
  path: string;
  contentType: string | undefined;
  body: any;
}

type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

interface TestServer {
  url: (path?: string) => string;
  requests: Recorded[];
  close: () => Promise<void>;
}

const servers: TestServer[] = [];

/** Answers the queued replies in order, then 200 "ok"; records every request it receives. */
async function startServer(replies: Reply[] = []): Promise<TestServer> {
  const requests: Recorded[] = [];
  const queue = [...replies];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'], body: text ? JSON.parse(text) : undefined });
      const reply = queue.shift() ?? { status: 200, body: 'ok' };
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const handle: TestServer = {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** An injected sleep that records the delays and returns at once, so backoff is checked without waiting. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

const at = '2024-01-15T02:00:42.000Z';
const completed: NotifyEvent = { kind: 'backup.completed', profile: 'prod', database: 'shop', filename: 'prod-shop-2024.dump', size: 1536 * 1024, durationMs: 42_000, at };
const failed: NotifyEvent = {
  kind: 'backup.failed',
  profile: 'prod',
  database: 'shop',
  error: { code: 'CONNECTION_FAILED', message: 'Cannot connect to db.example.com:5432: password authentication failed', hint: 'Check the password stored for profile <prod>.' },
  durationMs: 1200,
  at,
};

describe('payloads', () => {
  test('a completed backup reaches Slack as a readable message with profile, database, size and duration', async () => {
    const server = await startServer();
    const outcomes = await new Notifier({ slackWebhook: server.url('/services/T1/B2/tok'), on: 'all' }).notify(completed);

    expect(outcomes).toEqual([{ target: 'slack', ok: true, attempts: 1 }]);
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/services/T1/B2/tok');
    expect(request.contentType).toMatch(/^application\/json/);
    expect(request.body.text).toContain('✅');
    expect(request.body.text).toContain('prod');
    expect(request.body.text).toContain('shop');
    expect(request.body.text).toContain('1.5 MB');
    expect(request.body.text).toContain('42.0 s');
    expect(Array.isArray(request.body.blocks)).toBe(true);
    expect(JSON.stringify(request.body.blocks)).toContain('1.5 MB');
  });

  test('a failed backup carries the error message and hint, escaped for Slack markup', async () => {
    const server = await startServer();
    await new Notifier({ slackWebhook: server.url(), on: 'all' }).notify(failed);

    const text: string = server.requests[0]!.body.text;
    expect(text).toContain('❌');
    expect(text).toContain('prod');
    expect(text).toContain('password authentication failed');
    expect(text).toContain('Check the password stored for profile &lt;prod&gt;.');
    expect(text).not.toContain('<prod>');
  });

  test('the generic webhook gets the event fields as JSON, tagged with its kind and source', async () => {
    const server = await startServer();
    const outcomes = await new Notifier({ webhookUrl: server.url('/generic'), on: 'all' }).notify(failed);

    expect(outcomes).toEqual([{ target: 'webhook', ok: true, attempts: 1 }]);
    const { kind: _kind, ...fields } = failed;
    expect(server.requests[0]!.body).toEqual({ event: 'backup.failed', ...fields, source: 'holdfast' });
  });

  test('both targets are notified, each with its own outcome', async () => {
    const slack = await startServer();
    const hook = await startServer([{ status: 400, body: 'bad' }]);
    const outcomes = await new Notifier({ slackWebhook: slack.url(), webhookUrl: hook.url(), on: 'all' }, { sleep: recordingSleep().sleep }).notify(completed);

    expect(outcomes).toEqual([
      { target: 'slack', ok: true, attempts: 1 },
      { target: 'webhook', ok: false, attempts: 1, error: 'webhook answered HTTP 400: bad' },
    ]);
    expect(slack.requests[0]!.body.text).toContain('prod');
    expect(hook.requests[0]!.body.event).toBe('backup.completed');
  });

  test('restore and cleanup events read sensibly', () => {
    const restore = slackMessage({ kind: 'restore.failed', profile: 'stage', database: 'shop', filename: 'x.dump', at });
    expect(restore.text).toContain('❌');
    expect(restore.text).toContain('Restore failed');
    expect(restore.text).toContain('No error details were recorded.');

    const cleanup = slackMessage({ kind: 'cleanup.completed', deleted: 3, freedBytes: 3 * 1024 ** 3, errors: 0, at });
    expect(cleanup.text).toContain('✅');
    expect(cleanup.text).toContain('3 backups');
    expect(cleanup.text).toContain('3.0 GB');

    const dirty = slackMessage({ kind: 'cleanup.completed', deleted: 1, freedBytes: 10, errors: 2, at });
    expect(dirty.text).toContain('❌');
    expect(dirty.text).toContain('with 2 errors');
  });

  test('a drill database left on a designated server is a failure, named with what to do', () => {
    const left: NotifyEvent = { kind: 'drill.cleanupFailed', profile: 'scratchpad', database: 'shop__holdfast_drill_1', filename: 'x.dump', error: { code: 'CONFLICT', message: 'in use', hint: 'DROP DATABASE it' }, at };
    const message = slackMessage(left);
    expect(message.text).toContain('❌');
    expect(message.text).toContain('shop__holdfast_drill_1');
    expect(message.text).toContain('DROP DATABASE it');
    expect(isFailureEvent(left)).toBe(true);
  });
});

describe('delivery', () => {
  test('5xx answers are retried with exponential backoff until one succeeds', async () => {
    const server = await startServer([{ status: 500 }, { status: 502 }, { status: 503 }]);
    const { sleep, delays } = recordingSleep();
    const outcomes = await new Notifier({ slackWebhook: server.url(), on: 'all' }, { sleep, baseDelayMs: 100 }).notify(completed);

    expect(outcomes).toEqual([{ target: 'slack', ok: true, attempts: 4 }]);
    expect(delays).toEqual([100, 200, 400]);
    expect(server.requests).toHaveLength(4);
    expect(new Set(server.requests.map((request) => JSON.stringify(request.body))).size).toBe(1);
  });

  test('after maxAttempts it gives up without a final pointless wait', async () => {
    const server = await startServer(Array.from({ length: 10 }, () => ({ status: 503, body: 'down for maintenance' })));
    const { sleep, delays } = recordingSleep();
    const outcomes = await new Notifier({ slackWebhook: server.url(), on: 'all' }, { sleep }).notify(failed);

    expect(outcomes).toEqual([{ target: 'slack', ok: false, attempts: 4, error: 'Slack webhook answered HTTP 503: down for maintenance' }]);
    expect(delays).toEqual([1000, 2000, 4000]);
    expect(server.requests).toHaveLength(4);
  });

  test('429 waits as long as Retry-After says; without it, the usual backoff', async () => {
    const server = await startServer([{ status: 429, headers: { 'retry-after': '7' } }, { status: 429 }]);
    const { sleep, delays } = recordingSleep();
    const outcomes = await new Notifier({ slackWebhook: server.url(), on: 'all' }, { sleep, baseDelayMs: 50 }).notify(completed);

    expect(outcomes).toEqual([{ target: 'slack', ok: true, attempts: 3 }]);
    expect(delays).toEqual([7000, 100]);
  });

  test('other 4xx answers are not retried', async () => {
    const server = await startServer([{ status: 400, body: 'invalid_payload' }]);
    const { sleep, delays } = recordingSleep();
    const outcomes = await new Notifier({ slackWebhook: server.url(), on: 'all' }, { sleep }).notify(completed);

    expect(outcomes).toEqual([{ target: 'slack', ok: false, attempts: 1, error: 'Slack webhook answered HTTP 400: invalid_payload' }]);
    expect(delays).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  test('a server that never answers hits the per-attempt timeout, and each attempt is retried', async () => {
    const server = await startServer(['hang', 'hang']);
    const { sleep, delays } = recordingSleep();
    const started = Date.now();
    const outcomes = await new Notifier({ slackWebhook: server.url(), on: 'all' }, { sleep, timeoutMs: 150, maxAttempts: 2, baseDelayMs: 10 }).notify(completed);

    expect(outcomes).toEqual([{ target: 'slack', ok: false, attempts: 2, error: 'Slack webhook did not answer within 150 ms' }]);
    expect(delays).toEqual([10]);
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a refused connection is a network error: retried, reported, never thrown', async () => {
    const server = await startServer();
    const url = server.url();
    await server.close();
    servers.length = 0;
    const { sleep, delays } = recordingSleep();
    const outcomes = await new Notifier({ webhookUrl: url, on: 'all' }, { sleep, maxAttempts: 3, baseDelayMs: 5 }).notify(completed);

    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ target: 'webhook', ok: false, attempts: 3 });
    expect(outcomes[0]!.error).toMatch(/^webhook could not be reached: .*ECONNREFUSED/);
    expect(delays).toEqual([5, 10]);
  });

  test('notify resolves even when the logger and sleep throw', async () => {
    const server = await startServer([{ status: 500 }]);
    const notifier = new Notifier(
      { slackWebhook: server.url(), on: 'all' },
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

describe('filtering', () => {
  test("on: 'failures' sends failures (and cleanups with errors) but skips successes", async () => {
    const server = await startServer();
    const notifier = new Notifier({ slackWebhook: server.url(), webhookUrl: server.url('/generic'), on: 'failures' });

    expect(await notifier.notify(completed)).toEqual([]);
    expect(await notifier.notify({ kind: 'restore.completed', profile: 'p', database: 'd', filename: 'f', at })).toEqual([]);
    expect(await notifier.notify({ kind: 'cleanup.completed', deleted: 2, freedBytes: 1, errors: 0, at })).toEqual([]);
    expect(server.requests).toHaveLength(0);

    expect((await notifier.notify(failed)).map((outcome) => outcome.ok)).toEqual([true, true]);
    expect(await notifier.notify({ kind: 'cleanup.completed', deleted: 2, freedBytes: 1, errors: 1, at })).toHaveLength(2);
    expect(server.requests.map((request) => request.path).sort()).toEqual(['/generic', '/generic', '/hook', '/hook']);
  });

  test("on: 'none', or no target, sends nothing", async () => {
    const server = await startServer();
    expect(await new Notifier({ slackWebhook: server.url(), on: 'none' }).notify(failed)).toEqual([]);
    expect(await new Notifier({ on: 'all' }).notify(failed)).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});

describe('secrets', () => {
  test('the webhook URL never appears in outcomes or logs, even when the server echoes it', async () => {
    const secretPath = '/services/T0SECRET/B0SECRET/XoXoTopSecretToken';
    const echo = await startServer([
      { status: 500, body: `upstream error for ${secretPath}` },
      { status: 404, body: `no_service: POST ${secretPath} unknown` },
    ]);
    const refused = await startServer();
    const refusedUrl = refused.url(secretPath);
    await refused.close();
    servers.splice(servers.indexOf(refused), 1);

    const logs: unknown[] = [];
    const outcomes: NotifyOutcome[] = [];
    const options = { sleep: recordingSleep().sleep, maxAttempts: 2, log: (...entry: unknown[]) => void logs.push(entry) };
    outcomes.push(...(await new Notifier({ slackWebhook: echo.url(secretPath), on: 'all' }, options).notify(failed)));
    outcomes.push(...(await new Notifier({ webhookUrl: refusedUrl, slackWebhook: refusedUrl, on: 'all' }, options).notify(failed)));

    expect(outcomes.map((outcome) => outcome.ok)).toEqual([false, false, false]);
    expect(outcomes[0]!.error).toBe('Slack webhook answered HTTP 404: no_service: POST <webhook path> unknown');
    expect(logs.length).toBeGreaterThan(0);
    const everything = JSON.stringify({ outcomes, logs });
    expect(everything).not.toContain('TopSecretToken');
    expect(everything).not.toContain('T0SECRET');
    expect(everything).not.toContain(echo.url(''));
  });
});

describe('settings from the environment', () => {
  test('defaults: all when a webhook is set, none otherwise; empty values are unset', () => {
    expect(notifySettingsFromEnv({})).toEqual({ on: 'none' });
    expect(notifySettingsFromEnv({ BACKUP_SLACK_WEBHOOK: '', HOLDFAST_NOTIFY_ON: '' })).toEqual({ on: 'none' });
    expect(notifySettingsFromEnv({ BACKUP_SLACK_WEBHOOK: 'https://hooks.slack.com/services/a/b/c' })).toEqual({
      slackWebhook: 'https://hooks.slack.com/services/a/b/c',
      on: 'all',
    });
    expect(notifySettingsFromEnv({ HOLDFAST_WEBHOOK_URL: 'http://127.0.0.1:9/x', HOLDFAST_NOTIFY_ON: 'failures' })).toEqual({
      webhookUrl: 'http://127.0.0.1:9/x',
      on: 'failures',
    });
  });

  test('invalid values throw naming the variable, without echoing a URL', () => {
    expect(() => notifySettingsFromEnv({ HOLDFAST_NOTIFY_ON: 'sometimes' })).toThrow(/HOLDFAST_NOTIFY_ON/);
    expect(() => notifySettingsFromEnv({ BACKUP_SLACK_WEBHOOK: 'not a url' })).toThrow(/BACKUP_SLACK_WEBHOOK/);
    let message = '';
    try {
      notifySettingsFromEnv({ HOLDFAST_WEBHOOK_URL: 'ftp://files.example.com/secret-token' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('HOLDFAST_WEBHOOK_URL');
    expect(message).toContain('http(s)');
    expect(message).not.toContain('secret-token');
  });
});
