// Hand-built pg_dump bytes for the specs beside the readers: archive headers and TOCs as
// pg_backup_archiver.c's WriteHead/WriteToc lay them out, custom-format data blocks, ustar members,
// and zstd/lz4 frames made of raw blocks (the walkers read headers, never the compressed payload).
// Small enough to cut at every byte.
import { constants as zlibConstants, createDeflate, type Deflate } from 'node:zlib';
import { COPY_TAIL } from './constants.ts';
import { DumpProblem } from './problem.ts';

/** WriteInt / WriteStr / WriteOffset with the archive's integer and offset sizes. */
export class ArchiveWriter {
  private parts: Buffer[] = [];
  private len = 0;

  constructor(
    readonly intSize = 4,
    readonly offSize = 8,
  ) {}

  get length(): number {
    return this.len;
  }

  bytes(b: Buffer | string): this {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    this.parts.push(buf);
    this.len += buf.length;
    return this;
  }

  u8(n: number): this {
    return this.bytes(Buffer.from([n]));
  }

  int(n: number): this {
    const b = Buffer.alloc(this.intSize + 1);
    b[0] = n < 0 ? 1 : 0;
    let v = Math.abs(n);
    for (let i = 1; i <= this.intSize; i++) {
      b[i] = v % 256;
      v = Math.floor(v / 256);
    }
    return this.bytes(b);
  }

  /** null writes the NULL string (length -1). */
  str(s: string | Buffer | null): this {
    if (s === null) return this.int(-1);
    const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    return this.int(b.length).bytes(b);
  }

