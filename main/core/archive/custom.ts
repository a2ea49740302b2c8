// custom (-Fc): the TOC records where each data block starts; every block is walked chunk header to
// chunk header, never by reading table data, unless the caller asks for the rows of an uncompressed or
// gzip-compressed archive (copy-rows.ts, inflated-copy-rows.ts): then each table's COPY data is read,
// and inflated, as the walk passes it.
import { ByteReader, truncatedFile, truncatedStream } from './byte-reader.ts';
import { ARCH_CUSTOM, BLK_BLOBS, BLK_DATA, K_OFFSET_NO_DATA, K_OFFSET_POS_NOT_SET, K_OFFSET_POS_SET } from './constants.ts';
import { CopyRowCounter } from './copy-rows.ts';
import { InflatingRowCounter } from './inflated-copy-rows.ts';
import { archiveFindings, dataEntries, describeData, owner, tableMapKey } from './entries.ts';
import { hashingSource } from './hashing-source.ts';
import { DumpProblem } from './problem.ts';
import { sniff } from './sniff.ts';
import { abortableSource, readHeadBytes, type Source, withFile } from './source.ts';
import { readHead, readToc, type Toc, type TocEntry } from './toc.ts';
import type { Findings } from './types.ts';

export async function inspectCustom(path: string, { signal }: Pick<CustomReadOptions, 'signal'> = {}): Promise<Findings> {
  return withFile(path, 'custom-format archive', (src) => readCustom(src, path, { signal }));
}

/**
 * The same check, with the file's SHA-256 taken from the bytes it reads (hashing-source.ts), and, when
 * the archive is uncompressed or gzip-compressed, each table's rows counted from the same bytes (the
 * hash reads them anyway).
 */
export async function inspectCustomHashed(path: string, { signal }: Pick<CustomReadOptions, 'signal'> = {}): Promise<Findings & { sha256: string }> {
  return withFile(path, 'custom-format archive', async (src) => {
    const hashing = hashingSource(src);
    const findings = await readCustom(hashing.source, path, { countRows: true, signal });
    return { ...findings, sha256: await hashing.digest() };
  });
}

/** A custom archive's table of contents alone, as the file has it now: a few reads at its start. */
export async function readCustomToc(path: string): Promise<Toc> {
  return withFile(path, 'custom-format archive', async (src) => {
    const r = new ByteReader(src, 0, src.size, truncatedFile);
    return readToc(r, await readHead(r, ARCH_CUSTOM, 'archive'), 'offset');
  });
}

export interface CustomReadOptions {
  /** Count each table's rows from its COPY data (tables[].rows) when the archive is uncompressed or gzip-compressed (`ROW_COUNTED_ALGORITHMS`). */
  countRows?: boolean;
  /** Told the offset where the table of contents ends, as soon as it was read (pg_restore --list needs no more). */
  onTocEnd?: (offset: number) => void;
  /** Told the table of contents as read, before the data is walked. */
  onToc?: (toc: Toc) => void;
  /**
   * Told where each data block starts and ends once walked (backup/follow-output.ts checks the final
   * TOC against the starts, and the file's length against the ends).
   */
  onBlock?: (dumpId: number, at: number, end: number) => void;
  /** Told where each data block starts before it is walked (backup/follow-output.ts hashes behind the walk once every start is known). */
  onBlockStart?: (dumpId: number, at: number) => void;
  /** Stops the walk at its next read, and a table's inflating count at once (holdfast import, cancelled). */
  signal?: AbortSignal;
}

/** The archive compressions whose COPY data the walk can count: Node 20 has no lz4 or zstd. */
/**
 * How far a walk reads ahead through dense data (rows, 4 kB zlib chunks), which it reads whole: each read
 * is a trip through libuv's pool, and on the VMs this runs on a thread wake-up costs ~0.2 ms of the main
 * thread's CPU (the hop itself, in `--cpu-prof`), so a 99 MB archive's walk makes ~100 reads, not ~400.
 */
const DENSE_READ_AHEAD = 1024 * 1024;

export const ROW_COUNTED_ALGORITHMS: readonly string[] = ['none', 'gzip'];

/** What a table's data block is fed to: its bytes as stored, then the block's end. */
interface RowCounter {
  addRange(bytes: Uint8Array, start: number, end: number): Promise<void> | undefined;
  end(): Promise<void> | undefined;
  rows(): number | undefined;
}

/** Per TABLE DATA dump id, the counter its COPY data is fed to. */
type RowCounters = Map<number, RowCounter>;

