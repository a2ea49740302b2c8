import { describe, expect, test } from 'vitest';
import { encryptedTo, missingKeyReason, type KeyView } from './keys.ts';

const key = (name: string, recipient: string, secretHere: boolean, kind: KeyView['kind'] = 'x25519'): KeyView => ({ name, recipient, secretHere, kind, createdAt: '2026-12-05T00:00:00Z', backups: 1 });

describe('missingKeyReason', () => {
  test('null for a backup that is not encrypted, or whose key has its secret here', () => {
    expect(missingKeyReason(undefined, [])).toBeNull();
    expect(missingKeyReason({ recipients: ['age1a', 'age1b'] }, [key('b', 'age1b', true)])).toBeNull();
    expect(missingKeyReason({ recipients: ['passphrase:vault'] }, [key('other', 'passphrase:other', true, 'passphrase')])).toBeNull();
  });

  test('names the recipients, and the known key whose secret is missing', () => {
    const reason = missingKeyReason({ recipients: ['age1a'] }, [key('old', 'age1a', false), key('new', 'age1n', true)]);
    expect(reason).toContain('age1a');
    expect(reason).toContain('key "old"');
    expect(missingKeyReason({ recipients: ['age1z'] }, [])).toContain('holds the secret of none');
  });
});

describe('encryptedTo', () => {
  test('names each recipient by its key where the key is known, else by the recipient itself', () => {
    expect(encryptedTo({ recipients: ['age1a', 'age1z'] }, [key('main', 'age1a', true)])).toBe('age, to key "main" and age1z');
    expect(encryptedTo({ recipients: ['passphrase:vault'] }, [key('vault', 'passphrase:vault', true, 'passphrase')])).toBe('age, to key "vault"');
  });

  test('says so when the backup is not encrypted', () => {
    expect(encryptedTo(undefined, [])).toBe('none');
  });
});
