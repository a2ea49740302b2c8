import { afterEach, describe, expect, test } from 'vitest';
import { configuredChannels, engineNotifier, Notifier, notifySettingsFromEnv, type NotifyOutcome } from './notifier.ts';
import { slackTarget } from './channels/slack.ts';
import { webhookTarget } from './channels/webhook.ts';
import { at, closeServers, completed, failed, recordingSleep, servers, startServer } from './test-support.ts';

afterEach(closeServers);

describe('fan-out', () => {
  test('both targets are notified, each with its own outcome', async () => {
    const slack = await startServer();
    const hook = await startServer([{ status: 400, body: 'bad' }]);
    const outcomes = await new Notifier({ targets: [slackTarget(slack.url()), webhookTarget(hook.url())], on: 'all' }, { sleep: recordingSleep().sleep }).notify(completed);

    expect(outcomes).toEqual([
      { target: 'slack', ok: true, attempts: 1 },
      { target: 'webhook', ok: false, attempts: 1, error: 'webhook answered HTTP 400: bad' },
    ]);
    expect(slack.requests[0]!.body.text).toContain('prod');
    expect(hook.requests[0]!.body.event).toBe('backup.completed');
  });
});

describe('filtering', () => {
  test("on: 'failures' sends failures (and cleanups with errors) but skips successes", async () => {
    const server = await startServer();
    const notifier = new Notifier({ targets: [slackTarget(server.url()), webhookTarget(server.url('/generic'))], on: 'failures' });

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
    expect(await new Notifier({ targets: [slackTarget(server.url())], on: 'none' }).notify(failed)).toEqual([]);
    expect(await new Notifier({ targets: [], on: 'all' }).notify(failed)).toEqual([]);
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
    outcomes.push(...(await new Notifier({ targets: [slackTarget(echo.url(secretPath))], on: 'all' }, options).notify(failed)));
    outcomes.push(...(await new Notifier({ targets: [slackTarget(refusedUrl), webhookTarget(refusedUrl)], on: 'all' }, options).notify(failed)));

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
    const read = (env: NodeJS.ProcessEnv) => {
      const settings = notifySettingsFromEnv(env);
      return { on: settings.on, channels: configuredChannels(settings) };
    };
    const none = { slack: false, webhook: false, teams: false, discord: false, email: false };
    expect(read({})).toEqual({ on: 'none', channels: { ...none } });
    expect(read({ BACKUP_SLACK_WEBHOOK: '', HOLDFAST_NOTIFY_ON: '' })).toEqual({ on: 'none', channels: { ...none } });
    expect(read({ BACKUP_SLACK_WEBHOOK: 'https://hooks.slack.com/services/a/b/c' })).toEqual({ on: 'all', channels: { ...none, slack: true } });
    expect(read({ HOLDFAST_WEBHOOK_URL: 'http://127.0.0.1:9/x', HOLDFAST_NOTIFY_ON: 'failures' })).toEqual({ on: 'failures', channels: { ...none, webhook: true } });
  });

  test('Teams, Discord and email are configured by their variables; an SMTP URL that is not one is refused without echoing it', () => {
    const settings = notifySettingsFromEnv({
      HOLDFAST_TEAMS_WEBHOOK: 'https://example.webhook.office.com/x',
      HOLDFAST_DISCORD_WEBHOOK: 'https://discord.com/api/webhooks/1/t',
      HOLDFAST_SMTP_URL: 'smtp://u:pw@127.0.0.1:2525',
      HOLDFAST_EMAIL_FROM: 'a@example.com',
      HOLDFAST_EMAIL_TO: 'b@example.com, c@example.com',
    });
    expect(configuredChannels(settings)).toEqual({ slack: false, webhook: false, teams: true, discord: true, email: true });
    expect(() => notifySettingsFromEnv({ HOLDFAST_SMTP_URL: 'http://u:hunter2@h', HOLDFAST_EMAIL_FROM: 'a@example.com', HOLDFAST_EMAIL_TO: 'b@example.com' })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/HOLDFAST_SMTP_URL(?!.*hunter2)/) }),
    );
    expect(() => notifySettingsFromEnv({ HOLDFAST_SMTP_URL: 'smtp://h', HOLDFAST_EMAIL_FROM: 'a@example.com' })).toThrow(/HOLDFAST_EMAIL_TO/);
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

describe("the engine's warnings on stderr", () => {
  test("a webhook's answer with terminal control sequences is shown escaped, never written raw", async () => {
    // The server's body is the endpoint's (or whoever stands between) to choose: a title change, a
    // screen clear, a carriage return, the 8-bit CSI and a right-to-left override.
    const hook = await startServer([{ status: 400, body: 'bad\u001b]0;pwned\u0007\u001b[2J\r\u009b31m\u202egone' }]);
    let written = '';
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    }) as typeof process.stderr.write;
    try {
      await engineNotifier({ HOLDFAST_WEBHOOK_URL: hook.url(), HOLDFAST_NOTIFY_ON: 'all' }, { log: () => undefined }).notify(failed);
    } finally {
      process.stderr.write = write;
    }
    expect(written).toContain('webhook answered HTTP 400: bad\\u001b]0;pwned\\u0007\\u001b[2J\\u000d\\u009b31m\\u202egone');
    expect(written).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
  });
});
