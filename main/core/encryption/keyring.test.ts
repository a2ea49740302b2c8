// The keyring with a real secret store (the encrypted credentials file) and real age keys: what an
// import of a damaged identity says, and what it must never say.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { generateX25519Identity } from 'age-encryption';
import { EncryptedFileSecretStore } from '../secrets/file-store.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { HoldfastError } from '../model/errors.ts';
import { Keyring } from './keyring.ts';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'holdfast-keyring-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

test('an identity with a mistyped character is refused without quoting it (its other 57 characters are the secret)', async () => {
  const keyring = new Keyring(home, new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: 'k'.repeat(32) }));
  const good = await generateX25519Identity();
  // One character changed in the checksum: the shape is right, the bech32 checksum is not.
  const typo = `${good.slice(0, -1)}${good.endsWith('Q') ? 'P' : 'Q'}`;
  const error = await keyring.import(`# created by age-keygen\n${typo}\n`, 'offline').catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(HoldfastError);
  expect((error as HoldfastError).code).toBe('BAD_INPUT');
  const said = `${(error as HoldfastError).message} ${(error as HoldfastError).hint ?? ''}`;
  expect(said).not.toContain(typo.slice(16, 40));
  expect(said).toMatch(/checksum/);
  expect(await keyring.entries()).toEqual([]);
});

test('no keychain on this host: generating a key says the key cannot be kept and names the credentials file, not ~/.pgpass (a password file cannot hold an age identity)', async () => {
  const noKeychain: SecretStore = {
    description: 'OS keychain (keytar)',
    availability: async () => ({ ok: false, reason: 'Cannot autolaunch D-Bus without X11 $DISPLAY' }),
    get: async () => undefined,
    set: async () => {
      throw new Error('set must not be reached');
    },
    delete: async () => false,
  };
  const keyring = new Keyring(home, noKeychain);
  for (const attempt of [() => keyring.generate('rdba'), () => keyring.addPassphrase('correct horse battery staple ok', 'pp')]) {
    const error = await attempt().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HoldfastError);
    expect((error as HoldfastError).code).toBe('NO_KEYCHAIN');
    expect((error as HoldfastError).message).toContain("the key's secret");
    expect((error as HoldfastError).message).toContain('Cannot autolaunch D-Bus');
    expect((error as HoldfastError).hint).toContain('HOLDFAST_SECRET_STORE=file');
    expect((error as HoldfastError).hint).not.toContain('pgpass');
  }
  expect(await keyring.entries()).toEqual([]);
});

describe('two Holdfast homes on one machine share one secret store (the user keychain)', () => {
  let secondHome: string;
  let sharedStoreDir: string;
  beforeEach(() => {
    secondHome = mkdtempSync(join(tmpdir(), 'holdfast-keyring-b-'));
    sharedStoreDir = mkdtempSync(join(tmpdir(), 'holdfast-keyring-store-'));
  });
  afterEach(() => {
    rmSync(secondHome, { recursive: true, force: true });
    rmSync(sharedStoreDir, { recursive: true, force: true });
  });
  const sharedStore = () => new EncryptedFileSecretStore(sharedStoreDir, { HOLDFAST_CREDENTIALS_KEY: 'k'.repeat(32) });

  const conflictOf = async (attempt: Promise<unknown>) => {
    const error = await attempt.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HoldfastError);
    expect((error as HoldfastError).code).toBe('CONFLICT');
    expect((error as HoldfastError).message).toContain('"offline"');
    expect((error as HoldfastError).message).toContain('another Holdfast home');
    expect((error as HoldfastError).hint).toContain('--name');
  };

  test("importing a different identity under a name another home already uses is refused, and the first home's secret stays", async () => {
    const homeA = new Keyring(home, sharedStore());
    const homeB = new Keyring(secondHome, sharedStore());
    const first = await generateX25519Identity();
    await homeA.import(first, 'offline');
    await conflictOf(homeB.import(await generateX25519Identity(), 'offline'));
    await conflictOf(homeB.generate('offline'));
    await conflictOf(homeB.addPassphrase('correct horse battery staple ok', 'offline'));
    expect((await homeA.export('offline')).identity).toBe(first);
    expect(await homeB.entries()).toEqual([]);
  });

  test("a passphrase key another home holds is never replaced by this home's key or passphrase of the same name", async () => {
    const homeA = new Keyring(home, sharedStore());
    const homeB = new Keyring(secondHome, sharedStore());
    await homeA.addPassphrase('the first home passphrase', 'offline');
    await conflictOf(homeB.addPassphrase('a second home passphrase', 'offline'));
    await conflictOf(homeB.generate('offline'));
    expect((await homeA.identities()).map((held) => held.identity)).toEqual(['the first home passphrase']);
  });

  test('the same identity imported under the same name in both homes is allowed: the store already holds exactly that secret', async () => {
    const homeA = new Keyring(home, sharedStore());
    const homeB = new Keyring(secondHome, sharedStore());
    const shared = await generateX25519Identity();
    const inA = await homeA.import(shared, 'offline');
    const inB = await homeB.import(shared, 'offline');
    expect(inB.recipient).toBe(inA.recipient);
    expect((await homeA.export('offline')).identity).toBe(shared);
  });
});

test("the offline copy of a key whose secret this machine lost goes back under the key's own name (the recovery the offline copy exists for)", async () => {
  const store = new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: 'k'.repeat(32) });
  const keyring = new Keyring(home, store);
  await keyring.generate('main');
  const offline = (await keyring.export('main')).identity;
  // The keychain was lost (a new machine user, a reset Secret Service): the key list still names the key.
  await store.delete('age-identity/main');
  expect((await keyring.withSecrets()).map((key) => [key.name, key.secretHere])).toEqual([['main', false]]);

  // Imported as a DBA would, without remembering the name it had.
  const restored = await keyring.import(`${offline}\n`);
  expect(restored.name).toBe('main');
  expect((await keyring.withSecrets()).map((key) => [key.name, key.secretHere])).toEqual([['main', true]]);

  // Once the secret is back, importing it again under another name is still refused, pointing to the name it has.
  const again = await keyring.import(`${offline}\n`, 'other').catch((caught: unknown) => caught);
  expect((again as HoldfastError).code).toBe('CONFLICT');
  expect((again as HoldfastError).message).toContain('"main"');
});
