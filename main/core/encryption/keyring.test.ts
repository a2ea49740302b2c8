// The keyring with a real secret store (the encrypted credentials file) and real age keys: what an
// import of a damaged identity says, and what it must never say.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { generateX25519Identity } from 'age-encryption';
import { EncryptedFileSecretStore } from '../secrets/file-store.ts';
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
