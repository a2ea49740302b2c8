// encryptTo through holdfast serve (issue 15), against a real server and a real PostgreSQL: a
// profile, a schedule and a backup say who they are encrypted to and read it back; a bad recipient
// is a 400 naming the field; and an admin, who may back up but not choose who can read a backup, is
// refused with the field named and the step to take (leave it to the inherited choice).
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { startServer, type RunningServer } from '../main/serve/server.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, profileFor, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;
let api: RunningServer;
let root: string;
let alice: string;
let recipient: string;

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(50));
  api = await startServer(holdfast, {});
  root = holdfast.addUser('root', 'super-admin').token;
  alice = holdfast.addUser('alice', 'admin').token;
  recipient = await identityToRecipient(await generateX25519Identity());
});

afterAll(async () => {
  await api?.close();
  await closeShop({ server, home, holdfast });
});

async function post(path: string, body: unknown, token: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`http://127.0.0.1:${api.port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const rpc = (channel: string, input: unknown, token: string) => post(`/api/rpc/${channel}`, input, token);

describe('encryptTo over holdfast serve', () => {
  test('a profile, a schedule and a backup with encryptTo are stored as given and read back', async () => {
    const added = await rpc('profile.add', { ...profileFor(server, 'vault', 'shop'), encryptTo: [recipient] }, root);
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect((await rpc('profile.show', { name: 'vault' }, root)).body).toMatchObject({ ok: true, value: { name: 'vault', encryptTo: [recipient] } });

    const scheduled = await rpc('schedule.add', { profile: 'vault', type: 'daily', options: { encryptTo: 'none' } }, root);
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(200);
    const schedules = (await rpc('schedule.list', { profile: 'vault' }, root)).body.value as Array<{ options: { encryptTo?: unknown } }>;
    expect(schedules.map((schedule) => schedule.options.encryptTo)).toEqual(['none']);

    // The backup's own choice wins over the profile's: "none" here is a plain backup.
    const plain = await post('/api/backup/create', { profile: 'vault', encryptTo: 'none' }, root);
    expect(plain.status, JSON.stringify(plain.body)).toBe(201);
    expect(plain.body.data).toMatchObject({ profile: 'vault', encrypted: false });
    const encrypted = await post('/api/backup/create', { profile: 'shop', encryptTo: [recipient] }, root);
    expect(encrypted.status, JSON.stringify(encrypted.body)).toBe(201);
    expect(encrypted.body.data).toMatchObject({ profile: 'shop', encrypted: true, encryption: { recipients: [recipient] } });
    expect(encrypted.body.data.filename).toMatch(/\.age$/);
  });

  test('a bad recipient is a 400 that names the field, and nothing is stored or taken', async () => {
    const before = holdfast.catalogue.listBackups({}).length;
    const backup = await post('/api/backup/create', { profile: 'shop', encryptTo: ['age1notarecipient'] }, root);
    expect(backup.status, JSON.stringify(backup.body)).toBe(400);
    expect(JSON.stringify(backup.body.error), JSON.stringify(backup.body)).toMatch(/encryptTo.*starts like an age recipient but is not one/);
    const identity = await generateX25519Identity();
    const secret = await rpc('profile.edit', { name: 'vault', changes: { encryptTo: [identity] } }, root);
    expect(secret.status).toBe(400);
    expect(secret.body.error.message).toMatch(/encryptTo.*that is an identity/);
    expect(JSON.stringify(secret.body)).not.toContain(identity);
    expect((await rpc('profile.show', { name: 'vault' }, root)).body.value.encryptTo).toEqual([recipient]);
    expect(holdfast.catalogue.listBackups({}).length).toBe(before);
  });

  test('an admin may back up (the inherited choice applies) but not choose the encryption: refused naming encryptTo and the inherited choice', async () => {
    for (const [what, answer] of [
      ['backup', await post('/api/backup/create', { profile: 'vault', encryptTo: 'none' }, alice)],
      ['rpc backup', await rpc('backup.create', { profile: 'vault', options: { encryptTo: [recipient] } }, alice)],
      ['profile', await rpc('profile.edit', { name: 'vault', changes: { encryptTo: 'none' } }, alice)],
      ['schedule', await rpc('schedule.add', { profile: 'shop', type: 'weekly', options: { encryptTo: 'none' } }, alice)],
    ] as const) {
      expect(answer.status, what).toBe(403);
      expect(answer.body.error.message, what).toMatch(/encryptTo.*needs a super-admin.*alice is admin/);
      expect(answer.body.error.hint, what).toMatch(/leave out --encrypt-to and --no-encrypt/i);
      expect(answer.body.error.appHint, what).toMatch(/Choose "Inherit" under Encryption/);
      expect(answer.body.error.action, what).toBe('inherit-encryption');
    }
    expect((await rpc('profile.show', { name: 'vault' }, root)).body.value.encryptTo).toEqual([recipient]);
    const inherited = await post('/api/backup/create', { profile: 'vault' }, alice);
    expect(inherited.status, JSON.stringify(inherited.body)).toBe(201);
    expect(inherited.body.data).toMatchObject({ encrypted: true, encryption: { recipients: [recipient] } });
  });
});