function rowCounter(algorithm: string, e: TocEntry, signal: AbortSignal | undefined): RowCounter {
  if (algorithm === 'gzip') return new InflatingRowCounter(owner(e), signal);
  const counter = new CopyRowCounter();
  return { addRange: (bytes, start, end) => void counter.addRange(bytes, start, end), end: () => undefined, rows: () => counter.rows() };
}

/** The check itself, over any source; `path` only names the archive in messages. */
export async function readCustom(given: Source, path: string, options: CustomReadOptions = {}): Promise<Findings> {
  const src = abortableSource(given, options.signal);
  const size = src.size;
  const first = await readHeadBytes(src);
  if (first.subarray(0, 5).toString('latin1') !== 'PGDMP') {
    throw new DumpProblem(`${path} is not a pg_dump custom-format archive: it looks like ${sniff(first)}`);
  }
  // A stream's length is unknown (stream-source.ts): a cut is reported without a file size.
  const r = new ByteReader(src, 0, size, size === Number.MAX_SAFE_INTEGER ? truncatedStream : truncatedFile);
  const head = await readHead(r, ARCH_CUSTOM, 'archive');
  const toc = await readToc(r, head, 'offset');
  options.onTocEnd?.(toc.end);
  options.onToc?.(toc);
  const counters: RowCounters = new Map();
  if (options.countRows && ROW_COUNTED_ALGORITHMS.includes(head.algorithm)) {
    for (const e of toc.entries) if (e.desc === 'TABLE DATA' && e.copyStmt !== undefined && e.hadDumper) counters.set(e.dumpId, rowCounter(head.algorithm, e, options.signal));
  }
  await checkCustomData(r, toc, size, counters, options);
  const findings = archiveFindings(toc);
  if (counters.size > 0) withRows(findings, toc, counters);
  return findings;
}

/** Each table's rows, when every data item of it was counted whole (a table has one, as pg_dump writes them). */
function withRows(findings: Findings, toc: Toc, counters: RowCounters): void {
  const key = tableMapKey;
  const counted = new Map<string, (number | undefined)[]>();
  for (const e of toc.entries) {
    if (e.desc !== 'TABLE DATA') continue;
    const k = key(e.namespace ?? '', e.tag);
    counted.set(k, [...(counted.get(k) ?? []), counters.get(e.dumpId)?.rows()]);
  }
  for (const table of findings.tables) {
    const items = counted.get(key(table.schema, table.name)) ?? [];
    if (table.hasData && items.length > 0 && items.every((rows) => rows !== undefined)) table.rows = items.reduce((sum: number, rows) => sum + rows!, 0);
  }
}

async function checkCustomData(r: ByteReader, toc: Toc, size: number, counters: RowCounters, { onBlock, onBlockStart }: Pick<CustomReadOptions, 'onBlock' | 'onBlockStart'>): Promise<void> {
  const wanted = dataEntries(toc.entries);
  for (const e of wanted) {
    // _PrintTocData() returns silently for NO_DATA, so a table would restore empty without a word.
    if (e.dataState === K_OFFSET_NO_DATA) {
      throw new DumpProblem(`the TOC says ${owner(e)} has data but records no position for it: the archive is corrupt`);
    }
  }
  const unplaced = wanted.filter((e) => e.dataState === K_OFFSET_POS_NOT_SET);
  if (unplaced.length > 0) {
    // No offsets: pg_dump wrote to a pipe (it never rewrote the TOC) or was killed before the end.
    // Either way the blocks follow the TOC back to back; walk them all as pg_restore would.
    await scanCustomSequentially(r, toc, counters, { onBlock, onBlockStart });
    return;
  }
  for (const e of wanted) {
    const label = describeData(e);
    const at = e.dataPos!;
    if (at < toc.end || at >= size) {
      throw new DumpProblem(
        at >= size ? `${label} should start at byte ${at} but the file has ${size} bytes: the archive is truncated` : `${label} is placed at byte ${at}, inside the TOC: the archive is corrupt`,
      );
    }
    r.pos = at;
    r.context = label;
    r.readAhead = 8 * 1024;
    const type = await r.u8();
    const id = await r.int();
    if (id !== e.dumpId) {
      throw new DumpProblem(`byte ${at} holds a data block for dump id ${id} where the TOC expects the ${label}: the archive is corrupt`);
    }
    onBlockStart?.(e.dumpId, at);
    await walkBlock(r, e, type, at, counters.get(e.dumpId));
    // A follower that read the file after pg_dump had rewritten its TOC walks the placed blocks too.
    onBlock?.(e.dumpId, at, r.pos);
  }
}

