// Names what a file looks like from its first bytes, for messages about a dump that is not what it should be.
import { LZ4_MAGIC, ZSTD_MAGIC } from './constants.ts';

export function sniff(head: Buffer): string {
  if (head.length === 0) return 'an empty file';
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'a pg_dump custom-format archive';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'a tar archive';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip-compressed data';
  const magic = head.length >= 4 ? head.readUInt32LE(0) : 0;
  if (magic === ZSTD_MAGIC) return 'zstd-compressed data';
  if (magic === LZ4_MAGIC) return 'lz4-compressed data';
  if (head[0] === 0x50 && head[1] === 0x4b) return 'a zip archive';
  const text = head.toString('latin1');
  if (text.includes('PostgreSQL database') || /^(--|SET |CREATE |\\restrict)/.test(text)) return 'a plain SQL script';
  return 'something else';
}
