import { afterEach, describe, expect, test } from 'vitest';
import { Notifier } from '../notifier.ts';
import { closeServers, completed, failed, recordingSleep, servers, startServer } from '../test-support.ts';
import { webhook, webhookTarget } from './webhook.ts';

afterEach(closeServers);

describe('generic webhook channel', () => {
  test('the generic webhook gets the event fields as JSON, tagged with its kind and source', async () => {
    const server = await startServer();
    const outcomes = await new Notifier({ targets: [webhookTarget(server.url('/generic'))], on: 'all' }).notify(failed);

    expect(outcomes).toEqual([{ target: 'webhook', ok: true, attempts: 1 }]);
    const { kind: _kind, ...fields } = failed;
    expect(server.requests[0]!.body).toEqual({ event: 'backup.failed', ...fields, source: 'holdfast' });
  });

  test('a refused connection is a network error: retried, reported, never thrown', async () => {
    const server = await startServer();
    const url = server.url();
    await server.close();
    servers.length = 0;
    const { sleep, delays } = recordingSleep();
    const outcomes = await new Notifier({ targets: [webhookTarget(url)], on: 'all' }, { sleep, maxAttempts: 3, baseDelayMs: 5 }).notify(completed);

    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ target: 'webhook', ok: false, attempts: 3 });
    expect(outcomes[0]!.error).toMatch(/^webhook could not be reached: .*ECONNREFUSED/);
    expect(delays).toEqual([5, 10]);
  });
});

describe('webhook settings', () => {
  test('HOLDFAST_WEBHOOK_URL configures the channel; a non-http value is refused naming the variable, not the URL', async () => {
    expect(webhook.fromEnv({ HOLDFAST_WEBHOOK_URL: '' })).toBeUndefined();
    expect(() => webhook.fromEnv({ HOLDFAST_WEBHOOK_URL: 'ftp://files.example.com/secret-token' })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/HOLDFAST_WEBHOOK_URL(?!.*secret-token)/) }),
    );
    const server = await startServer([{ status: 503, body: 'busy' }]);
    const target = webhook.fromEnv({ HOLDFAST_WEBHOOK_URL: server.url('/generic') })!;
    expect(await target.send(failed, 1000)).toEqual({ ok: false, retryable: true, error: 'webhook answered HTTP 503: busy' });
  });
});
