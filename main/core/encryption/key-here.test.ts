// "Key not here" in a list: an encrypted backup is marked keyHere false when none of its recipients'
// secrets is in this machine's secret store, true when one is; a backup that is not encrypted is not
// marked. A real keyring over the encrypted file store in a throwaway home.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { EncryptedFileSecretStore } from '../secrets/file-store.ts';
import { markKeyHere, opensHere } from './key-here.ts';
import { Keyring } from './keyring.ts';

const ELSEWHERE = 'age1aa9h7vld60sx4yvw46v7w8ppxjacjsakfthqudffwlm7kf65x9xqpznwr8';
let home: string;
let keyring: Keyring;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'holdfast-key-here-'));
  keyring = new Keyring(home, new EncryptedFileSecretStore(home, { HOLDFAST_CREDENTIALS_KEY: 'k'.repeat(32) }));
});

afterEach(() => rmSync(home, { recursive: true, force: true }));

test('full records and summaries, loose or nested under a set: marked only when encrypted, false when no secret here opens them', async () => {
  const here = await keyring.generate('here');
  const entries = [
    { id: 'plain', encryption: undefined },
    { id: 'mine', encryption: { recipients: [ELSEWHERE, here.recipient] } },
    { id: 'theirs', encryption: { recipients: [ELSEWHERE] } },
    { id: 'summary-theirs', encryptedTo: [ELSEWHERE] },
    { id: 'summary-plain', encryptedTo: null },
    { id: 'attempt', status: 'failed' },
    { id: 'set', kind: 'set', members: [{ id: 'member', encryptedTo: [ELSEWHERE] }] },
  ];
  const marked = await markKeyHere(keyring, entries);
  const flat = marked.flatMap((entry): Array<{ id: string; keyHere?: boolean }> => [entry, ...(('members' in entry ? entry.members : undefined) ?? [])]);
  const keyHere = Object.fromEntries(flat.map((entry) => [entry.id, entry.keyHere]));
  expect(keyHere).toEqual({ plain: undefined, mine: true, theirs: false, 'summary-theirs': false, 'summary-plain': undefined, attempt: undefined, set: undefined, member: false });
});

test('a key on the list whose secret is gone from the store does not open anything; a passphrase key opens a passphrase backup', async () => {
  expect(opensHere([ELSEWHERE], [{ recipient: ELSEWHERE, kind: 'x25519', secretHere: false }])).toBe(false);
  expect(opensHere([ELSEWHERE], [{ recipient: ELSEWHERE, kind: 'x25519', secretHere: true }])).toBe(true);
  expect(opensHere(['passphrase:vault'], [{ recipient: 'passphrase:vault', kind: 'passphrase', secretHere: true }])).toBe(true);
});