  offset(state: number, pos: number): this {
    const b = Buffer.alloc(this.offSize + 1);
    b[0] = state;
    let v = pos;
    for (let i = 1; i <= this.offSize; i++) {
      b[i] = v % 256;
      v = Math.floor(v / 256);
    }
    return this.bytes(b);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export interface TocItem {
  dumpId: number;
  desc: string;
  /** A Buffer stands for a name already in the database encoding. */
  tag: string | Buffer;
  namespace?: string | Buffer | null;
  /** Whether pg_restore will look for data: defaults to true for TABLE DATA and BLOBS. */
  hadDumper?: boolean;
  defn?: string;
  copyStmt?: string;
  /** tar and directory TOCs */
  filename?: string | null;
  /** custom archives: the data block's chunks (BLOBS: one list of chunks per large object) */
  chunks?: Buffer[];
  blobs?: { oid: number; chunks: Buffer[] }[];
}

export interface ArchiveSpec {
  /** The minor of archive version 1.x (default 16). */
  minor?: number;
  rev?: number;
  format: 'custom' | 'tar';
  intSize?: number;
  offSize?: number;
  /** 1.15+: 0 none, 1 gzip, 2 lz4, 3 zstd; before: the gzip level (0 none, -1 default). */
  compression?: number;
  /** Whether a 1.16 archive carries the relkind int (pg_dump 17+ does; default true). */
  relkind?: boolean;
  /** custom: 'set' as a seekable pg_dump writes, 'unset' as one writing to a pipe (default 'set'). */
  offsets?: 'set' | 'unset' | 'no-data';
  items: TocItem[];
}

const hasData = (item: TocItem) => item.hadDumper ?? (item.desc === 'TABLE DATA' || item.desc === 'BLOBS');

/** A whole archive: header, TOC and (custom) the data blocks, with the TOC's offsets pointing at them. */
export function buildArchive(spec: ArchiveSpec): Buffer {
  const head = writeHead(spec);
  const tocLength = writeToc(spec, new Map()).length;
  const data = new ArchiveWriter(spec.intSize ?? 4, spec.offSize ?? 8);
  const positions = new Map<number, number>();
  if (spec.format === 'custom') {
    for (const item of spec.items.filter(hasData)) {
      positions.set(item.dumpId, head.length + tocLength + data.length);
      writeDataBlock(data, item);
    }
  }
  return Buffer.concat([head.toBuffer(), writeToc(spec, positions).toBuffer(), data.toBuffer()]);
}

/** One custom-format data block: block type, dump id, then `int length, bytes` chunks ended by 0. */
export function writeDataBlock(w: ArchiveWriter, item: TocItem): void {
  if (item.desc === 'BLOBS') {
    w.u8(3).int(item.dumpId);
    for (const blob of item.blobs ?? []) {
      w.int(blob.oid);
      for (const c of blob.chunks) w.int(c.length).bytes(c);
      w.int(0);
    }
    w.int(0);
    return;
  }
  w.u8(1).int(item.dumpId);
  for (const c of item.chunks ?? [copyData(['1'])]) w.int(c.length).bytes(c);
  w.int(0);
}

export function writeHead(spec: ArchiveSpec): ArchiveWriter {
  const minor = spec.minor ?? 16;
  const w = new ArchiveWriter(spec.intSize ?? 4, spec.offSize ?? 8);
  w.bytes('PGDMP').u8(1).u8(minor);
  if (minor > 0) w.u8(spec.rev ?? 0);
  w.u8(w.intSize);
  if (minor >= 7) w.u8(w.offSize);
  w.u8(spec.format === 'custom' ? 1 : 3);
  if (minor >= 15) w.u8(spec.compression ?? 0);
  else if (minor >= 4) w.int(spec.compression ?? 0);
  else if (minor >= 2) w.u8(spec.compression ?? 0);
  if (minor >= 4) {
    for (const field of [0, 0, 12, 1, 0, 125, 0]) w.int(field); // struct tm: 1 Jan 2025 12:00
    w.str('fixture');
  }
  if (minor >= 10) w.str('18.3').str('18.3');
  return w;
}

export function writeToc(spec: ArchiveSpec, positions: Map<number, number>): ArchiveWriter {
  const minor = spec.minor ?? 16;
  const w = new ArchiveWriter(spec.intSize ?? 4, spec.offSize ?? 8);
  w.int(spec.items.length);
  for (const item of spec.items) {
    w.int(item.dumpId).int(hasData(item) ? 1 : 0);
    if (minor >= 8) w.str('1259');
    w.str(String(16000 + item.dumpId));
    w.str(item.tag).str(item.desc);
    if (minor >= 11) w.int(item.desc === 'TABLE DATA' || item.desc === 'BLOBS' ? 2 : 1);
    w.str(item.defn ?? '').str('');
    if (minor >= 3) w.str(item.copyStmt ?? '');
    if (minor >= 6) w.str(item.namespace === undefined ? 'public' : item.namespace);
    if (minor >= 10) w.str('');
    if (minor >= 14) w.str(item.desc === 'TABLE' ? 'heap' : '');
    if (minor >= 16 && (spec.relkind ?? true)) w.int(item.desc === 'TABLE' ? 114 : 0);
    w.str('postgres');
    if (minor >= 9) w.str('false');
    if (minor >= 5) w.str(null); // no dependencies
    if (spec.format === 'tar') {
      w.str(item.filename === undefined ? (hasData(item) ? `${item.dumpId}.dat` : '') : item.filename);
    } else if (minor >= 7) {
      const at = positions.get(item.dumpId);
      const offsets = spec.offsets ?? 'set';
      if (!hasData(item)) w.offset(3, 0);
      else if (offsets === 'unset') w.offset(1, 0);
      else if (offsets === 'no-data') w.offset(3, 0);
      else w.offset(2, at ?? 0);
    } else {
      // Before 1.7 an offset is one int: negative for not set, zero for no data.
      const offsets = spec.offsets ?? 'set';
      w.int(!hasData(item) || offsets === 'no-data' ? 0 : offsets === 'unset' ? -1 : (positions.get(item.dumpId) ?? 1)).int(0);
    }
  }
  return w;
}

/** COPY text for the given rows, ended as dumpTableData_copy() ends it. */
export function copyData(rows: string[]): Buffer {
  return Buffer.concat([Buffer.from(rows.map((r) => `${r}\n`).join(''), 'utf8'), COPY_TAIL]);
}

/** A table with its data, as pg_dump lists it: the TABLE entry and its TABLE DATA. */
export function table(schema: string, name: string, dumpId: number, rows: string[] = ['1']): TocItem[] {
  const q = (id: string) => (/^[a-z_][a-z0-9_]*$/.test(id) ? id : `"${id.replace(/"/g, '""')}"`);
  return [
    { dumpId, desc: 'TABLE', tag: name, namespace: schema, defn: `CREATE TABLE ${q(schema)}.${q(name)} (v text);` },
    { dumpId: dumpId + 1000, desc: 'TABLE DATA', tag: name, namespace: schema, copyStmt: `COPY ${q(schema)}.${q(name)} (v) FROM stdin;\n`, chunks: [copyData(rows)] },
  ];
}

export const ENCODING: TocItem = { dumpId: 1, desc: 'ENCODING', tag: 'ENCODING', namespace: '', defn: "SET client_encoding = 'UTF8';\n" };

/** A small dump: its ENCODING entry and two tables with data, one whose names need quoting. */
export const TWO_TABLES: TocItem[] = [ENCODING, ...table('public', 'people', 10, ['a', 'b']), ...table('Odd Schema', 'Mixed"Case', 11, ['x'])];

/** What a reader reports for a 1.16 archive of TWO_TABLES without compression. */
export const TWO_TABLES_FOUND = {
  archiveVersion: '1.16-0',
  compression: 'none',
  origin: { database: 'fixture', serverVersion: '18.3', pgDumpVersion: '18.3' },
  entryCount: 5,
  tables: [
    { schema: 'public', name: 'people', hasData: true },
    { schema: 'Odd Schema', name: 'Mixed"Case', hasData: true },
  ],
  dataItems: [
    { dumpId: 1010, schema: 'public', name: 'people', intoItself: true },
    { dumpId: 1011, schema: 'Odd Schema', name: 'Mixed"Case', intoItself: true },
  ],
};

/**
 * The lengths, among `keeps` (default: every length short of whole), at which `check` accepted `bytes`
 * cut short. A reader that refuses every cut returns []. Refusals must be DumpProblems: anything else
 * thrown is a bug and propagates.
 */
export async function acceptedCuts(check: (cut: Buffer) => Promise<unknown>, bytes: Buffer, keeps?: Iterable<number>): Promise<number[]> {
  const accepted: number[] = [];
  for (const keep of keeps ?? Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)) {
    try {
      await check(bytes.subarray(0, keep));
      accepted.push(keep);
    } catch (err) {
      if (!(err instanceof DumpProblem)) throw err;
    }
  }
  return accepted;
}

// ---------------------------------------------------------------------------------------------------
// A zlib bomb: what a hostile dump's table data can be (the attacker review of stop 28)

/** Deflates `bytes` in `deflate`'s stream and flushes with `flush`: the stream's bytes for them. */
async function deflatePiece(deflate: Deflate, out: Buffer[], bytes: Buffer, flush: number): Promise<Buffer> {
  const from = out.length;
  deflate.write(bytes);
  await new Promise<void>((resolve) => deflate.flush(flush, () => resolve()));
  return Buffer.concat(out.slice(from));
}

/** zlib's Adler-32 of `count` newline bytes, without making them. */
function adler32OfNewlines(count: bigint): number {
  const mod = 65521n;
  const a = (1n + 10n * count) % mod;
  const b = (count + (10n * count * (count + 1n)) / 2n) % mod;
  return Number((b << 16n) | a) >>> 0;
}

/**
 * A valid zlib stream of `mib` MiB (and one byte) of newlines, about 1 kB per MiB: one sync-flushed
 * block of a MiB of newlines (its matches reach back only into newlines) repeated `mib` times. Every
 * newline is a row to a COPY counter, so inflating and counting it costs ~10 s of CPU per GiB.
 */
export async function newlineBomb(mib: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (bytes: Buffer) => out.push(bytes));
  const head = await deflatePiece(deflate, out, Buffer.from('\n'), zlibConstants.Z_SYNC_FLUSH);
  const block = await deflatePiece(deflate, out, Buffer.alloc(1024 * 1024, '\n'), zlibConstants.Z_SYNC_FLUSH);
  const end = await deflatePiece(deflate, out, Buffer.alloc(0), zlibConstants.Z_FINISH);
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(adler32OfNewlines(BigInt(mib) * 1048576n + 1n));
  return Buffer.concat([head, ...Array<Buffer>(mib).fill(block), end.subarray(0, end.length - 4), adler]);
}

