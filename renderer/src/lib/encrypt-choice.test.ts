import { describe, expect, test } from 'vitest';
import type { KeyView } from '../stores/keys.ts';
import { appliedEncryption, choiceFromValue, choiceToValue, defaultRecipients, encryptionMark } from './encrypt-choice.ts';

const A = `age1${'q'.repeat(58)}`;
const B = `age1${'p'.repeat(58)}`;
const keys: KeyView[] = [
  { name: 'team', recipient: A, kind: 'x25519', secretHere: true, createdAt: '2026-12-05T00:00:00Z', backups: 0 },
  { name: 'vault', recipient: 'passphrase:vault', kind: 'passphrase', secretHere: true, createdAt: '2026-12-05T00:00:00Z', backups: 0 },
];

describe('the encryption picker', () => {
  test('a choice is the value the engine takes: inherit leaves it out (null on a profile), keys a list, none "none"', () => {
    expect(choiceToValue({ mode: 'inherit' }, 'backup')).toBeUndefined();
    expect(choiceToValue({ mode: 'inherit' }, 'profile')).toBeNull();
    expect(choiceToValue({ mode: 'none' }, 'schedule')).toBe('none');
    expect(choiceToValue({ mode: 'keys', keys: ['team'], other: ` ${B}, ` }, 'backup')).toEqual(['team', B]);
    expect(choiceFromValue(undefined)).toEqual({ mode: 'inherit' });
    expect(choiceFromValue(null)).toEqual({ mode: 'inherit' });
    expect(choiceFromValue('none')).toEqual({ mode: 'none' });
    expect(choiceFromValue(['team', B])).toEqual({ mode: 'keys', keys: ['team', B], other: '' });
  });

  test('what applies follows the engine’s precedence, naming the level and each key by its name', () => {
    const levels = { profile: { value: null, label: 'the connection' }, setting: [A] } as const;
    expect(appliedEncryption({ own: { value: undefined, label: 'this backup' }, ...levels }, keys)).toBe('Encrypted to key “team” (chosen by BACKUP_ENCRYPTION_KEY, the default recipients).');
    expect(appliedEncryption({ own: { value: 'none', label: 'this backup' }, ...levels }, keys)).toBe('Not encrypted (chosen by this backup).');
    expect(appliedEncryption({ own: { value: undefined, label: 'this backup' }, profile: { value: [B, 'vault'], label: 'the connection' }, setting: [] }, keys)).toBe(
      `Encrypted to ${B} and key “vault” (passphrase) (chosen by the connection).`,
    );
    expect(appliedEncryption({ setting: [] }, keys)).toBe('Not encrypted (chosen by BACKUP_ENCRYPTION_KEY, the default recipients: none are set).');
  });

  test('the default recipients are read from the setting as the engine lists them', () => {
    expect(defaultRecipients(undefined)).toEqual([]);
    expect(defaultRecipients({ value: '' })).toEqual([]);
    expect(defaultRecipients({ value: `${A},${B}` })).toEqual([A, B]);
  });
});

describe("the Schedules list's encryption mark", () => {
  test('says whom the backups are encrypted to, by the same precedence as the engine; nothing when they are not', () => {
    expect(encryptionMark({ own: { value: ['team'], label: 's' }, setting: [] }, keys)).toBe('encrypted to “team”');
    // Inherited from the connection, or from BACKUP_ENCRYPTION_KEY: still encrypted, and marked.
    expect(encryptionMark({ own: { value: undefined, label: 's' }, profile: { value: [A, B], label: 'p' }, setting: [] }, keys)).toBe(`encrypted to “team”, ${B.slice(0, 12)}…`);
    expect(encryptionMark({ own: { value: undefined, label: 's' }, profile: { value: null, label: 'p' }, setting: ['passphrase:vault'] }, keys)).toBe('encrypted to “vault”');
    // The schedule's own "not encrypted" outranks the default.
    expect(encryptionMark({ own: { value: 'none', label: 's' }, setting: [A] }, keys)).toBeNull();
    expect(encryptionMark({ setting: [] }, keys)).toBeNull();
  });
});
