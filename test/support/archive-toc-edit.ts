// An altered archive, as a suite about untrusted dumps needs one: a directory-format dump's toc.dat
// with one of its strings rewritten (pg_backup_archiver.c's WriteStr: a sign byte, an intSize-byte
// little-endian length, the bytes). A directory dump keeps its data in other files, so the TOC may
// change length without moving any data offset.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Replaces `from` by `to` inside the one TOC string that holds `from`, and fixes that string's length. */
export function rewriteTocString(directoryDump: string, from: string, to: string): void {
  const path = join(directoryDump, 'toc.dat');
  const toc = readFileSync(path);
  const intSize = toc[8]!; // "PGDMP", major, minor, revision, intSize
  const at = toc.indexOf(from, 0, 'utf8');
  if (at < 0 || toc.indexOf(from, at + 1, 'utf8') >= 0) throw new Error(`toc.dat holds "${from}" ${at < 0 ? 'nowhere' : 'more than once'}`);
  const end = at + Buffer.byteLength(from);
  for (let start = at; start > 1 + intSize; start -= 1) {
    const sign = toc[start - 1 - intSize];
    let length = 0;
    for (let k = intSize - 1; k >= 0; k -= 1) length = length * 256 + toc[start - intSize + k]!;
    if (sign !== 0 || start + length < end || toc.subarray(start, start + length).includes(0)) continue;
    const text = toc
      .subarray(start, start + length)
      .toString('utf8')
      .replace(from, to);
    const bytes = Buffer.from(text, 'utf8');
    const header = Buffer.alloc(1 + intSize);
    for (let k = 0, rest = bytes.length; k < intSize; k += 1, rest = Math.floor(rest / 256)) header[1 + k] = rest % 256;
    writeFileSync(path, Buffer.concat([toc.subarray(0, start - 1 - intSize), header, bytes, toc.subarray(start + length)]));
    return;
  }
  throw new Error(`no TOC string holds "${from}"`);
}
