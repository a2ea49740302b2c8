// Connections (issue 17, item 8) against a scram-sha-256 server: a connection is tested as typed,
// before it is saved, with the typed password used once and stored nowhere; a refused password's
// hint names where that password came from (the secret store, the form, libpq's password file).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import { filesUnder } from './support/files.ts';
import { makeHome, type TestHome } from './support/holdfast-env.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';

const FILE_STORE = { HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'an-example-key-of-32-characters!!' };
const PASSWORD = 'typed-Pa55-only-once';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;

beforeAll(async () => {
  server = await startPgServer({ auth: 'scram-sha-256', superPassword: 'super-secret-admin' });
  await server.query(`CREATE ROLE app LOGIN PASSWORD '${PASSWORD}'`);
  await server.query('CREATE DATABASE appdb OWNER app');
  home = makeHome(FILE_STORE);
  holdfast = await home.open();
});

afterAll(async () => {
  holdfast?.close();
  home?.cleanup();
  await server?.stop();
});

const draft = () => ({ name: 'app', host: server.host, port: server.port, user: 'app', dbname: 'appdb', libpqPasswordFiles: false });

function expectNotUnder(dir: string, secret: string) {
  for (const file of filesUnder(dir)) expect(readFileSync(file).includes(Buffer.from(secret)), `${file} holds the password`).toBe(false);
}

describe('Test connection before saving', () => {
  test('the typed password connects once and is stored nowhere; no profile is saved', async () => {
    const report = await holdfast.testDraftConnection({ draft: draft(), password: PASSWORD });
    expect(report).toMatchObject({ currentUser: 'app', passwordSource: 'typed, not stored', clientTools: { compatible: true } });
    expect(holdfast.listProfiles()).toEqual([]);
    expectNotUnder(home.home, PASSWORD);
  });

  test('a wrong typed password is refused with a hint that names the form as its source', async () => {
    await expect(holdfast.testDraftConnection({ draft: draft(), password: 'wrong' })).rejects.toMatchObject({
      code: 'CONNECTION_FAILED',
      hint: expect.stringContaining('The password sent came from the password typed in the form'),
    });
  });
});

describe("a refused password's hint names where it came from", () => {
  test('a stored password that is wrong: the secret store, and how to correct it', async () => {
    await holdfast.addProfile(draft(), { password: 'not-the-password' });
    await expect(holdfast.testProfile('app')).rejects.toMatchObject({
      code: 'CONNECTION_FAILED',
      hint: expect.stringMatching(/^The password sent came from the encrypted credentials file .*: correct it there \(for a stored one, Edit profile "app"/),
    });
    // Editing without typing a password tests with the stored one, while the server is the same.
    await expect(holdfast.testDraftConnection({ draft: draft(), editing: 'app' })).rejects.toMatchObject({ hint: expect.stringContaining('encrypted credentials file') });
    // Pointed elsewhere, the stored password is not sent: the server asks and gets none.
    await expect(holdfast.testDraftConnection({ draft: { ...draft(), user: 'postgres' }, editing: 'app' })).rejects.toMatchObject({
      message: expect.stringContaining('has none in the OS keychain'),
    });
  });

  test('a stored password is not sent when the draft weakens how the server is checked (sslmode, root certificate)', async () => {
    // Saved as verify-full: only the real server can answer. A draft with sslmode disable to the same host,
    // port, user and database would hand the password to whoever sits on the path (a cleartext
    // password request), as a profile.edit of sslmode would (that is a super-admin's change).
    await holdfast.addProfile({ ...draft(), name: 'tls', sslmode: 'verify-full' }, { password: PASSWORD });
    await expect(holdfast.testDraftConnection({ draft: { ...draft(), name: 'tls', sslmode: 'disable' }, editing: 'tls' })).rejects.toMatchObject({
      message: expect.stringContaining('has none in the OS keychain'),
    });
  });
});
