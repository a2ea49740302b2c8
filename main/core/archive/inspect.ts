// Proves that a pg_dump output is complete without restoring it: every data block, member or file the
// dump's own table of contents promises must be present in full. The archive layouts follow
// src/bin/pg_dump/pg_backup_{archiver,custom,directory,tar}.c for archive versions 1.0–1.16: 1.14 is
// written by PostgreSQL 12–15, 1.15 by 16, 1.16 by 17 and 18.
//
// Everything is streamed or read through a small sliding window, so memory stays flat however large
// the dump is: a custom archive is checked by hopping from chunk header to chunk header, never by
// reading table data.
import { createReadStream } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

export type DumpFormat = 'custom' | 'directory' | 'tar' | 'plain';

export interface ArchiveTable {
  schema: string;
  name: string;
  hasData: boolean;
  /** plain format only: rows in the COPY block */
  rows?: number;
}

/** A TABLE DATA entry of an archive's TOC: what pg_restore --verbose names by dump id as it finishes. */
export interface ArchiveDataItem {
  dumpId: number;
  schema: string;
  name: string;
  /**
   * Whether its COPY loads the table itself. pg_dump --load-via-partition-root (and pg_dump 16+ on its
   * own for some hash partitions) copies through the root, so the rows may land in another partition.
   */
  intoItself: boolean;
}

export type ArchiveInspection =
  | {
      ok: true;
      format: DumpFormat;
      archiveVersion?: string;
      compression?: string;
      tables: ArchiveTable[];
      /** custom, directory and tar archives */
      dataItems?: ArchiveDataItem[];
      entryCount: number;
    }
  | { ok: false; format: DumpFormat; problem: string };

export interface InspectOptions {
  /**
   * Plain format only: whether the catalogue recorded the file as gzip-compressed. The file's content
   * decides how it is read either way; a mismatch is reported because a restore that trusts the
   * record would feed psql the wrong bytes.
   */
  gzip?: boolean;
}

/** Never throws for a damaged or absent dump: every failure comes back as `ok: false` with a sentence. */
export async function inspectArchive(path: string, format: DumpFormat, options: InspectOptions = {}): Promise<ArchiveInspection> {
  try {
    switch (format) {
      case 'custom':
        return { ok: true, format, ...(await inspectCustom(path)) };
      case 'directory':
        return { ok: true, format, ...(await inspectDirectory(path)) };
      case 'tar':
        return { ok: true, format, ...(await inspectTar(path)) };
      case 'plain':
        return { ok: true, format, ...(await inspectPlain(path, options.gzip)) };
      default:
        return { ok: false, format, problem: `unknown dump format "${String(format)}"` };
    }
  } catch (err) {
    return { ok: false, format, problem: describeError(err, path) };
  }
}

type Findings = Omit<Extract<ArchiveInspection, { ok: true }>, 'ok' | 'format'>;

/** A defect in the dump; its message is the sentence returned as `problem`. */
class DumpProblem extends Error {}

function describeError(err: unknown, path: string): string {
  if (err instanceof DumpProblem) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return `${path} does not exist: the dump was never written or has been removed`;
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return `${path} cannot be read: permission denied`;
  if (e?.code === 'EISDIR') return `${path} is a directory, not a dump file`;
  return `${path} could not be read: ${e?.message ?? String(err)}`;
}

// ---------------------------------------------------------------------------------------------------
// Archive constants (pg_backup_archiver.h, pg_backup.h)

const vers = (major: number, minor: number, rev = 0) => (major * 256 + minor) * 256 + rev;
const K_VERS_1_0 = vers(1, 0);
const K_VERS_1_2 = vers(1, 2);
const K_VERS_1_3 = vers(1, 3);
const K_VERS_1_4 = vers(1, 4);
const K_VERS_1_5 = vers(1, 5);
const K_VERS_1_6 = vers(1, 6);
const K_VERS_1_7 = vers(1, 7);
const K_VERS_1_8 = vers(1, 8);
const K_VERS_1_9 = vers(1, 9);
const K_VERS_1_10 = vers(1, 10);
const K_VERS_1_11 = vers(1, 11);
const K_VERS_1_14 = vers(1, 14);
const K_VERS_1_15 = vers(1, 15);
const K_VERS_1_16 = vers(1, 16);
const K_VERS_MAX = vers(1, 16, 255);

const ARCH_CUSTOM = 1;
const ARCH_TAR = 3; // toc.dat of both tar and directory dumps carries the tar code

const K_OFFSET_POS_NOT_SET = 1;
const K_OFFSET_POS_SET = 2;
const K_OFFSET_NO_DATA = 3;

const BLK_DATA = 1;
const BLK_BLOBS = 3;

/** dumpTableData_copy() ends every COPY data stream with this, so its absence means a cut-off file. */
const COPY_TAIL = Buffer.from('\\.\n\n\n', 'latin1');

// ---------------------------------------------------------------------------------------------------
// Random-access byte reading through one reusable window

interface Source {
  readonly size: number;
  readAt(target: Buffer, offset: number, length: number, position: number): Promise<number>;
}

function fileSource(fh: FileHandle, size: number): Source {
  return {
    size,
    async readAt(target, offset, length, position) {
      return (await fh.read(target, offset, length, position)).bytesRead;
    },
  };
}

function bufferSource(buf: Buffer): Source {
  return {
    size: buf.length,
    async readAt(target, offset, length, position) {
      return buf.copy(target, offset, position, Math.min(buf.length, position + length));
    },
  };
}

const EMPTY = Buffer.alloc(0);

class ByteReader {
  pos: number;
  /** Names what is being read, for the truncation message. */
  context = 'the file';
  intSize = 4;
  offSize = 8;
  /** Bytes fetched past what is needed: large while data is dense, small while hopping over big chunks. */
  readAhead = 64 * 1024;
  private win = Buffer.allocUnsafe(256 * 1024);
  private winStart = 0;
  private winLen = 0;

