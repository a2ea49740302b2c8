// What a file is taken for, from its first bytes, and which decoder a dump's encoding name picks.
import { describe, expect, test } from 'vitest';
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
