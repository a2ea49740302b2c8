import { describe, expect, test } from 'vitest';
import { decoderOrUtf8, serverEncodingDecoder } from './server-encoding.ts';

describe('serverEncodingDecoder', () => {
  test.each([
    ['UTF8', Buffer.from('café', 'utf8'), 'café'],
    ['SQL_ASCII', Buffer.from('café', 'utf8'), 'café'],
    ['LATIN1', Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'café'],
    // True ISO 8859-1: 0x80–0x9F are C1 controls, not windows-1252's "€" and friends.
    ['LATIN1', Buffer.from([0x80, 0x9f]), '\u0080\u009f'],
    ['latin-9', Buffer.from([0xa4]), '€'],
    ['LATIN5', Buffer.from([0xfd]), 'ı'],
    ['WIN1251', Buffer.from([0xc4, 0xe0]), 'Да'],
    ['ISO_8859_7', Buffer.from([0xe1]), 'α'],
    ['KOI8R', Buffer.from([0xc4, 0xc1]), 'да'],
    ['EUC_JP', Buffer.from([0xa4, 0xa2]), 'あ'],
  ])('%s reads %j as %s', (encoding, bytes, text) => {
    expect(serverEncodingDecoder(encoding)!.decode(bytes)).toBe(text);
  });

  test('an encoding no decoder reads is undefined; decoderOrUtf8 reads it (and no encoding) as UTF-8', () => {
    expect(serverEncodingDecoder('MULE_INTERNAL')).toBeUndefined();
    expect(serverEncodingDecoder('EUC_TW')).toBeUndefined();
    expect(decoderOrUtf8('MULE_INTERNAL').decode(Buffer.from('ü', 'utf8'))).toBe('ü');
    expect(decoderOrUtf8(undefined).decode(Buffer.from('ü', 'utf8'))).toBe('ü');
  });

  test('a subarray of a larger buffer decodes only its own bytes', () => {
    const whole = Buffer.from([0x41, 0xe9, 0x42]);
    expect(serverEncodingDecoder('LATIN1')!.decode(whole.subarray(1, 2))).toBe('é');
  });
});
