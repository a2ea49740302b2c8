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
import { freeNow } from '../fsutil/lent-buffers.ts';
import { CopyRowCounter } from './copy-rows.ts';
import { DumpProblem } from './problem.ts';

/**
 * Compressed bytes are handed to zlib in batches (a chunk is 4 kB, and a thread-pool task each would cost
 * more than the inflate), and zlib hands back text in output chunks. Each output chunk is a fresh buffer
 * and each batch a trip through libuv's pool (two thread wake-ups): at 64 kB out and 256 kB in, a 99 MB
 * archive (307 MB of COPY text) cost 33,000 futex calls and 12,000 event-loop wake-ups, and 0.2 s more
 * CPU than at 1 MiB both ways (the walk of the bench's archive: 1.26 s → 1.05 s of CPU; in a backup,
 * 9,500 futex calls). On the machines this runs on a system call is dear (a VM's interrupt handling was
 * 4% of a whole backup's samples in `perf`), and that CPU is taken from pg_dump's two cores.
 *
 * A small table keeps small buffers: the batch starts at 64 kB and grows to 1 MiB only when the block's
 * data fills it, and zlib is given 1 MiB output chunks only for such a block. An archive of 10,000 small
 * tables would otherwise map and unmap two 1 MiB buffers per table.
 */
const FIRST_BATCH_BYTES = 64 * 1024;
const BATCH_BYTES = 1024 * 1024;
const SMALL_OUTPUT_CHUNK_BYTES = 64 * 1024;
const OUTPUT_CHUNK_BYTES = 1024 * 1024;
/**
 * How much compressed data may wait for zlib before the walk waits for it. The walk of an encrypted
 * backup reads pg_dump's pipe on its way to the encryptor: had it waited for each batch to be inflated
 * (zlib's default queue is 16 kB), pg_dump would wait with it. Inflating is ~5 times faster than
 * pg_dump's deflate, so 8 MiB (~25 MB of text) lets it fall behind for a moment, on the pool's
 * lowered threads (cli/helper-threads.ts), without holding up the dump; more would only hold memory.
 */
const QUEUED_BYTES = 8 * 1024 * 1024;

/**
 * Batches zlib has read, kept for the next ones: a fresh 1 MiB batch is memory faulted in page by page
 * (on a VM ~40 µs a fault), and one freed to the C library goes back to the kernel once enough is free
 * at the top of its heap (each table's end, when the queue drains), so every table faulted its batches
 * in again. A CLI backup of the bench's database took ~28,000 page faults; with batches and zlib's
 * output freed at once and batches kept, ~13,000, and its CPU beside pg_dump fell from ~2.7 s to ~1.8 s.
 * As many as can be queued, and let go of after a second unused (a long-lived host keeps none idle).
 */
const spareBatches: Buffer[] = [];
const SPARE_BATCHES = QUEUED_BYTES / BATCH_BYTES + 1;
let letSparesGo: NodeJS.Timeout | undefined;

function takeBatch(): Buffer {
  return spareBatches.pop() ?? Buffer.allocUnsafe(BATCH_BYTES);
}

function keepBatch(batch: Buffer): void {
  if (spareBatches.length >= SPARE_BATCHES) return freeNow(batch);
  spareBatches.push(batch);
  clearTimeout(letSparesGo);
  letSparesGo = setTimeout(() => {
    for (const spare of spareBatches.splice(0)) freeNow(spare);
  }, 1000).unref();
}

export class InflatingRowCounter {
  private readonly counter = new CopyRowCounter();
  /** Made by the first hand: its output chunk size depends on whether the block filled a whole batch. */
  private inflate: Inflate | undefined;
  private batch: Buffer | undefined;
  private filled = 0;
  private received = 0;
  private failure: Error | undefined;
  /** Settles once zlib has given its last byte, or failed, or the signal stopped it. */
  private settled: Promise<void> = Promise.resolve();
  private settle: () => void = () => undefined;
  /** Ends zlib's work on the signal: once zlib holds a bomb's bytes, nothing else would before its stream ends. */
  private readonly onAbort = () => {
    this.failure ??= this.signal!.reason as Error;
    this.inflate?.destroy();
    this.settle();
  };