/** A gzip-compressed custom archive whose one table's data is newlineBomb(mib), in pg_dump's 4 kB chunks. */
export async function bombArchive(mib: number): Promise<Buffer> {
  const deflated = await newlineBomb(mib);
  const chunks: Buffer[] = [];
  for (let at = 0; at < deflated.length; at += 4096) chunks.push(deflated.subarray(at, at + 4096));
  const items: TocItem[] = [
    ENCODING,
    { dumpId: 10, desc: 'TABLE', tag: 'bomb', namespace: 'public', defn: 'CREATE TABLE public.bomb (v text);' },
    { dumpId: 1010, desc: 'TABLE DATA', tag: 'bomb', namespace: 'public', copyStmt: 'COPY public.bomb (v) FROM stdin;\n', chunks },
  ];
  return buildArchive({ format: 'custom', compression: 1, items });
}

// ---------------------------------------------------------------------------------------------------
// ustar members, as pg_dump's tar format writes them

export function tarHeader(name: string, size: number, options: { type?: string; base256?: boolean } = {}): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000600\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  if (options.base256) {
    h[124] = 0x80;
    let v = size;
    for (let i = 135; i > 124; i--) {
      h[i] = v % 256;
      v = Math.floor(v / 256);
    }
  } else {
    h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  }
  h.write('14750000000\0', 136, 'latin1');
  h.write(options.type ?? '0', 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

export function tarMember(name: string, content: Buffer): Buffer {
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([tarHeader(name, content.length), content, pad]);
}

export const TAR_END = Buffer.alloc(1024);

export function tarArchive(members: [string, Buffer][]): Buffer {
  return Buffer.concat([...members.map(([name, content]) => tarMember(name, content)), TAR_END]);
}

// ---------------------------------------------------------------------------------------------------
// zstd and lz4 frames of raw (stored) blocks: valid frames any decoder accepts

/** One zstd frame (RFC 8878): single segment, content size in one byte, raw blocks, optional checksum. */
export function zstdFrame(blocks: Buffer[], options: { checksum?: boolean } = {}): Buffer {
  const content = Buffer.concat(blocks);
  const parts: Buffer[] = [u32le(0xfd2fb528), Buffer.from([0x20 | (options.checksum ? 0x04 : 0), content.length])];
  if (content.length > 255) throw new Error('zstdFrame keeps the content size in one byte');
  blocks.forEach((block, i) => {
    const header = (block.length << 3) | (0 << 1) | (i === blocks.length - 1 ? 1 : 0);
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), block);
  });
  if (options.checksum) parts.push(Buffer.alloc(4)); // the walker skips it; a decoder would check xxh64
  return Buffer.concat(parts);
}

/** One lz4 frame: version 01, independent blocks, 64 KB max, uncompressed blocks (high bit set), end mark. */
export function lz4Frame(blocks: Buffer[]): Buffer {
  const parts: Buffer[] = [u32le(0x184d2204), Buffer.from([0x60, 0x40, 0x82])]; // FLG, BD, header checksum
  for (const block of blocks) parts.push(u32le((block.length | 0x80000000) >>> 0), block);
  parts.push(u32le(0));
  return Buffer.concat(parts);
}

export function skippableFrame(content: Buffer): Buffer {
  return Buffer.concat([u32le(0x184d2a50), u32le(content.length), content]);
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}
