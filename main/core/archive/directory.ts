// directory (-Fd): toc.dat plus one data file per entry, each checked for being whole on its own.
import { createReadStream } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { forEachLine } from './blob-list.ts';
import { ByteReader, EMPTY } from './byte-reader.ts';
import { ARCH_TAR, COPY_TAIL, K_VERS_1_16 } from './constants.ts';
import { archiveFindings, dataEntries, owner } from './entries.ts';
import { walkLz4, walkZstd } from './frames.ts';
import { DumpProblem } from './problem.ts';
import { sniff } from './sniff.ts';
import { abortableSource, bufferSource, fileSource, openFile, readAt, readHeadBytes, type Source } from './source.ts';
import { readHead, readToc, type Toc } from './toc.ts';
import type { Findings } from './types.ts';

type Compression = 'none' | 'gzip' | 'lz4' | 'zstd';
const SUFFIXES: [string, Compression][] = [
  ['', 'none'],
  ['.gz', 'gzip'],
  ['.lz4', 'lz4'],
  ['.zst', 'zstd'],
];

export async function inspectDirectory(path: string, signal?: AbortSignal): Promise<Findings> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DumpProblem(`${path} does not exist: the dump directory was never written or has been removed`);
    }
    throw err;
  }
  if (!st.isDirectory()) {
    throw new DumpProblem(`${path} is a file, not a directory: a directory-format dump is a folder holding toc.dat and data files`);
  }
  const names = new Set(await readdir(path));
  // Only the TOC-less case is ambiguous: a failed pg_dump and a wrong folder look the same.
  let src: Source;
  let fh: FileHandle | undefined;
  if (names.has('toc.dat')) {
    const opened = await openFile(join(path, 'toc.dat'), 'toc.dat');
    fh = opened.fh;
    src = opened.src;
  } else if (names.has('toc.dat.gz')) {
    // pg_restore accepts a hand-gzipped TOC; TOCs are small enough to inflate in memory.
    src = bufferSource(await gunzipFile(join(path, 'toc.dat.gz')));
  } else {
    throw new DumpProblem(`${path} has no toc.dat: it is not a directory-format dump, or pg_dump failed before writing its TOC`);
  }
  let toc: Toc;
  try {
    const first = await readHeadBytes(src);
    if (first.subarray(0, 5).toString('latin1') !== 'PGDMP') {
      throw new DumpProblem(`toc.dat in ${path} is not a pg_dump TOC: it looks like ${sniff(first)}`);
    }
    const r = new ByteReader(src, 0, src.size, (context, needEnd, end) => `${context} ends at byte ${needEnd} but toc.dat has ${end} bytes: toc.dat is truncated`);
    const head = await readHead(r, ARCH_TAR, 'toc.dat');
    toc = await readToc(r, head, 'filename');
  } finally {
    await fh?.close();
  }

  const find = (base: string): { file: string; compression: Compression } | undefined => {
    for (const [suffix, compression] of SUFFIXES) {
      if (names.has(base + suffix)) return { file: base + suffix, compression };
    }
    return undefined;
  };

  const problems = await mapLimited(dataEntries(toc.entries), 4, async (e): Promise<string | undefined> => {
    const label = owner(e);
    if (e.desc === 'BLOBS') {
      // Before 1.16 the file was always blobs.toc whatever the TOC said (see _LoadLOs()).
      const listBase = toc.head.version < K_VERS_1_16 || !e.filename ? 'blobs.toc' : e.filename;
      const list = find(listBase);
      if (!list || (list.compression !== 'none' && list.compression !== 'gzip')) {
        return `${listBase} for ${label} is missing from ${path}: the dump is incomplete`;
      }
      const blobFiles: { oid: string; file: string }[] = [];
      const listPath = join(path, list.file);
      const stream = list.compression === 'gzip' ? createReadStream(listPath).pipe(createGunzip()) : createReadStream(listPath);
      try {
        await forEachLine(stream, list.file, (oid, file) => {
          blobFiles.push({ oid, file });
        });
      } catch (err) {
        if (err instanceof DumpProblem) return err.message;
        return `${list.file} could not be read (${(err as Error).message}): the large-object list is damaged`;
      }
      for (const { oid, file } of blobFiles) {
        const found = find(file);
        if (!found) return `large object ${oid} is listed in ${list.file} but ${file} is missing: the dump is incomplete`;
        const bad = await checkDataFile(join(path, found.file), found.compression, `data file ${found.file} of large object ${oid}`, false, signal);
        if (bad) return bad;
      }
      return undefined;
    }
    if (!e.filename) return `the TOC names no data file for ${label}: toc.dat is corrupt`;
    const found = find(e.filename);
    if (!found) return `data file ${e.filename} for ${label} is missing from ${path}: the dump is incomplete`;
    return checkDataFile(join(path, found.file), found.compression, `data file ${found.file} of ${label}`, e.hasCopyStmt, signal);
  });
  const problem = problems.find((p) => p !== undefined);
  if (problem) throw new DumpProblem(problem);
  return archiveFindings(toc);
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function gunzipFile(path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  try {
    await pipeline(createReadStream(path), createGunzip(), async (source: AsyncIterable<Buffer>) => {
      for await (const c of source) parts.push(c);
    });
  } catch (err) {
    throw new DumpProblem(`${path} is not a complete gzip stream (${(err as Error).message}): it is truncated or corrupt`);
  }
  return Buffer.concat(parts);
}

