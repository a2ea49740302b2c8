// plain (-Fp), optionally gzip-compressed: a script is whole when every COPY block has its terminator
// and pg_dump's trailer is the last thing in it.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { decoderOrUtf8, type ServerEncodingDecoder } from '../pg/server-encoding.ts';
import { ident, parseName, parseQualified } from './identifiers.ts';
import { DumpProblem } from './problem.ts';
import { sniff } from './sniff.ts';
import { readHeadBytes, withFile } from './source.ts';
import type { ArchiveTable, Findings } from './types.ts';

const TRAILER = '-- PostgreSQL database dump complete';
const CLUSTER_TRAILER = '-- PostgreSQL database cluster dump complete';

export async function inspectPlain(path: string, expectGzip: boolean | undefined, signal?: AbortSignal): Promise<Findings> {
  const first = await withFile(path, 'plain SQL dump', readHeadBytes);
  const kind = sniff(first);
  // Decide by content, not by name: "-Z0 -f x.sql.gz" writes plain text under a .gz name.
  const gzip = kind === 'gzip-compressed data';
  if (kind === 'zstd-compressed data' || kind === 'lz4-compressed data') {
    throw new DumpProblem(`${path} is ${kind}, which Node 20 cannot decompress, so its completeness cannot be checked: dump plain SQL with gzip (-Z 1..9) or uncompressed`);
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
    if (gzip) await pipeline(file, createGunzip({ chunkSize: 256 * 1024 }), consume, { signal });
    else await pipeline(file, consume, { signal });
  } catch (err) {
    if (err instanceof DumpProblem) throw err;
    if (gzip && (err as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new DumpProblem(`the gzip stream of ${path} is broken after ${scanner.bytes} uncompressed bytes (${(err as Error).message}): the dump is truncated or corrupt`);
    }
    throw err;
  }
  return { compression: gzip ? 'gzip' : 'none', ...scanner.finish() };
}

/**
 * What is kept of a line outside COPY data: all of a COPY statement's, which names every column (1,600
 * columns of 63-byte names, quoted, is about 210 kB). At 8 kB, a wide table's COPY line that crossed a
 * read was cut, no longer ended in "FROM stdin;", and its block went unseen: the table left out of
 * the manifest, and its rows read as SQL. Inside COPY data only a line's first bytes matter (`\.`).
 */
const MAX_LINE_PREFIX = 256 * 1024;
const COPY_DATA_PREFIX = 3;

/**
 * A line state machine over raw bytes. Inside a COPY block only a line that is exactly `\.` ends it
 * (COPY escapes a backslash in data, so data can never produce that line); there it only counts
 * newlines, without decoding. Outside, pg_dump's "-- Name: …; Type: …" headers gate which lines are
 * read as CREATE TABLE or COPY, so the text of a function body cannot be mistaken for either.
 */
export class PlainScanner {
  bytes = 0;
  private lines = 0;
  private carry = Buffer.allocUnsafe(MAX_LINE_PREFIX);
  private carryLen = 0;
  private carryTotal = 0;
  private inCopy = false;
  private copyTable: ArchiveTable | undefined;
  private pendingType: string | undefined;
  /** A statement whose quoted name runs on past its line (continueStatement). */
  private statement: string | undefined;
  private trailerSeen = false;
  private cluster = false;
  private openRestrictKeys = new Set<string>();
  private decoder: ServerEncodingDecoder = decoderOrUtf8('UTF8');
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
    const room = (this.inCopy ? COPY_DATA_PREFIX : MAX_LINE_PREFIX) - this.carryLen;
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
    if (this.statement !== undefined) {
      this.continueStatement(this.decodeLine(buf, start, end));
      return;
    }
    if (total === 0 || (total === 1 && buf[start] === 0x0d)) return;
    const c = buf[start];
    // Only comments, CREATE, COPY, INSERT, SET and psql meta-commands matter; skip decoding the rest.
    if (c !== 0x2d && c !== 0x43 && c !== 0x49 && c !== 0x53 && c !== 0x5c) {
      this.trailerSeen = false;
      return;
    }
    this.sql(this.decodeLine(buf, start, end));
  }

  private decodeLine(buf: Buffer, start: number, end: number): string {
    const text = this.decoder.decode(buf.subarray(start, end));
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }

  /**
   * A CREATE TABLE or COPY whose quoted name holds a newline runs on over lines (pg_dump's fmtId keeps
   * the newline): they are joined until every quote is closed, then read as one. Line by line, such a
   * table was left out of the manifest and its COPY rows read as SQL.
   */
  private startsStatement(text: string): boolean {
    if (!hasOpenQuote(text)) return false;
    this.statement = text;
    return true;
  }

  private continueStatement(line: string): void {
    const text = `${this.statement}\n${line}`;
    if (hasOpenQuote(text) && text.length <= MAX_LINE_PREFIX) {
      this.statement = text;
      return;
    }
    this.statement = undefined;
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
      this.decoder = decoderOrUtf8(/'([^']*)'/.exec(text)?.[1]);
    } else if (text.startsWith('SET search_path = ')) {
      // Dumps before PostgreSQL 10.3 name objects unqualified under this search_path.
      const first = parseName(text, 'SET search_path = '.length);
      if (first) this.defaultSchema = first.name;
    } else if (this.pendingType === 'TABLE') {
      const m = /^CREATE (?:UNLOGGED )?TABLE /.exec(text);
      if (m && this.startsStatement(text)) return;
      if (m) {
        const name = parseQualified(text, m[0].length, this.defaultSchema);
        if (name) this.table(name.schema, name.name);
        this.pendingType = undefined;
      }
    } else if (this.pendingType === 'TABLE DATA') {
      if ((text.startsWith('COPY ') || text.startsWith('INSERT INTO ')) && this.startsStatement(text)) return;
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
      throw new DumpProblem(`the dump ends inside the COPY data for ${ident(t.schema)}.${ident(t.name)} after ${t.rows} rows, without its \\. terminator: the file is truncated`);
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

/** Whether a statement's text leaves a double-quoted name open (pg_dump doubles a quote inside one). */
function hasOpenQuote(text: string): boolean {
  let quotes = 0;
  for (let at = text.indexOf('"'); at !== -1; at = text.indexOf('"', at + 1)) quotes += 1;
  return quotes % 2 === 1;
}
