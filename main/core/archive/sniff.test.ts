// What a file is taken for, from its first bytes, and which decoder a dump's encoding name picks.
import { describe, expect, test } from 'vitest';
import { decoderFor } from './encoding.ts';
import { sniff } from './sniff.ts';
import { buildArchive, lz4Frame, tarArchive, zstdFrame } from './test-support.ts';

describe('sniff', () => {
  test.each([
    [Buffer.alloc(0), 'an empty file'],
    [buildArchive({ format: 'custom', items: [] }), 'a pg_dump custom-format archive'],
    [tarArchive([['toc.dat', Buffer.from('x')]]).subarray(0, 512), 'a tar archive'],
    [Buffer.from([0x1f, 0x8b, 8, 0]), 'gzip-compressed data'],
    [zstdFrame([Buffer.from('x')]), 'zstd-compressed data'],
    [lz4Frame([Buffer.from('x')]), 'lz4-compressed data'],
    [Buffer.from('PK\x03\x04'), 'a zip archive'],
    [Buffer.from('--\n-- PostgreSQL database dump\n'), 'a plain SQL script'],
    [Buffer.from('\\restrict abc\n'), 'a plain SQL script'],
    [Buffer.from('hello'), 'something else'],
  ])('%#: %s', (head, expected) => {
    expect(sniff(head)).toBe(expected);
  });
});

describe('decoderFor', () => {
  test.each([
    [undefined, 'utf-8'],
    ['UTF8', 'utf-8'],
    ['LATIN1', 'windows-1252'],
    ['latin-9', 'iso-8859-15'],
    ['WIN1251', 'windows-1251'],
    ['ISO_8859_7', 'iso-8859-7'],
    ['EUC_JP', 'euc-jp'],
    ['SQL_ASCII', 'utf-8'],
    ['MULE_INTERNAL', 'utf-8'],
  ])('%s decodes as %s', (pg, encoding) => {
    expect(decoderFor(pg).encoding).toBe(encoding);
  });
});