  constructor(
    private readonly src: Source,
    start: number,
    readonly end: number,
    private readonly short: (context: string, needEnd: number, end: number) => string,
  ) {
    this.pos = start;
  }

  private fail(needEnd: number): never {
    throw new DumpProblem(this.short(this.context, needEnd, this.end));
  }

  /** Makes [pos, pos+n) readable and returns its offset in the window. */
  async ensure(n: number): Promise<number> {
    const o = this.pos - this.winStart;
    if (o >= 0 && o + n <= this.winLen) return o;
    if (this.pos + n > this.end) this.fail(this.pos + n);
    const want = Math.min(this.end - this.pos, Math.max(n, this.readAhead));
    if (want > this.win.length) this.win = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const r = await this.src.readAt(this.win, got, want - got, this.pos + got);
      if (r === 0) break;
      got += r;
    }
    this.winStart = this.pos;
    this.winLen = got;
    // The file shrank under us (or the source lied about its size): same outcome as a cut file.
    if (got < n) this.fail(this.pos + n);
    return 0;
  }

  get window(): Buffer {
    return this.win;
  }

  async u8(): Promise<number> {
    const o = await this.ensure(1);
    this.pos += 1;
    return this.win[o]!;
  }

  async u32le(): Promise<number> {
    const o = await this.ensure(4);
    this.pos += 4;
    return this.win.readUInt32LE(o);
  }

  /** A view valid only until the next read. */
  async bytes(n: number): Promise<Buffer> {
    const o = await this.ensure(n);
    this.pos += n;
    return this.win.subarray(o, o + n);
  }

  /** ReadInt(): a sign byte, then intSize little-endian magnitude bytes. */
  intSync(): number | undefined {
    const n = this.intSize + 1;
    const o = this.pos - this.winStart;
    if (o < 0 || o + n > this.winLen) return undefined;
    const w = this.win;
    let v = 0;
    let mul = 1;
    for (let i = 1; i < n; i++) {
      v += w[o + i]! * mul;
      mul *= 256;
    }
    this.pos += n;
    return w[o] === 0 ? v : -v;
  }

  async int(): Promise<number> {
    const v = this.intSync();
    if (v !== undefined) return v;
    await this.ensure(this.intSize + 1);
    return this.intSync()!;
  }

  /** ReadStr(): an int length (negative = NULL) and that many bytes; the view is short-lived. */
  async str(): Promise<Buffer | null> {
    const len = await this.int();
    if (len < 0) return null;
    if (len === 0) return EMPTY;
    return this.bytes(len);
  }

  async text(): Promise<string | null> {
    const b = await this.str();
    return b === null ? null : b.toString('utf8');
  }

  async ownedStr(): Promise<Buffer | null> {
    const b = await this.str();
    return b === null ? null : Buffer.from(b);
  }

  /** Returns true when the string was NULL. Skipping avoids loading large definitions. */
  async skipStr(): Promise<boolean> {
    const len = await this.int();
    if (len > 0) this.skip(len);
    return len < 0;
  }

  skip(n: number): void {
    if (this.pos + n > this.end) this.fail(this.pos + n);
    this.pos += n;
  }

  /** ReadOffset(): a state flag and an offSize-byte little-endian file offset. */
  async offset(version: number): Promise<{ state: number; pos: number }> {
    if (version < K_VERS_1_7) {
      const i = await this.int();
      if (i < 0) return { state: K_OFFSET_POS_NOT_SET, pos: 0 };
      if (i === 0) return { state: K_OFFSET_NO_DATA, pos: 0 };
      return { state: K_OFFSET_POS_SET, pos: i };
    }
    const state = await this.u8();
    const o = await this.ensure(this.offSize);
    let pos = 0;
    let mul = 1;
    for (let i = 0; i < this.offSize; i++) {
      pos += this.win[o + i]! * mul;
      mul *= 256;
    }
    this.pos += this.offSize;
    if (state !== K_OFFSET_POS_NOT_SET && state !== K_OFFSET_POS_SET && state !== K_OFFSET_NO_DATA) {
      throw new DumpProblem(`${this.context} has an invalid data-offset flag (${state}): the TOC is corrupt`);
    }
    return { state, pos };
  }
}

const truncatedFile = (context: string, needEnd: number, end: number) =>
  `${context} ends at byte ${needEnd} but the file has ${end} bytes: the archive is truncated`;

async function readAt(src: Source, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const r = await src.readAt(buf, got, len - got, pos + got);
    if (r === 0) break;
    got += r;
  }
  return buf.subarray(0, got);
}

// ---------------------------------------------------------------------------------------------------
// Header and TOC (ReadHead / ReadToc)

interface ArchiveHead {
  version: number;
  versionText: string;
  /** 'none' | 'gzip' | 'lz4' | 'zstd' | 'unknown' */
  algorithm: string;
  compression: string;
}

interface TocEntry {
  dumpId: number;
  hadDumper: boolean;
  desc: string;
  tag: string;
  namespace: string | null;
  hasCopyStmt: boolean;
  /** TABLE DATA entries only */
  copyStmt?: string;
  /** custom format */
  dataState?: number;
  dataPos?: number;
  /** tar and directory formats */
  filename?: string | null;
}

interface Toc {
  head: ArchiveHead;
  entries: TocEntry[];
  end: number;
}

