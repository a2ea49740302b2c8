// Our bech32 check must agree with the age library on every recipient it is shown: real ones, and
// each with one character changed (what a typo or a copy-paste accident does).
import { Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption';
import { describe, expect, test } from 'vitest';
import { decodeBech32 } from './bech32.ts';

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

function libraryAccepts(recipient: string): boolean {
  try {
    new Encrypter().addRecipient(recipient);
    return true;
  } catch {
    return false;
  }
}

const isX25519Recipient = (text: string) => {
  const decoded = decodeBech32(text);
  return decoded !== undefined && decoded.prefix === 'age' && decoded.bytes.length === 32;
};

describe('decodeBech32', () => {
  test('real recipients decode to 32 bytes under "age", as the library reads them', async () => {
    for (let i = 0; i < 20; i++) {
      const recipient = await identityToRecipient(await generateX25519Identity());
      expect(isX25519Recipient(recipient)).toBe(true);
      expect(libraryAccepts(recipient)).toBe(true);
    }
  });

  test('every one-character change of a recipient: the same verdict as the library', async () => {
    const recipient = await identityToRecipient(await generateX25519Identity());
    let rejected = 0;
    for (let position = 4; position < recipient.length; position++) {
      for (const char of CHARSET) {
        if (char === recipient[position]) continue;
        const changed = recipient.slice(0, position) + char + recipient.slice(position + 1);
        expect(isX25519Recipient(changed), changed).toBe(libraryAccepts(changed));
        if (!isX25519Recipient(changed)) rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(1000); // bech32 catches every single substitution
  });

  test('mixed case, a missing separator, a character outside the alphabet, too short: not bech32', () => {
    const recipient = 'age1aa9h7vld60sx4yvw46v7w8ppxjacjsakfthqudffwlm7kf65x9xqpznwr8';
    expect(isX25519Recipient(recipient)).toBe(true);
    expect(decodeBech32(recipient.toUpperCase())?.bytes.length).toBe(32);
    expect(decodeBech32(`${recipient.slice(0, 10)}A${recipient.slice(11)}`)).toBeUndefined();
    expect(decodeBech32(recipient.replace('age1', 'age'))).toBeUndefined();
    expect(decodeBech32(`${recipient.slice(0, -1)}b`)).toBeUndefined();
    expect(decodeBech32('age1qqqqq')).toBeUndefined();
  });
});
