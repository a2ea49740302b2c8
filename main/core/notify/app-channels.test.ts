// Notification channels added in the app (issue 17 item 2), against real receivers on loopback: an
// SMTP server (smtp-server) for email and an HTTP server for the webhooks. Their secrets go to the
// real (file) secret store, never the catalogue; "Send test" arrives and becomes the last delivery;
// each channel gets only the events it chose.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { invoke } from '../../contract.ts';
import { loadConfig } from '../config/config.ts';
import { Holdfast } from '../holdfast.ts';
import { closeServers, completed, failed, startServer } from './test-support.ts';

interface Mail {
  from: string | undefined;
  to: string[];
  user: string | undefined;
  data: string;
}

async function startSmtp(password = 'smtp-secret-42'): Promise<{ port: number; mails: Mail[]; close: () => Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    onAuth(auth, _session, callback) {
      if (auth.password !== password) return callback(new Error('Invalid username or password'));
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let home: string;
let holdfast: Holdfast;
const smtpClosers: Array<() => Promise<void>> = [];

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'holdfast-notify-'));
  ({ holdfast } = await Holdfast.open(loadConfig({ HOLDFAST_HOME: home, HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'a-test-key-of-enough-bytes' })));
});

afterEach(async () => {
  holdfast.close();
  await closeServers();
  for (const close of smtpClosers.splice(0)) await close();
  await rm(home, { recursive: true, force: true });
});

const email = (port: number) => ({ host: '127.0.0.1', port, security: 'none' as const, user: 'holdfast', from: 'holdfast@example.com', to: ['dba@example.com'] });

describe('notification channels added in the app', () => {
  test('an email channel: "Send test" arrives at the SMTP server, logged in with the password from the secret store, which the catalogue never holds', async () => {
    const smtp = await startSmtp();
    smtpClosers.push(smtp.close);
    const added = await invoke(holdfast, 'notify.add', { kind: 'email', name: 'DBA mail', events: 'failures', email: email(smtp.port), password: 'smtp-secret-42' });
    expect(added).toMatchObject({ ok: true, value: { name: 'DBA mail', kind: 'email', events: 'failures', where: `127.0.0.1:${smtp.port} → dba@example.com`, lastDelivery: null } });

    const tested = await invoke(holdfast, 'notify.test', { name: 'DBA mail' });
    expect(tested).toMatchObject({ ok: true, value: { ok: true, attempts: 1, channel: { lastDelivery: { ok: true, attempts: 1 } } } });
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]).toMatchObject({ from: 'holdfast@example.com', to: ['dba@example.com'], user: 'holdfast' });
    expect(smtp.mails[0]!.data).toContain('Holdfast test notification');

    expect(readFileSync(join(home, 'catalogue.sqlite')).includes('smtp-secret-42')).toBe(false);
    expect(holdfast.catalogue.auditEntries(10).find((entry) => entry.action === 'notify.add')).toMatchObject({ target: 'DBA mail', detail: { kind: 'email', events: 'failures' } });
    expect(JSON.stringify(holdfast.catalogue.auditEntries(10))).not.toContain('smtp-secret-42');
  });

  test('a refused login is the last delivery, said without the password, and not retried', async () => {
    const smtp = await startSmtp('the-right-one');
    smtpClosers.push(smtp.close);
    await invoke(holdfast, 'notify.add', { kind: 'email', name: 'mail', email: email(smtp.port), password: 'wrong-password-77' });
    const tested = await invoke(holdfast, 'notify.test', { name: 'mail' });
    expect(tested).toMatchObject({ ok: true, value: { ok: false, attempts: 1, error: expect.stringMatching(/email channel "mail" could not be sent: .*Invalid username or password/) } });
    expect(JSON.stringify(tested)).not.toContain('wrong-password-77');
    expect(holdfast.notifyChannels.list()[0]!.lastDelivery).toMatchObject({ ok: false, error: expect.stringContaining('Invalid username') });
  });

  test('webhook channels: the URL is in the secret store (only its host is listed); each gets the events it chose; Teams and Discord get their layouts', async () => {
    const server = await startServer();
    const secretPath = '/hooks/T0KEN-in-the-path';
    for (const [kind, name, events] of [
      ['webhook', 'all of it', 'all'],
      ['slack', 'failures only', 'failures'],
      ['teams', 'copies only', 'copies'],
      ['discord', 'discord failures', 'failures'],
    ] as const) {
      expect(await invoke(holdfast, 'notify.add', { kind, name, events, url: server.url(`${secretPath}/${kind}`) })).toMatchObject({ ok: true, value: { where: new URL(server.url()).host } });
    }
    expect(readFileSync(join(home, 'catalogue.sqlite')).includes('T0KEN')).toBe(false);

    await holdfast.notifier.notify(completed);
    expect(server.requests.map((request) => request.path)).toEqual([`${secretPath}/webhook`]);
    await holdfast.notifier.notify(failed);
    expect(server.requests.map((request) => request.path).sort()).toEqual([`${secretPath}/discord`, `${secretPath}/slack`, `${secretPath}/webhook`, `${secretPath}/webhook`]);
    await holdfast.notifier.notify(failed, 'copy');
    expect(server.requests.filter((request) => request.path.endsWith('/teams'))).toHaveLength(1);

    const teams = server.requests.find((request) => request.path.endsWith('/teams'))!.body;
    expect(teams.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(teams)).toContain('password authentication failed');
    const discord = server.requests.find((request) => request.path.endsWith('/discord'))!.body;
    expect(discord).toMatchObject({ allowed_mentions: { parse: [] }, embeds: [{ color: 0xd93025 }] });
    expect(holdfast.notifyChannels.list().find((channel) => channel.name === 'failures only')!.lastDelivery).toMatchObject({ ok: true });

    expect(await invoke(holdfast, 'notify.remove', { name: 'all of it' })).toMatchObject({ ok: true, value: { removed: 'all of it' } });
    expect(holdfast.notifyChannels.list().map((channel) => channel.name)).toEqual(['copies only', 'discord failures', 'failures only']);
  });

  test('bad input is refused naming the field; a name is used once', async () => {
    expect(await invoke(holdfast, 'notify.add', { kind: 'slack', name: 'x', url: 'file:///etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_INPUT', message: expect.stringContaining('http(s) URL') },
    });
    expect(await invoke(holdfast, 'notify.add', { kind: 'email', name: 'm', email: { host: 'h', from: 'me', to: [] } })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    const server = await startServer();
    await invoke(holdfast, 'notify.add', { kind: 'webhook', name: 'hook', url: server.url() });
    expect(await invoke(holdfast, 'notify.add', { kind: 'webhook', name: 'hook', url: server.url() })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await invoke(holdfast, 'notify.test', { name: 'nope' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