async function readHead(r: ByteReader, expectedFormat: number, formatName: string): Promise<ArchiveHead> {
  r.context = 'the archive header';
  const magic = (await r.bytes(5)).toString('latin1');
  if (magic !== 'PGDMP') {
    throw new DumpProblem(`the ${formatName} has no PGDMP signature: it is not a pg_dump archive`);
  }
  const vmaj = await r.u8();
  const vmin = await r.u8();
  const vrev = vmaj > 1 || (vmaj === 1 && vmin > 0) ? await r.u8() : 0;
  const version = vers(vmaj, vmin, vrev);
  const versionText = `${vmaj}.${vmin}-${vrev}`;
  if (version < K_VERS_1_0 || version > K_VERS_MAX) {
    throw new DumpProblem(
      `archive version ${versionText} is outside the 1.0–1.16 range this check understands: use a matching pg_restore --list to inspect it`,
    );
  }
  r.intSize = await r.u8();
  r.offSize = version >= K_VERS_1_7 ? await r.u8() : r.intSize;
  // Wider integers would lose precision in a JS number; pg_dump has only ever written 4 and 8.
  if (r.intSize < 1 || r.intSize > 8 || r.offSize < 1 || r.offSize > 8) {
    throw new DumpProblem(
      `the archive header declares ${r.intSize}-byte integers and ${r.offSize}-byte offsets: the header is corrupt`,
    );
  }
  const fmt = await r.u8();
  if (fmt !== expectedFormat) {
    const found = fmt === ARCH_CUSTOM ? 'a custom-format archive' : fmt === ARCH_TAR ? 'the TOC of a tar or directory dump' : `an unknown format (code ${fmt})`;
    throw new DumpProblem(`the ${formatName} header says it is ${found}, which does not match the dump format being checked`);
  }
  let algorithm = 'none';
  let compression = 'none';
  if (version >= K_VERS_1_15) {
    const algo = await r.u8();
    algorithm = ['none', 'gzip', 'lz4', 'zstd'][algo] ?? 'unknown';
    compression = algorithm === 'unknown' ? `unknown (${algo})` : algorithm;
  } else if (version >= K_VERS_1_2) {
    const level = version < K_VERS_1_4 ? await r.u8() : await r.int();
    if (level !== 0) {
      algorithm = 'gzip';
      compression = level === -1 ? 'gzip' : `gzip (level ${level})`;
    }
  } else {
    algorithm = compression = 'gzip';
  }
  if (version >= K_VERS_1_4) {
    for (let i = 0; i < 7; i++) await r.int(); // creation time as struct tm fields
    await r.skipStr(); // database name
  }
  if (version >= K_VERS_1_10) {
    await r.skipStr(); // server version
    await r.skipStr(); // pg_dump version
  }
  return { version, versionText, algorithm, compression };
}

async function readToc(r: ByteReader, head: ArchiveHead, extra: 'offset' | 'filename'): Promise<Toc> {
  const v = head.version;
  r.context = 'the TOC';
  const count = await r.int();
  // No upper bound is needed: every entry consumes bytes, so a corrupt count runs into the end.
  if (count < 0) throw new DumpProblem(`the TOC claims ${count} entries: the archive is corrupt`);
  // Archive 1.16 gained a relkind int after tableam. Decide once, on the first entry, whether it is
  // there: the withOids string that follows must then read "true" or "false".
  let hasRelkind: boolean | undefined = v >= K_VERS_1_16 ? undefined : false;
  let encoding: string | undefined;
  const raw: { entry: Omit<TocEntry, 'tag' | 'namespace'>; tag: Buffer | null; ns: Buffer | null; copy: Buffer | null }[] = [];

  const readTail = async (withRelkind: boolean, label: string): Promise<void> => {
    if (withRelkind) await r.int();
    await r.skipStr(); // owner
    if (v >= K_VERS_1_9) {
      const withOids = await r.text();
      if (withOids !== 'true' && withOids !== 'false') {
        throw new DumpProblem(`${label} has an unreadable field layout: the TOC is corrupt`);
      }
    }
  };

  for (let i = 0; i < count; i++) {
    const label = `TOC entry ${i + 1} of ${count}`;
    r.context = label;
    const dumpId = await r.int();
    if (dumpId <= 0) throw new DumpProblem(`${label} has dump id ${dumpId}: the TOC is corrupt`);
    const hadDumper = (await r.int()) !== 0;
    if (v >= K_VERS_1_8) await r.skipStr(); // tableoid
    await r.skipStr(); // oid
    const tag = await r.ownedStr();
    const desc = (await r.text()) ?? '';
    if (v >= K_VERS_1_11) await r.int(); // section
    if (desc === 'ENCODING') {
      const defn = (await r.text()) ?? '';
      encoding = /'([^']*)'/.exec(defn)?.[1];
    } else {
      await r.skipStr(); // defn
    }
    await r.skipStr(); // dropStmt
    const copyStmt = v >= K_VERS_1_3 ? await r.str() : null;
    const hasCopyStmt = copyStmt !== null && copyStmt.length > 0;
    const copy = hasCopyStmt && desc === 'TABLE DATA' ? Buffer.from(copyStmt) : null;
    const ns = v >= K_VERS_1_6 ? await r.ownedStr() : null;
    if (v >= K_VERS_1_10) await r.skipStr(); // tablespace
    if (v >= K_VERS_1_14) await r.skipStr(); // tableam
    if (hasRelkind === undefined) {
      const mark = r.pos;
      try {
        await readTail(true, label);
        hasRelkind = true;
      } catch (err) {
        if (!(err instanceof DumpProblem)) throw err;
        r.pos = mark;
        await readTail(false, label);
        hasRelkind = false;
      }
    } else {
      await readTail(hasRelkind, label);
    }
    if (v >= K_VERS_1_5) {
      while (!(await r.skipStr())); // dependency dump ids, NULL-terminated
    }
    const entry: Omit<TocEntry, 'tag' | 'namespace'> = { dumpId, hadDumper, desc, hasCopyStmt };
    if (extra === 'offset') {
      const { state, pos } = await r.offset(v);
      entry.dataState = state;
      entry.dataPos = pos;
      if (v < K_VERS_1_7) await r.int(); // data length, dropped in 1.7
    } else {
      entry.filename = (await r.text()) || null;
    }
    raw.push({ entry, tag, ns, copy });
  }
  // Names are stored in the database encoding, which only the ENCODING entry reveals.
  const decoder = decoderFor(encoding);
  const entries = raw.map(({ entry, tag, ns, copy }) => ({
    ...entry,
    tag: tag ? decoder.decode(tag) : '',
    namespace: ns ? decoder.decode(ns) : null,
    ...(copy ? { copyStmt: decoder.decode(copy) } : {}),
  }));
  return { head, entries, end: r.pos };
}