/**
 * Directory data files record no length anywhere, so completeness has to come from the file itself:
 * gzip's trailer (CRC and length), the lz4/zstd frame structure, and the COPY terminator.
 */
export async function checkDataFile(path: string, compression: Compression, label: string, copyData: boolean, signal?: AbortSignal): Promise<string | undefined> {
  signal?.throwIfAborted();
  if (compression === 'gzip') {
    let tail: Buffer = EMPTY;
    try {
      await pipeline(
        createReadStream(path),
        createGunzip(),
        async (source: AsyncIterable<Buffer>) => {
          for await (const c of source as AsyncIterable<Buffer>) {
            tail = c.length >= COPY_TAIL.length ? c.subarray(c.length - COPY_TAIL.length) : Buffer.concat([tail, c]).subarray(-COPY_TAIL.length);
          }
        },
        { signal },
      );
    } catch (err) {
      signal?.throwIfAborted();
      return `${label} is not a complete gzip stream (${(err as Error).message}): the file is truncated or corrupt`;
    }
    if (copyData && !tail.equals(COPY_TAIL)) {
      return `${label} does not end with the COPY terminator: pg_dump did not finish writing the table's data`;
    }
    return undefined;
  }
  const st = await stat(path);
  if (compression === 'none') {
    if (!copyData) return undefined; // a large object may legitimately be empty
    if (st.size < COPY_TAIL.length) return `${label} has only ${st.size} bytes: pg_dump did not finish writing the table's data`;
    const fh = await open(path, 'r');
    try {
      const tail = await readAt(fileSource(fh, st.size), st.size - COPY_TAIL.length, COPY_TAIL.length);
      if (!tail.equals(COPY_TAIL)) {
        return `${label} does not end with the COPY terminator: pg_dump did not finish writing the table's data`;
      }
    } finally {
      await fh.close();
    }
    return undefined;
  }
  // Node 20 ships no lz4 or zstd decoder, so the data itself cannot be checked; walking the frame
  // and block headers still proves every block is present, which catches truncation.
  if (st.size === 0) return `${label} is empty: pg_dump did not finish writing it`;
  const fh = await open(path, 'r');
  try {
    const r = new ByteReader(
      abortableSource(fileSource(fh, st.size), signal),
      0,
      st.size,
      (context, needEnd, end) => `${label} is cut short: its ${compression} ${context} ends at byte ${needEnd} but the file has ${end} bytes`,
    );
    await (compression === 'lz4' ? walkLz4(r, label) : walkZstd(r, label));
  } catch (err) {
    if (err instanceof DumpProblem) return err.message;
    throw err;
  } finally {
    await fh.close();
  }
  return undefined;
}
