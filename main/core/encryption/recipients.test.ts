// BACKUP_ENCRYPTION_KEY: recipients inline or in a file, checked at start with a message that says
// what is wrong and never echoes a secret.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { parseEncryptionKeySetting } from './recipients.ts';

const A = 'age1aa9h7vld60sx4yvw46v7w8ppxjacjsakfthqudffwlm7kf65x9xqpznwr8';
const B = 'age12tm2p4y7dv8puryr3tex9v757njmg5rgff4yjq400eddscu6c4xqgtulkg';
const dir = mkdtempSync(join(tmpdir(), 'holdfast-recipients-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseEncryptionKeySetting', () => {
  test('unset or empty: no encryption', () => {
    expect(parseEncryptionKeySetting(undefined)).toEqual([]);
    expect(parseEncryptionKeySetting('  ')).toEqual([]);
    expect(loadConfig({ HOLDFAST_HOME: dir }).encryptTo).toEqual([]);
  });

  test('inline, comma-separated, duplicates once; or a recipients file with comments', () => {
    expect(parseEncryptionKeySetting(` ${A} , ${B},${A}`)).toEqual([A, B]);
    const file = join(dir, 'recipients.txt');
    writeFileSync(file, `# backups\n${A}\n\n${B}\n`);
    expect(parseEncryptionKeySetting(file)).toEqual([A, B]);
    expect(loadConfig({ HOLDFAST_HOME: dir, BACKUP_ENCRYPTION_KEY: file }).encryptTo).toEqual([A, B]);
  });

  test('a secret, a typo, a missing or empty file: a clear BAD_INPUT, and the secret is not repeated', () => {
    const secret = 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ';
    expect(() => parseEncryptionKeySetting(secret)).toThrow(/holds an identity/);
    try {
      parseEncryptionKeySetting(secret);
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
      expect(error).toMatchObject({ code: 'BAD_INPUT' });
    }
    expect(() => parseEncryptionKeySetting(`${A.slice(0, -1)}x`)).toThrow(/cannot be decoded|not an X25519/);
    expect(() => parseEncryptionKeySetting('age1short')).toThrow(/not an X25519 age recipient/);
    expect(() => parseEncryptionKeySetting(join(dir, 'nope.txt'))).toThrow(/neither an age recipient .* nor a readable recipients file/);
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '# nothing\n');
    expect(() => parseEncryptionKeySetting(empty)).toThrow(/lists no recipient/);
  });
});