function decoderFor(pgEncoding: string | undefined): TextDecoder {
  const e = (pgEncoding ?? 'UTF8').toUpperCase().replace(/[-_]/g, '');
  const latin: Record<string, string> = {
    LATIN1: 'iso-8859-1', LATIN2: 'iso-8859-2', LATIN3: 'iso-8859-3', LATIN4: 'iso-8859-4',
    LATIN5: 'iso-8859-9', LATIN6: 'iso-8859-10', LATIN7: 'iso-8859-13', LATIN8: 'iso-8859-14',
    LATIN9: 'iso-8859-15', LATIN10: 'iso-8859-16', KOI8R: 'koi8-r', KOI8U: 'koi8-u', EUCJP: 'euc-jp',
    EUCKR: 'euc-kr', EUCCN: 'gb18030', GB18030: 'gb18030', BIG5: 'big5', SJIS: 'shift_jis', WIN866: 'ibm866',
  };
  const label = latin[e] ?? (/^WIN(\d+)$/.exec(e) ? `windows-${e.slice(3)}` : /^ISO8859(\d+)$/.exec(e) ? `iso-8859-${e.slice(7)}` : 'utf-8');
  try {
    return new TextDecoder(label);
  } catch {
    return new TextDecoder('utf-8');
  }
}

// ---------------------------------------------------------------------------------------------------
// Shared reporting

function ident(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function who(e: TocEntry): string {
  return e.namespace ? `${ident(e.namespace)}.${ident(e.tag)}` : ident(e.tag);
}

function describeData(e: TocEntry): string {
  if (e.desc === 'BLOBS') return `large-object data (dump id ${e.dumpId})`;
  if (e.desc === 'TABLE DATA') return `data block for ${who(e)} (dump id ${e.dumpId})`;
  return `${e.desc} data for ${who(e)} (dump id ${e.dumpId})`;
}

/** What a data file or tar member holds, for messages that already name the file. */
function owner(e: TocEntry): string {
  if (e.desc === 'BLOBS') return `large objects (dump id ${e.dumpId})`;
  if (e.desc === 'TABLE DATA') return `table ${who(e)} (dump id ${e.dumpId})`;
  return `${e.desc} ${who(e)} (dump id ${e.dumpId})`;
}

function tablesOf(entries: TocEntry[]): ArchiveTable[] {
  const key = (schema: string, name: string) => `${schema}\u0000${name}`;
  const withData = new Set(entries.filter((e) => e.desc === 'TABLE DATA').map((e) => key(e.namespace ?? '', e.tag)));
  const tables: ArchiveTable[] = [];
  const listed = new Set<string>();
  for (const e of entries) {
    if (e.desc !== 'TABLE') continue;
    const k = key(e.namespace ?? '', e.tag);
    listed.add(k);
    tables.push({ schema: e.namespace ?? '', name: e.tag, hasData: withData.has(k) });
  }
  // Data-only dumps carry TABLE DATA without TABLE entries; their tables still belong in the list.
  for (const e of entries) {
    if (e.desc !== 'TABLE DATA' || listed.has(key(e.namespace ?? '', e.tag))) continue;
    listed.add(key(e.namespace ?? '', e.tag));
    tables.push({ schema: e.namespace ?? '', name: e.tag, hasData: true });
  }
  return tables;
}

function dataItemsOf(entries: TocEntry[]): ArchiveDataItem[] {
  return entries
    .filter((e) => e.desc === 'TABLE DATA')
    .map((e) => {
      const target = e.copyStmt === undefined ? undefined : copyTarget(e.copyStmt);
      return { dumpId: e.dumpId, schema: e.namespace ?? '', name: e.tag, intoItself: target !== undefined && target[0] === (e.namespace ?? '') && target[1] === e.tag };
    });
}

/** The table a pg_dump COPY statement loads ("COPY sch.\"Tbl\" (a, b) FROM stdin;"), unquoted; undefined when unreadable. */
function copyTarget(copyStmt: string): [string, string] | undefined {
  const part = '("(?:[^"]|"")*"|[^\\s."(]+)';
  const match = new RegExp(`^COPY ${part}\\.${part}[\\s(]`).exec(copyStmt);
  if (!match) return undefined;
  const unquote = (id: string) => (id.startsWith('"') ? id.slice(1, -1).replaceAll('""', '"') : id);
  return [unquote(match[1]!), unquote(match[2]!)];
}

/** Entries whose data pg_restore will go looking for. */
function dataEntries(entries: TocEntry[]): TocEntry[] {
  return entries.filter((e) => e.hadDumper);
}

function sniff(head: Buffer): string {
  if (head.length === 0) return 'an empty file';
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'a pg_dump custom-format archive';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'a tar archive';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip-compressed data';
  const magic = head.length >= 4 ? head.readUInt32LE(0) : 0;
  if (magic === 0xfd2fb528) return 'zstd-compressed data';
  if (magic === 0x184d2204) return 'lz4-compressed data';
  if (head[0] === 0x50 && head[1] === 0x4b) return 'a zip archive';
  const text = head.toString('latin1');
  if (text.includes('PostgreSQL database') || /^(--|SET |CREATE |\\restrict)/.test(text)) return 'a plain SQL script';
  return 'something else';
}

async function openFile(path: string, what: string): Promise<{ fh: FileHandle; size: number; src: Source }> {
  const st = await stat(path);
  if (st.isDirectory()) {
    throw new DumpProblem(`${path} is a directory, not a ${what} file`);
  }
  if (st.size === 0) throw new DumpProblem(`${path} is empty (0 bytes): pg_dump wrote nothing to it`);
  const fh = await open(path, 'r');
  return { fh, size: st.size, src: fileSource(fh, st.size) };
}

async function readHeadBytes(src: Source): Promise<Buffer> {
  return readAt(src, 0, Math.min(src.size, 512));
}

// ---------------------------------------------------------------------------------------------------
// custom (-Fc)

async function inspectCustom(path: string): Promise<Findings> {
  const { fh, size, src } = await openFile(path, 'custom-format archive');
  try {
    const first = await readHeadBytes(src);
    if (first.subarray(0, 5).toString('latin1') !== 'PGDMP') {
      throw new DumpProblem(`${path} is not a pg_dump custom-format archive: it looks like ${sniff(first)}`);
    }
    const r = new ByteReader(src, 0, size, truncatedFile);
    const head = await readHead(r, ARCH_CUSTOM, 'archive');
    const toc = await readToc(r, head, 'offset');
    await checkCustomData(r, toc, size);
    return {
      archiveVersion: head.versionText,
      compression: head.compression,
      tables: tablesOf(toc.entries),
      dataItems: dataItemsOf(toc.entries),
      entryCount: toc.entries.length,
    };
  } finally {
    await fh.close();
  }
}

async function checkCustomData(r: ByteReader, toc: Toc, size: number): Promise<void> {
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
    await scanCustomSequentially(r, toc, size);
    return;
  }
  for (const e of wanted) {
    const label = describeData(e);
    const at = e.dataPos!;
    if (at < toc.end || at >= size) {
      throw new DumpProblem(
        at >= size
          ? `${label} should start at byte ${at} but the file has ${size} bytes: the archive is truncated`
          : `${label} is placed at byte ${at}, inside the TOC: the archive is corrupt`,
      );
    }
    r.pos = at;
    r.context = label;
    r.readAhead = 8 * 1024;
    const type = await r.u8();
    const id = await r.int();
    if (id !== e.dumpId) {
      throw new DumpProblem(
        `byte ${at} holds a data block for dump id ${id} where the TOC expects the ${label}: the archive is corrupt`,
      );
    }
    await walkBlock(r, e, type, at);
  }
}

