// Random-access byte reading through one reusable window, with pg_dump's ReadInt/ReadStr/ReadOffset
// encodings on top. Reading past the end throws a DumpProblem worded by the caller's `short`.
import { K_OFFSET_NO_DATA, K_OFFSET_POS_NOT_SET, K_OFFSET_POS_SET, K_VERS_1_7 } from './constants.ts';
import { DumpProblem } from './problem.ts';
import type { Source } from './source.ts';

export const EMPTY = Buffer.alloc(0);
/**
 * The longest string of an archive's TOC the check keeps in memory (a tag, a COPY statement with every
 * column name, the ENCODING entry): far above what pg_dump writes for them, far below what a crafted
 * length could make a streamed check hold (the stream source waits for a read to complete, however large).
 * Longer strings the check only skips over (definitions) are not affected.
 */
export const MAX_KEPT_STRING = 16 * 1024 * 1024;

export class ByteReader {
  pos: number;
  /** Names what is being read, for the truncation message. */
  context = 'the file';
  intSize = 4;
  offSize = 8;
  /** Bytes fetched past what is needed: large while data is dense, small while hopping over big chunks. */
  readAhead = 64 * 1024;
  /** The window's memory when its bytes were copied; the window may instead be a view the source lends (Source.viewAt). */
  private own = Buffer.allocUnsafe(256 * 1024);
  private win: Buffer = this.own;
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
    // The new window starts here, and every read after it is at or past it.
    this.src.forget?.(this.pos);
    // A stream's bytes are read where they are held; only what spans two of its chunks is copied.
    if (this.src.viewAt) {
      const view = await this.src.viewAt(this.pos, n);
      if (view) {
        this.win = view.subarray(0, Math.min(view.length, this.end - this.pos));
        this.winStart = this.pos;
        this.winLen = this.win.length;
        return 0;
      }
    }
    const want = Math.min(this.end - this.pos, this.src.viewAt ? n : Math.max(n, this.readAhead));
    if (want > this.own.length) this.own = Buffer.allocUnsafe(want);
    this.win = this.own;
    let got = 0;
    while (got < want) {
      const r = await this.src.readAt(this.win, got, want - got, this.pos + got);
      if (r === 0) break;
      got += r;
      if (got >= n && this.src.growing) break;
    }
    this.winStart = this.pos;
    this.winLen = got;
    // The file shrank under us (or the source lied about its size): same outcome as a cut file.
    if (got < n) this.fail(this.pos + n);
    return 0;
  }

  /** Whether the source has no byte at `pos`: how a reader of a stream of unknown length finds its end. */
  async atEnd(): Promise<boolean> {
    if (this.pos >= this.end) return true;
    const o = this.pos - this.winStart;
    if (o >= 0 && o < this.winLen) return false;
    const probe = Buffer.allocUnsafe(1);
    return (await this.src.readAt(probe, 0, 1, this.pos)) === 0;
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

  /** Where the next n bytes start in `window` when it holds them already (undefined otherwise); moves past them. */
  takeSync(n: number): number | undefined {
    const o = this.pos - this.winStart;
    if (o < 0 || o + n > this.winLen) return undefined;
    this.pos += n;
    return o;
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
    if (len > MAX_KEPT_STRING) throw new DumpProblem(`${this.context} holds a string of ${len} bytes where at most ${MAX_KEPT_STRING} are expected: the TOC is corrupt`);
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
    this.within(n);
    this.pos += n;
  }

  /** Fails, naming where they would end, when the next `n` bytes run past the end: before they are read piece by piece. */
  within(n: number): void {
    if (this.pos + n > this.end) this.fail(this.pos + n);
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

export const truncatedFile = (context: string, needEnd: number, end: number) => `${context} ends at byte ${needEnd} but the file has ${end} bytes: the archive is truncated`;
export const truncatedStream = (context: string, needEnd: number) => `${context} ends at byte ${needEnd} but the stream ended before it: the archive is truncated`;
