import { afterEach, describe, expect, test } from 'vitest';
import { isFailureEvent, Notifier, type NotifyEvent } from '../notifier.ts';
import { at, closeServers, completed, failed, startServer } from '../test-support.ts';
import { slack, slackMessage, slackTarget } from './slack.ts';

afterEach(closeServers);

describe('Slack channel', () => {
  test('a completed backup reaches Slack as a readable message with profile, database, size and duration', async () => {
    const server = await startServer();
    const outcomes = await new Notifier({ targets: [slackTarget(server.url('/services/T1/B2/tok'))], on: 'all' }).notify(completed);

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
    await new Notifier({ targets: [slackTarget(server.url())], on: 'all' }).notify(failed);

    const text: string = server.requests[0]!.body.text;
    expect(text).toContain('❌');
    expect(text).toContain('prod');
    expect(text).toContain('password authentication failed');
    expect(text).toContain('Check the password stored for profile &lt;prod&gt;.');
    expect(text).not.toContain('<prod>');
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
    const left: NotifyEvent = {
      kind: 'drill.cleanupFailed',
      profile: 'scratchpad',
      database: 'shop__holdfast_drill_1',
      filename: 'x.dump',
      error: { code: 'CONFLICT', message: 'in use', hint: 'DROP DATABASE it' },
      at,
    };
    const message = slackMessage(left);
    expect(message.text).toContain('❌');
    expect(message.text).toContain('shop__holdfast_drill_1');
    expect(message.text).toContain('DROP DATABASE it');
    expect(isFailureEvent(left)).toBe(true);
  });
});

describe('Slack settings', () => {
  test('BACKUP_SLACK_WEBHOOK configures the channel; unset or empty leaves it off; a non-http value is refused without echoing it', async () => {
    expect(slack.fromEnv({})).toBeUndefined();
    expect(slack.fromEnv({ BACKUP_SLACK_WEBHOOK: '  ' })).toBeUndefined();
    expect(() => slack.fromEnv({ BACKUP_SLACK_WEBHOOK: 'file:///services/T/B/secret-token' })).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT', message: expect.not.stringContaining('secret-token') }),
    );
    const server = await startServer();
    const target = slack.fromEnv({ BACKUP_SLACK_WEBHOOK: server.url('/services/T/B/tok') })!;
    expect(target).toMatchObject({ channel: 'slack', label: 'Slack webhook' });
    expect(await target.send(completed, 1000)).toEqual({ ok: true });
    expect(server.requests[0]!.path).toBe('/services/T/B/tok');
  });
});