async function scanCustomSequentially(r: ByteReader, toc: Toc, size: number): Promise<void> {
  const byId = new Map(toc.entries.map((e) => [e.dumpId, e]));
  const seen = new Set<number>();
  r.pos = toc.end;
  r.readAhead = 256 * 1024;
  while (r.pos < size) {
    const at = r.pos;
    r.context = `the data block header at byte ${at}`;
    const type = await r.u8();
    const id = await r.int();
    const e = byId.get(id);
    if (!e || !e.hadDumper) {
      throw new DumpProblem(`the data block at byte ${at} is for dump id ${id}, which has no data in the TOC: the archive is corrupt`);
    }
    if (e.dataState === K_OFFSET_POS_SET && e.dataPos !== at) {
      throw new DumpProblem(`${describeData(e)} was found at byte ${at} but the TOC places it at byte ${e.dataPos}: the archive is corrupt`);
    }
    r.context = describeData(e);
    await walkBlock(r, e, type, at);
    seen.add(id);
  }
  const missing = dataEntries(toc.entries).find((e) => !seen.has(e.dumpId));
  if (missing) {
    throw new DumpProblem(
      `the file ends at byte ${size} without the ${describeData(missing)}: pg_dump did not finish writing the archive`,
    );
  }
}

async function walkBlock(r: ByteReader, e: TocEntry, type: number, at: number): Promise<void> {
  const expected = e.desc === 'BLOBS' ? BLK_BLOBS : BLK_DATA;
  if (type !== expected) {
    throw new DumpProblem(`${describeData(e)} at byte ${at} has block type ${type} instead of ${expected}: the archive is corrupt`);
  }
  if (type === BLK_DATA) {
    await walkChunks(r);
    return;
  }
  for (;;) {
    const oid = await r.int(); // one large object after another, ended by OID 0
    if (oid === 0) return;
    await walkChunks(r);
  }
}

/** Hops over `int length, bytes` chunks up to the zero length that _EndData() writes last. */
async function walkChunks(r: ByteReader): Promise<void> {
  for (;;) {
    let len = r.intSync();
    if (len === undefined) len = await r.int();
    if (len === 0) return;
    if (len < 0) {
      throw new DumpProblem(`${r.context} has a chunk of negative length before byte ${r.pos}: the archive is corrupt`);
    }
    // Small chunks (uncompressed rows, 4 kB zlib output) are dense: read ahead generously. Big chunks
    // are hopped over: fetch just enough around the next header.
    r.readAhead = len >= 32 * 1024 ? 8 * 1024 : 256 * 1024;
    r.skip(len);
  }
}

// ---------------------------------------------------------------------------------------------------
// tar (-Ft)

interface TarMember {
  start: number;
  size: number;
}