  /**
   * `label` names the table's data in the problem a damaged block raises. `signal` stops the count: a
   * hostile dump's table can be a zlib bomb (a MiB of it is a GiB of newlines, ~10 s of CPU to count).
   */
  constructor(
    private readonly label: string,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * The next compressed bytes, bytes[start, end), copied (the caller's window is reused). A promise when
   * zlib has enough queued: the walk waits for it, so what is queued stays bounded.
   */
  addRange(bytes: Uint8Array, start: number, end: number): Promise<void> | undefined {
    let waiting: Promise<void> | undefined;
    for (let at = start; at < end;) {
      this.batch ??= Buffer.allocUnsafe(FIRST_BATCH_BYTES);
      if (this.filled === this.batch.length) {
        if (this.batch.length < BATCH_BYTES) {
          // A block bigger than a small table's: the batch grows once, and zlib is not called yet.
          const grown = takeBatch();
          this.batch.copy(grown, 0, 0, this.filled);
          this.batch = grown;
        } else {
          waiting = this.hand() ?? waiting;
          // Handed to zlib, which holds it until written; after a failure hand() keeps it for reuse.
          this.batch ??= takeBatch();
        }
      }
      const take = Math.min(end - at, this.batch.length - this.filled);
      this.batch.set(bytes.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
    }
    this.received += end - start;
    return waiting;
  }

  /** Once the block's last chunk was added: waits for zlib to finish, and throws if the data is damaged. */
  async end(): Promise<void> {
    await this.hand();
    this.signal?.throwIfAborted();
    // A block with no bytes at all has no count (rows() says so) rather than a zlib error.
    if (this.received === 0 || !this.inflate) return;
    this.inflate.end();
    await this.settled;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.signal?.throwIfAborted();
    if (this.failure) throw new DumpProblem(`the compressed data of ${this.label} cannot be inflated (${this.failure.message}): the archive is damaged`);
    // zlib stops at its stream's end and leaves what follows unread; pg_restore, given bytes past that
    // end, asks zlib for more forever (compress_io.c), so a restore of the block would hang.
    const after = this.received - this.inflate.bytesWritten;
    // The walk keeps this counter for its rows until the archive ends; the stream, which keeps zlib's
    // last output buffer (1 MiB for a big table), is not needed for them.
    this.inflate = undefined;
    if (after > 0) throw new DumpProblem(`the data of ${this.label} goes on for ${after} bytes after its compressed data ends: the archive is damaged`);
  }

  /** The rows, or undefined when the data was empty or does not end as pg_dump ends COPY data. */
  rows(): number | undefined {
    return this.failure || this.received === 0 ? undefined : this.counter.rows();
  }

  /** zlib for this block, its output chunk sized by the first batch handed to it. */
  private inflater(firstBatchBytes: number): Inflate {
    if (this.inflate) return this.inflate;
    const inflate = createInflate({ chunkSize: firstBatchBytes >= BATCH_BYTES ? OUTPUT_CHUNK_BYTES : SMALL_OUTPUT_CHUNK_BYTES });
    inflate.on('data', (out: Buffer) => {
      this.counter.add(out);
      // Counted and never read again: an output buffer is freed now, not at V8's next collection, so
      // the next one reuses its memory warm (fsutil/lent-buffers.ts says why that matters). zlib fills
      // one buffer over several calls when its input runs out first, handing out a slice each time;
      // the slice that reaches the buffer's end is its last (zlib takes a new buffer then).
      if (out.byteOffset + out.length === out.buffer.byteLength) freeNow(Buffer.from(out.buffer));
    });
    this.settled = new Promise((resolve) => {
      this.settle = resolve;
      inflate.once('end', resolve);
      // on, not once: a write racing the first error may raise a second one.
      inflate.on('error', (error) => {
        this.failure ??= error;
        resolve();
      });
    });
    this.inflate = inflate;
    // Listened to from the first batch to the end of the block only: a walk keeps one counter per table.
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    return inflate;
  }

  /** Gives zlib the batch (which it keeps until written: the caller starts a new one); a promise when QUEUED_BYTES wait, settled when they are inflated (or failed). */
  private hand(): Promise<void> | undefined {
    if (this.filled === 0 || this.failure || !this.batch || this.signal?.aborted) {
      this.filled = 0;
      return undefined;
    }
    const batch = this.batch;
    const full = batch.subarray(0, this.filled);
    const inflate = this.inflater(full.length);
    this.batch = undefined;
    this.filled = 0;
    // zlib's own queue is 16 kB: past that write() says wait, and 'drain' comes once the queue is empty.
    // Once zlib has read a batch (the write's callback, without an error: a destroyed stream's is not
    // awaited) it is kept for the next one; a small table's first batch is left to the collector.
    inflate.write(full, (error) => {
      if (!error && batch.length === BATCH_BYTES) keepBatch(batch);
    });
    if (inflate.writableLength < QUEUED_BYTES) return undefined;
    return Promise.race([new Promise<void>((resolve) => inflate.once('drain', resolve)), this.settled]);
  }
}
