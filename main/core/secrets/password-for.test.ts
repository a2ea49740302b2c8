// What a backup and the credential check say when this host's credentials file cannot be opened: the
// file's own reason and what to do about it (the right key), not the keychain's advice, and sentences
// that end once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Profile } from '../model/types.ts';
import { EncryptedFileSecretStore } from './file-store.ts';
import { passwordFor } from './password-for.ts';
import { checkCredential } from './reachability.ts';
import { newProfileRecord } from '../../../test/support/profile-record.ts';

let home: string;
const profile: Profile = {
  ...newProfileRecord('shop', { host: '127.0.0.1', user: 'shop', libpqPasswordFiles: false }),
  id: 'p1',
  keychainPassword: true,
  createdAt: '2026-12-05T00:00:00.000Z',
};

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'holdfast-password-for-'));
  await new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: 'k'.repeat(32) }).set(profile.id, 'secret');
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const wrongKey = () => new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: 'w'.repeat(32) });

test("a backup on a host whose key does not open the credentials file is told to give the file's key, not to unlock a keychain", async () => {
  const failure = await passwordFor(wrongKey(), profile).then(
    () => undefined,
    (error: unknown) => error as { message: string; hint: string },
  );
  expect(failure?.hint).toMatch(/the key the file was made with/);
  expect(failure?.hint).not.toMatch(/keychain/i);
  expect(failure?.message).toContain('does not open the credentials file');
  expect(failure?.message).not.toMatch(/\.\)\.|\.\.$/);
});

test('the credential check states the problem as a clause its readers end with their own full stop', async () => {
  const check = await checkCredential({ secrets: wrongKey(), env: {} }, profile);
  expect(check.ok).toBe(false);
  expect(check.problem).toMatch(/^the encrypted credentials file .* cannot be reached: the key from HOLDFAST_CREDENTIALS_KEY does not open/);
  expect(check.problem).not.toMatch(/\.$/);
  // What to do goes with it, for schedule hosts, health and the Schedules page.
  expect(check.hint).toMatch(/the key the file was made with/);
});