async function inspectTar(path: string): Promise<Findings> {
  const { fh, size, src } = await openFile(path, 'tar archive');
  try {
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
    const r = new ByteReader(src, tocMember.start, tocMember.start + tocMember.size, (context, needEnd, end) =>
      `${context} ends at byte ${needEnd} but the toc.dat member stops at byte ${end}: toc.dat is damaged`,
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
    return {
      archiveVersion: head.versionText,
      compression: head.compression,
      tables: tablesOf(toc.entries),
      dataItems: dataItemsOf(toc.entries),
      entryCount: toc.entries.length,
    };
  } finally {
    await fh.close();
  }
}

function tarNumber(h: Buffer, off: number, len: number): number {
  // GNU base-256 for sizes beyond the 8 GB octal limit
  if (h[off]! & 0x80) {
    let v = h[off]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + h[off + i]!;
    return v;
  }
  const s = h.subarray(off, off + len).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  return s === '' ? 0 : /^[0-7]+$/.test(s) ? parseInt(s, 8) : NaN;
}

function cString(h: Buffer, off: number, len: number): string {
  const field = h.subarray(off, off + len);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

async function walkTar(src: Source, size: number): Promise<Map<string, TarMember>> {
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
      throw new DumpProblem(
        `tar member ${fullName} ends at byte ${next} but the file has ${size} bytes: the archive is truncated`,
      );
    }
    const type = String.fromCharCode(h[156]!);
    if (type === '0' || type === '\0') members.set(fullName, { start, size: memberSize });
    pos = next;
  }
}

async function* rangeChunks(src: Source, start: number, end: number): AsyncGenerator<Buffer> {
  for (let pos = start; pos < end; ) {
    const chunk = await readAt(src, pos, Math.min(end - pos, 1024 * 1024));
    if (chunk.length === 0) return;
    yield chunk;
    pos += chunk.length;
  }
}

/** Parses a blobs TOC ("<oid> <file>" per line) as pg_restore's _LoadLOs() does. */
async function forEachLine(
  chunks: AsyncIterable<Buffer>,
  listName: string,
  onEntry: (oid: string, file: string) => void | Promise<void>,
): Promise<void> {
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + chunk.toString('utf8');
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^(\d+) (\S+)$/.exec(line);
      if (!m) throw new DumpProblem(`${listName} has an unreadable line "${line.slice(0, 80)}": the large-object list is corrupt`);
      await onEntry(m[1]!, m[2]!);
    }
  }
  if (carry !== '') {
    throw new DumpProblem(`${listName} ends in the middle of a line: the large-object list is truncated`);
  }
}

// ---------------------------------------------------------------------------------------------------
// directory (-Fd)

type Compression = 'none' | 'gzip' | 'lz4' | 'zstd';
const SUFFIXES: [string, Compression][] = [
  ['', 'none'],
  ['.gz', 'gzip'],
  ['.lz4', 'lz4'],
  ['.zst', 'zstd'],
];

