// tar (-Ft): every member header is checksummed and every member the TOC names must be present whole.
import { forEachLine } from './blob-list.ts';
import { ByteReader, truncatedFile } from './byte-reader.ts';
import { ARCH_TAR, COPY_TAIL, K_VERS_1_16 } from './constants.ts';
import { archiveFindings, dataEntries, owner } from './entries.ts';
import { DumpProblem } from './problem.ts';
import { sniff } from './sniff.ts';
import { abortableSource, rangeChunks, readAt, readHeadBytes, type Source, withFile } from './source.ts';
import { readHead, readToc } from './toc.ts';
import type { Findings } from './types.ts';

export interface TarMember {
  start: number;
  size: number;
}

export async function inspectTar(path: string, signal?: AbortSignal): Promise<Findings> {
  return withFile(path, 'tar archive', (src) => readTar(abortableSource(src, signal), path));
}

/** The check itself, over any source; `path` only names the archive in messages. */
export async function readTar(src: Source, path: string): Promise<Findings> {
  const size = src.size;
  const first = await readHeadBytes(src);
  if (first.length < 512) {
    throw new DumpProblem(`${path} has only ${size} bytes, less than one tar header: the archive is truncated or not a tar archive`);
  }
  if (first.subarray(257, 262).toString('latin1') !== 'ustar') {
    throw new DumpProblem(`${path} is not a tar archive: it looks like ${sniff(first)}`);
  }
  const members = await walkTar(src, size);
  const tocMember = members.get('toc.dat');
  if (!tocMember) throw new DumpProblem(`the tar archive has no toc.dat member: it is not a pg_dump tar-format dump`);
  const r = new ByteReader(
    src,
    tocMember.start,
    tocMember.start + tocMember.size,
    (context, needEnd, end) => `${context} ends at byte ${needEnd} but the toc.dat member stops at byte ${end}: toc.dat is damaged`,
  );
  const head = await readHead(r, ARCH_TAR, 'toc.dat member');
  const toc = await readToc(r, head, 'filename');

  for (const e of dataEntries(toc.entries)) {
    if (e.desc === 'BLOBS') {
      const listName = head.version >= K_VERS_1_16 ? `blobs_${e.dumpId}.toc` : 'blobs.toc';
      const list = members.get(listName);
      if (!list) throw new DumpProblem(`the tar archive has no ${listName} member for ${owner(e)}: the dump is incomplete`);
      await forEachLine(rangeChunks(src, list.start, list.start + list.size), listName, (oid, file) => {
        if (!members.has(file)) {
          throw new DumpProblem(`large object ${oid} is listed in ${listName} but its member ${file} is missing: the dump is incomplete`);
        }
      });
      continue;
    }
    if (!e.filename) throw new DumpProblem(`the TOC names no data member for ${owner(e)}: toc.dat is corrupt`);
    const m = members.get(e.filename);
    if (!m) {
      throw new DumpProblem(`the tar archive has no ${e.filename} member for ${owner(e)}: the dump is incomplete`);
    }
    if (e.hasCopyStmt && !e.filename.endsWith('.gz')) {
      const tail = await readAt(src, m.start + Math.max(0, m.size - COPY_TAIL.length), Math.min(m.size, COPY_TAIL.length));
      if (!tail.equals(COPY_TAIL)) {
        throw new DumpProblem(`tar member ${e.filename} of ${owner(e)} does not end with the COPY terminator: pg_dump did not finish writing the table's data`);
      }
    }
  }
  return archiveFindings(toc);
}

export function tarNumber(h: Buffer, off: number, len: number): number {
  // GNU base-256 for sizes beyond the 8 GB octal limit
  if (h[off]! & 0x80) {
    let v = h[off]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + h[off + i]!;
    return v;
  }
  const s = h
    .subarray(off, off + len)
    .toString('latin1')
    .replace(/[\0 ]+$/g, '')
    .trim();
  return s === '' ? 0 : /^[0-7]+$/.test(s) ? parseInt(s, 8) : NaN;
}

export function cString(h: Buffer, off: number, len: number): string {
  const field = h.subarray(off, off + len);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

export async function walkTar(src: Source, size: number): Promise<Map<string, TarMember>> {
  const members = new Map<string, TarMember>();
  const r = new ByteReader(src, 0, size, truncatedFile);
  let pos = 0;
  for (;;) {
    if (pos + 512 > size) {
      throw new DumpProblem(
        pos === size
          ? `the tar archive stops at byte ${size} without its end-of-archive blocks: the archive is truncated`
          : `the tar header at byte ${pos} ends at byte ${pos + 512} but the file has ${size} bytes: the archive is truncated`,
      );
    }
    r.pos = pos;
    r.context = `the tar header at byte ${pos}`;
    r.readAhead = 8 * 1024;
    const h = await r.bytes(512);
    if (h.every((b) => b === 0)) {
      // pg_dump closes the archive with two zero blocks; missing the second means a cut file.
      if (pos + 1024 > size) {
        throw new DumpProblem(`the tar archive ends at byte ${size} with only one of its two end-of-archive blocks: the archive is truncated`);
      }
      r.pos = pos + 512;
      const second = await r.bytes(512);
      if (!second.every((b) => b === 0)) {
        throw new DumpProblem(`the tar archive has data after an empty header block at byte ${pos}: the archive is corrupt`);
      }
      return members;
    }
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    const stored = tarNumber(h, 148, 8);
    const name = cString(h, 0, 100);
    if (stored !== sum) {
      throw new DumpProblem(`the tar header at byte ${pos} (member "${name}") fails its checksum: the archive is corrupt`);
    }
    const prefix = h.subarray(257, 262).toString('latin1') === 'ustar' ? cString(h, 345, 155) : '';
    const fullName = prefix ? `${prefix}/${name}` : name;
    const memberSize = tarNumber(h, 124, 12);
    if (!Number.isFinite(memberSize)) {
      throw new DumpProblem(`the tar header at byte ${pos} (member "${name}") has an unreadable size: the archive is corrupt`);
    }
    const start = pos + 512;
    const next = start + Math.ceil(memberSize / 512) * 512;
    if (next > size) {
      throw new DumpProblem(`tar member ${fullName} ends at byte ${next} but the file has ${size} bytes: the archive is truncated`);
    }
    const type = String.fromCharCode(h[156]!);
    if (type === '0' || type === '\0') members.set(fullName, { start, size: memberSize });
    pos = next;
  }
}
