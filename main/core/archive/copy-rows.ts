// A table's rows counted from its COPY data as pg_dump wrote it, so a backup's exact counts cost the
// server nothing: counting in the snapshot's transaction scans every table a second time beside
// pg_dump's COPY, which on a whole-server set was most of the server work above plain pg_dumps (issue 16).
//
// Why a newline is a row: pg_dump dumps with COPY ... TO stdout in text format, where every row ends
// with exactly one newline byte and a newline, carriage return or backslash inside a value is written
// escaped (\n, \r, \\); bytea is hex text. dumpTableData_copy() then ends the stream with COPY_TAIL
// ("\.", a newline, and two blank lines). So rows = newlines - 3 when the stream ends with the tail,
// and an empty table is the tail alone. A stream that does not end so is not counted (undefined), and
// the backup falls back to counting on the server. Only uncompressed data can be counted as it passes.
import { COPY_TAIL } from './constants.ts';

const NEWLINE = 0x0a;
const TAIL_NEWLINES = COPY_TAIL.filter((byte) => byte === NEWLINE).length;

export class CopyRowCounter {
  private newlines = 0;
  private readonly tail = new Uint8Array(COPY_TAIL.length);
  private seen = 0;

  /** The next bytes of the stream, in order; the view is not kept. */
  add(bytes: Uint8Array): void {
    this.addRange(bytes, 0, bytes.length);
  }

  /**
   * The next bytes of the stream, bytes[start, end): a reader's window counted in place, without a
   * view per chunk (a custom archive holds one chunk per row, millions of them).
   */
  addRange(bytes: Uint8Array, start: number, end: number): void {
    // A row's chunk ends with its newline, so the search usually stops there without a second call.
    for (let at = bytes.indexOf(NEWLINE, start); at !== -1 && at < end; at = at + 1 < end ? bytes.indexOf(NEWLINE, at + 1) : -1) this.newlines += 1;
    const tail = this.tail;
    const keep = Math.min(end - start, tail.length);
    // Shift the kept end left by what arrives, then copy the newest bytes in.
    for (let i = 0; i < tail.length - keep; i += 1) tail[i] = tail[i + keep]!;
    for (let i = 0; i < keep; i += 1) tail[tail.length - keep + i] = bytes[end - keep + i]!;
    this.seen += end - start;
  }

  /** The rows, or undefined when the stream does not end as pg_dump ends COPY data. */
  rows(): number | undefined {
    if (this.seen < this.tail.length || !COPY_TAIL.equals(this.tail)) return undefined;
    return this.newlines - TAIL_NEWLINES;
  }
}