async function scanCustomSequentially(r: ByteReader, toc: Toc, counters: RowCounters, { onBlock, onBlockStart }: Pick<CustomReadOptions, 'onBlock' | 'onBlockStart'>): Promise<void> {
  const byId = new Map(toc.entries.map((e) => [e.dumpId, e]));
  const seen = new Set<number>();
  r.pos = toc.end;
  r.readAhead = DENSE_READ_AHEAD;
  // A file's size is known; a stream's (stream-source.ts) only once a read finds nothing more.
  while (!(await r.atEnd())) {
    const at = r.pos;
    r.context = `the data block header at byte ${at}`;
    const type = await r.u8();
    const id = await r.int();
    const e = byId.get(id);
    if (!e || !e.hadDumper) {
      throw new DumpProblem(`the data block at byte ${at} is for dump id ${id}, which has no data in the TOC: the archive is corrupt`);
    }
    // pg_restore reading in order restores the first and skips the rest: rows counted over both would lie.
    if (seen.has(id)) throw new DumpProblem(`byte ${at} holds a second ${describeData(e)}: the archive is corrupt`);
    if (e.dataState === K_OFFSET_POS_SET && e.dataPos !== at) {
      throw new DumpProblem(`${describeData(e)} was found at byte ${at} but the TOC places it at byte ${e.dataPos}: the archive is corrupt`);
    }
    r.context = describeData(e);
    onBlockStart?.(id, at);
    await walkBlock(r, e, type, at, counters.get(id));
    seen.add(id);
    onBlock?.(id, at, r.pos);
  }
  const missing = dataEntries(toc.entries).find((e) => !seen.has(e.dumpId));
  if (missing) {
    throw new DumpProblem(`the file ends at byte ${r.pos} without the ${describeData(missing)}: pg_dump did not finish writing the archive`);
  }
}

async function walkBlock(r: ByteReader, e: TocEntry, type: number, at: number, counter: RowCounter | undefined): Promise<void> {
  const expected = e.desc === 'BLOBS' ? BLK_BLOBS : BLK_DATA;
  if (type !== expected) {
    throw new DumpProblem(`${describeData(e)} at byte ${at} has block type ${type} instead of ${expected}: the archive is corrupt`);
  }
  if (type === BLK_DATA) {
    await (counter ? countChunks(r, counter) : walkChunks(r));
    return;
  }
  for (;;) {
    const oid = await r.int(); // one large object after another, ended by OID 0
    if (oid === 0) return;
    await walkChunks(r);
  }
}

/**
 * The next chunk's length. Read from the window without an await when it is there: an uncompressed
 * archive holds one chunk per row, and a promise and a microtask per chunk cost more than the walk
 * and the count together (a set's 2.4 million rows; issue 16).
 */
function chunkLength(r: ByteReader): number | Promise<number> {
  const len = r.intSync();
  return len === undefined ? r.int().then((read) => checkedLength(r, read)) : checkedLength(r, len);
}

function checkedLength(r: ByteReader, len: number): number {
  if (len < 0) {
    throw new DumpProblem(`${r.context} has a chunk of negative length before byte ${r.pos}: the archive is corrupt`);
  }
  return len;
}

/** Hops over `int length, bytes` chunks up to the zero length that _EndData() writes last. */
async function walkChunks(r: ByteReader): Promise<void> {
  for (;;) {
    const next = chunkLength(r);
    const len = typeof next === 'number' ? next : await next;
    if (len === 0) return;
    // Small chunks (uncompressed rows, 4 kB zlib output) are dense: read ahead generously. Big chunks
    // are hopped over: fetch just enough around the next header.
    r.readAhead = len >= 32 * 1024 ? 8 * 1024 : DENSE_READ_AHEAD;
    r.skip(len);
  }
}

/**
 * The same walk, reading each chunk's bytes into the table's row counter (uncompressed, one chunk is one
 * row, as pg_dump writes them; gzip, one chunk is 4 kB of zlib's output), and ending the counter with the block.
 */
async function countChunks(r: ByteReader, counter: RowCounter): Promise<void> {
  r.readAhead = DENSE_READ_AHEAD;
  for (;;) {
    const next = chunkLength(r);
    const len = typeof next === 'number' ? next : await next;
    if (len === 0) break;
    // Read in pieces below, whose first short read would name the piece's end, not the chunk's.
    r.within(len);
    for (let left = len; left > 0;) {
      const take = Math.min(left, 256 * 1024);
      const at = r.takeSync(take);
      let waiting: Promise<void> | undefined;
      if (at === undefined) {
        const bytes = await r.bytes(take);
        waiting = counter.addRange(bytes, 0, bytes.length);
      } else waiting = counter.addRange(r.window, at, at + take);
      if (waiting) await waiting;
      left -= take;
    }
  }
  await counter.end();
}