async function inspectDirectory(path: string): Promise<Findings> {
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
    const r = new ByteReader(src, 0, src.size, (context, needEnd, end) =>
      `${context} ends at byte ${needEnd} but toc.dat has ${end} bytes: toc.dat is truncated`,
    );
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
        const bad = await checkDataFile(join(path, found.file), found.compression, `data file ${found.file} of large object ${oid}`, false);
        if (bad) return bad;
      }
      return undefined;
    }
    if (!e.filename) return `the TOC names no data file for ${label}: toc.dat is corrupt`;
    const found = find(e.filename);
    if (!found) return `data file ${e.filename} for ${label} is missing from ${path}: the dump is incomplete`;
    return checkDataFile(join(path, found.file), found.compression, `data file ${found.file} of ${label}`, e.hasCopyStmt);
  });
  const problem = problems.find((p) => p !== undefined);
  if (problem) throw new DumpProblem(problem);
  return {
    archiveVersion: toc.head.versionText,
    compression: toc.head.compression,
    tables: tablesOf(toc.entries),
    dataItems: dataItemsOf(toc.entries),
    entryCount: toc.entries.length,
  };
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
async function checkDataFile(path: string, compression: Compression, label: string, copyData: boolean): Promise<string | undefined> {
  if (compression === 'gzip') {
    let tail: Buffer = EMPTY;
    try {
      await pipeline(createReadStream(path), createGunzip(), async (source: AsyncIterable<Buffer>) => {
        for await (const c of source as AsyncIterable<Buffer>) {
          tail = c.length >= COPY_TAIL.length ? c.subarray(c.length - COPY_TAIL.length) : Buffer.concat([tail, c]).subarray(-COPY_TAIL.length);
        }
      });
    } catch (err) {
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
    const r = new ByteReader(fileSource(fh, st.size), 0, st.size, (context, needEnd, end) =>
      `${label} is cut short: its ${compression} ${context} ends at byte ${needEnd} but the file has ${end} bytes`,
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

const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/** Zstandard frame format (RFC 8878 §3.1): header, 3-byte block headers, optional checksum. */
async function walkZstd(r: ByteReader, label: string): Promise<void> {
  let frames = 0;
  while (r.pos < r.end) {
    r.context = 'frame header';
    const magic = await r.u32le();
    if ((magic & SKIPPABLE_MASK) === SKIPPABLE_MAGIC) {
      r.skip(await r.u32le());
      continue;
    }
    if (magic !== 0xfd2fb528) throw new DumpProblem(`${label} is not zstd data at byte ${r.pos - 4}: the file is corrupt`);
    const fhd = await r.u8();
    if (fhd & 0x08) throw new DumpProblem(`${label} has a zstd frame header with the reserved bit set: the file is corrupt`);
    const fcsFlag = fhd >> 6;
    const single = (fhd >> 5) & 1;
    const dictBytes = [0, 1, 2, 4][fhd & 3]!;
    const fcsBytes = fcsFlag === 0 ? single : [0, 2, 4, 8][fcsFlag]!;
    r.skip((single ? 0 : 1) + dictBytes + fcsBytes);
    r.context = 'block';
    for (;;) {
      const b = await r.bytes(3);
      const header = b[0]! | (b[1]! << 8) | (b[2]! << 16);
      const type = (header >> 1) & 3;
      if (type === 3) throw new DumpProblem(`${label} has a zstd block of reserved type: the file is corrupt`);
      r.skip(type === 1 ? 1 : header >>> 3); // an RLE block stores one byte whatever its size
      if (header & 1) break;
    }
    r.context = 'frame checksum';
    if (fhd & 0x04) r.skip(4);
    frames++;
  }
  if (frames === 0) throw new DumpProblem(`${label} holds no zstd frame: the file is corrupt`);
}

/** LZ4 frame format: descriptor, size-prefixed blocks, a zero end mark, optional checksums. */
async function walkLz4(r: ByteReader, label: string): Promise<void> {
  let frames = 0;
  while (r.pos < r.end) {
    r.context = 'frame header';
    const magic = await r.u32le();
    if ((magic & SKIPPABLE_MASK) === SKIPPABLE_MAGIC) {
      r.skip(await r.u32le());
      continue;
    }
    if (magic !== 0x184d2204) throw new DumpProblem(`${label} is not lz4 data at byte ${r.pos - 4}: the file is corrupt`);
    const flg = await r.u8();
    await r.u8(); // block descriptor
    if (flg >> 6 !== 1) throw new DumpProblem(`${label} has an lz4 frame of unknown version: the file is corrupt`);
    const blockChecksum = (flg >> 4) & 1;
    r.skip(((flg >> 3) & 1 ? 8 : 0) + (flg & 1 ? 4 : 0) + 1); // content size, dictionary id, header checksum
    r.context = 'block';
    for (;;) {
      const word = await r.u32le();
      if (word === 0) break; // end mark
      r.skip((word & 0x7fffffff) + (blockChecksum ? 4 : 0));
    }
    r.context = 'content checksum';
    if ((flg >> 2) & 1) r.skip(4);
    frames++;
  }
  if (frames === 0) throw new DumpProblem(`${label} holds no lz4 frame: the file is corrupt`);
}

// ---------------------------------------------------------------------------------------------------
// plain (-Fp), optionally gzip-compressed

const TRAILER = '-- PostgreSQL database dump complete';
const CLUSTER_TRAILER = '-- PostgreSQL database cluster dump complete';

async function inspectPlain(path: string, expectGzip: boolean | undefined): Promise<Findings> {
  const { fh, src } = await openFile(path, 'plain SQL dump');
  let first: Buffer;
  try {
    first = await readHeadBytes(src);
  } finally {
    await fh.close();
  }
  const kind = sniff(first);
  // Decide by content, not by name: "-Z0 -f x.sql.gz" writes plain text under a .gz name.
  const gzip = kind === 'gzip-compressed data';
  if (kind === 'zstd-compressed data' || kind === 'lz4-compressed data') {
    throw new DumpProblem(
      `${path} is ${kind}, which Node 20 cannot decompress, so its completeness cannot be checked: dump plain SQL with gzip (-Z 1..9) or uncompressed`,
    );
  }
  if (kind === 'a pg_dump custom-format archive' || kind === 'a tar archive') {
    throw new DumpProblem(`${path} is ${kind}, not a plain SQL dump`);
  }
  if (expectGzip !== undefined && expectGzip !== gzip) {
    throw new DumpProblem(
      gzip
        ? `${path} is gzip-compressed but was recorded as uncompressed: a restore would feed compressed bytes to psql`
        : `${path} is not gzip-compressed but was recorded as gzip: a restore would fail to decompress it`,
    );
  }
  const scanner = new PlainScanner();
  const consume = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) scanner.push(chunk);
  };
  try {
    const file = createReadStream(path, { highWaterMark: 1024 * 1024 });
    if (gzip) await pipeline(file, createGunzip({ chunkSize: 256 * 1024 }), consume);
    else await pipeline(file, consume);
  } catch (err) {
    if (err instanceof DumpProblem) throw err;
    if (gzip && (err as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new DumpProblem(
        `the gzip stream of ${path} is broken after ${scanner.bytes} uncompressed bytes (${(err as Error).message}): the dump is truncated or corrupt`,
      );
    }
    throw err;
  }
  return { compression: gzip ? 'gzip' : 'none', ...scanner.finish() };
}

const MAX_LINE_PREFIX = 8 * 1024;

/**
 * A line state machine over raw bytes. Inside a COPY block only a line that is exactly `\.` ends it
 * (COPY escapes a backslash in data, so data can never produce that line); there it only counts
 * newlines, without decoding. Outside, pg_dump's "-- Name: …; Type: …" headers gate which lines are
 * read as CREATE TABLE or COPY, so the text of a function body cannot be mistaken for either.
 */
class PlainScanner {
  bytes = 0;
  private lines = 0;
  private carry = Buffer.allocUnsafe(MAX_LINE_PREFIX);
  private carryLen = 0;
  private carryTotal = 0;
  private inCopy = false;
  private copyTable: ArchiveTable | undefined;
  private pendingType: string | undefined;
  private trailerSeen = false;
  private cluster = false;
  private openRestrictKeys = new Set<string>();
  private decoder = new TextDecoder('utf-8');
  private defaultSchema = 'public';
  private entries = 0;
  private tables = new Map<string, ArchiveTable>();

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) {
        this.stash(chunk, start, chunk.length);
        return;
      }
      if (this.carryTotal > 0) {
        this.stash(chunk, start, nl);
        this.line(this.carry, 0, this.carryLen, this.carryTotal);
        this.carryLen = this.carryTotal = 0;
      } else {
        this.line(chunk, start, nl, nl - start);
      }
      start = nl + 1;
    }
  }

  private stash(chunk: Buffer, from: number, to: number): void {
    const room = MAX_LINE_PREFIX - this.carryLen;
    const n = Math.min(room, to - from);
    if (n > 0) chunk.copy(this.carry, this.carryLen, from, from + n);
    this.carryLen += Math.max(n, 0);
    this.carryTotal += to - from;
  }

  /** `end` bounds the bytes available (a prefix for very long lines); `total` is the full length. */
  private line(buf: Buffer, start: number, end: number, total: number): void {
    this.lines++;
    if (this.inCopy) {
      if (buf[start] === 0x5c && buf[start + 1] === 0x2e && (total === 2 || (total === 3 && buf[start + 2] === 0x0d))) {
        this.inCopy = false;
        this.copyTable = undefined;
      } else {
        this.copyTable!.rows!++;
      }
      return;
    }
    if (total === 0 || (total === 1 && buf[start] === 0x0d)) return;
    const c = buf[start];
    // Only comments, CREATE, COPY, INSERT, SET and psql meta-commands matter; skip decoding the rest.
    if (c !== 0x2d && c !== 0x43 && c !== 0x49 && c !== 0x53 && c !== 0x5c) {
      this.trailerSeen = false;
      return;
    }
    let text = this.decoder.decode(buf.subarray(start, end));
    if (text.endsWith('\r')) text = text.slice(0, -1);
    this.sql(text);
  }

  private sql(text: string): void {
    if (text.startsWith('--')) {
      if (text === TRAILER) this.trailerSeen = !this.cluster;
      else if (text === CLUSTER_TRAILER) this.trailerSeen = true;
      else if (text === '-- PostgreSQL database cluster dump' && this.lines <= 3) this.cluster = true;
      else {
        const m = /^-- (?:Data for )?Name: .*; Type: ([A-Z][A-Z ]*?); Schema: /.exec(text);
        if (m) {
          this.pendingType = m[1];
          this.entries++;
        }
      }
      return;
    }
    if (text.startsWith('\\restrict ')) {
      this.openRestrictKeys.add(text.slice(10).trim());
      return;
    }
    if (text.startsWith('\\unrestrict ')) {
      this.openRestrictKeys.delete(text.slice(12).trim());
      return;
    }
    this.trailerSeen = false;
    if (text.startsWith('SET client_encoding = ')) {
      this.decoder = decoderFor(/'([^']*)'/.exec(text)?.[1]);
    } else if (text.startsWith('SET search_path = ')) {
      // Dumps before PostgreSQL 10.3 name objects unqualified under this search_path.
      const first = parseName(text, 'SET search_path = '.length);
      if (first) this.defaultSchema = first.name;
    } else if (this.pendingType === 'TABLE') {
      const m = /^CREATE (?:UNLOGGED )?TABLE /.exec(text);
      if (m) {
        const name = parseQualified(text, m[0].length, this.defaultSchema);
        if (name) this.table(name.schema, name.name);
        this.pendingType = undefined;
      }
    } else if (this.pendingType === 'TABLE DATA') {
      if (text.startsWith('COPY ') && text.endsWith(' FROM stdin;')) {
        const name = parseQualified(text, 5, this.defaultSchema);
        if (name) {
          const t = this.table(name.schema, name.name);
          t.hasData = true;
          t.rows = t.rows ?? 0;
          this.copyTable = t;
          this.inCopy = true;
        }
        this.pendingType = undefined;
      } else if (text.startsWith('INSERT INTO ')) {
        // --inserts dumps: rows are statements that may span lines, so they are not counted.
        const name = parseQualified(text, 12, this.defaultSchema);
        if (name) this.table(name.schema, name.name).hasData = true;
        this.pendingType = undefined;
      }
    }
  }

  private table(schema: string, name: string): ArchiveTable {
    const key = `${schema}\u0000${name}`;
    let t = this.tables.get(key);
    if (!t) {
      t = { schema, name, hasData: false };
      this.tables.set(key, t);
    }
    return t;
  }

  finish(): { tables: ArchiveTable[]; entryCount: number } {
    if (this.carryTotal > 0) {
      this.line(this.carry, 0, this.carryLen, this.carryTotal);
      this.carryLen = this.carryTotal = 0;
    }
    if (this.inCopy) {
      const t = this.copyTable!;
      throw new DumpProblem(
        `the dump ends inside the COPY data for ${ident(t.schema)}.${ident(t.name)} after ${t.rows} rows, without its \\. terminator: the file is truncated`,
      );
    }
    if (!this.trailerSeen) {
      throw new DumpProblem(
        `the dump does not end with the "${this.cluster ? CLUSTER_TRAILER : TRAILER}" trailer (it stops after ${this.bytes} bytes, line ${this.lines}): pg_dump did not finish writing it`,
      );
    }
    if (this.openRestrictKeys.size > 0) {
      throw new DumpProblem(`the dump stops after its trailer but before the closing \\unrestrict line: the file is truncated`);
    }
    return { tables: [...this.tables.values()], entryCount: this.entries };
  }
}

/** One identifier as pg_dump's fmtId() writes it: bare, or double-quoted with "" for a quote. */
function parseName(text: string, at: number): { name: string; end: number } | undefined {
  if (text[at] === '"') {
    let name = '';
    let i = at + 1;
    for (;;) {
      const q = text.indexOf('"', i);
      if (q < 0) return undefined;
      name += text.slice(i, q);
      if (text[q + 1] === '"') {
        name += '"';
        i = q + 2;
      } else {
        return { name, end: q + 1 };
      }
    }
  }
  let i = at;
  while (i < text.length && !' .(,;"\t'.includes(text[i]!)) i++;
  return i > at ? { name: text.slice(at, i), end: i } : undefined;
}

function parseQualified(text: string, at: number, defaultSchema: string): { schema: string; name: string } | undefined {
  const first = parseName(text, at);
  if (!first) return undefined;
  if (text[first.end] !== '.') return { schema: defaultSchema, name: first.name };
  const second = parseName(text, first.end + 1);
  return second ? { schema: first.name, name: second.name } : undefined;
}
