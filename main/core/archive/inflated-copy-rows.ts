// A table's rows counted from its gzip-compressed COPY data, as pg_dump -Fc writes it by default: each
// data block is one zlib stream (pg_dump deflates a table's COPY text and writes the output in chunks),
// inflated on libuv's threads as the walk passes and counted as copy-rows.ts counts uncompressed data.
//
// Why here and not on the server: counting in the snapshot's transaction scans every table a second
// time beside pg_dump's own COPY. On a 2-core machine that cost a backup ~3% of its wall time (the
// README's bench row 1), and on a production server whose tables are not in memory it doubles the
// backup's reads. Inflating on the backup's side costs the server nothing.
//
// A block zlib cannot inflate is damaged: pg_restore would stop at that table, so the check fails; so is
// one with bytes after its zlib stream's end, on which pg_restore would hang.
import { createInflate, type Inflate } from 'node:zlib';
import { CopyRowCounter } from './copy-rows.ts';
import { DumpProblem } from './problem.ts';

/** Compressed bytes are handed to zlib in batches: a chunk is 4 kB, and a thread-pool task each would cost more than the inflate. */
const BATCH_BYTES = 256 * 1024;

export class InflatingRowCounter {
  private readonly counter = new CopyRowCounter();
  private readonly inflate: Inflate;
  private batch = Buffer.allocUnsafe(BATCH_BYTES);
  private filled = 0;
  private received = 0;
  private failure: Error | undefined;
  /** Settles once zlib has given its last byte, or failed. */
  private readonly settled: Promise<void>;

  /** `label` names the table's data in the problem a damaged block raises. */
  constructor(private readonly label: string) {
    this.inflate = createInflate({ chunkSize: 64 * 1024 });
    this.inflate.on('data', (out: Buffer) => this.counter.add(out));
    this.settled = new Promise((resolve) => {
      this.inflate.once('end', resolve);
      // on, not once: a write racing the first error may raise a second one.
      this.inflate.on('error', (error) => {
        this.failure ??= error;
        resolve();
      });
    });
  }

  /**
   * The next compressed bytes, bytes[start, end), copied (the caller's window is reused). A promise when
   * zlib has enough queued: the walk waits for it, so what is queued stays bounded.
   */
  addRange(bytes: Uint8Array, start: number, end: number): Promise<void> | undefined {
    let waiting: Promise<void> | undefined;
    for (let at = start; at < end;) {
      const take = Math.min(end - at, BATCH_BYTES - this.filled);
      this.batch.set(bytes.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === BATCH_BYTES) waiting = this.hand() ?? waiting;
    }
    this.received += end - start;
    return waiting;
  }

  /** Once the block's last chunk was added: waits for zlib to finish, and throws if the data is damaged. */
  async end(): Promise<void> {
    await this.hand();
    // A block with no bytes at all has no count (rows() says so) rather than a zlib error.
    if (this.received === 0) return;
    this.inflate.end();
    await this.settled;
    if (this.failure) throw new DumpProblem(`the compressed data of ${this.label} cannot be inflated (${this.failure.message}): the archive is damaged`);
    // zlib stops at its stream's end and leaves what follows unread; pg_restore, given bytes past that
    // end, asks zlib for more forever (compress_io.c), so a restore of the block would hang.
    const after = this.received - this.inflate.bytesWritten;
    if (after > 0) throw new DumpProblem(`the data of ${this.label} goes on for ${after} bytes after its compressed data ends: the archive is damaged`);
  }

  /** The rows, or undefined when the data was empty or does not end as pg_dump ends COPY data. */
  rows(): number | undefined {
    return this.failure || this.received === 0 ? undefined : this.counter.rows();
  }

  /** Gives zlib the batch; a promise when its queue is full, settled when it drains (or failed). */
  private hand(): Promise<void> | undefined {
    if (this.filled === 0 || this.failure) {
      this.filled = 0;
      return undefined;
    }
    const full = this.batch.subarray(0, this.filled);
    this.batch = Buffer.allocUnsafe(BATCH_BYTES);
    this.filled = 0;
    if (this.inflate.write(full)) return undefined;
    return Promise.race([new Promise<void>((resolve) => this.inflate.once('drain', resolve)), this.settled]);
  }
}
