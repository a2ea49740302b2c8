// SHA-256 on a second thread, for a pass that already keeps the main thread busy (verify of an
// encrypted backup decrypts and walks the archive there): the bytes are hashed beside the decryption
// instead of after it. They reach the worker through a ring of shared memory allocated once: copying
// into it is a memcpy, where a fresh buffer per chunk costs more in allocation and page faults than the
// hash itself. The worker's code is inline (`eval`), so the bundled CLI needs no file of its own.
// Memory is bounded by the ring: when it is full, update() waits until the worker has caught up.
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const ring = new Uint8Array(workerData.ring);
const hash = createHash('sha256');
parentPort.on('message', (piece) => {
  if (piece === null) parentPort.postMessage({ digest: hash.digest('hex') });
  else {
    hash.update(ring.subarray(piece[0], piece[0] + piece[1]));
    parentPort.postMessage({ hashed: piece[1] });
  }
});
`;

export class OffThreadSha256 {
  private readonly ring: Uint8Array;
  private readonly worker: Worker;
  /** Bytes written into the ring so far; the next piece starts at written % ring size. */
  private written = 0;
  /** Bytes written but not yet hashed: the ring's occupied part ends at `written`. */
  private inFlight = 0;
  private caughtUp: (() => void) | undefined;
  private digested: ((hex: string) => void) | undefined;
  private failure: Error | undefined;
  private readonly failed: Promise<never>;

  constructor(ringSize = 8 * 1024 * 1024) {
    const shared = new SharedArrayBuffer(ringSize);
    this.ring = new Uint8Array(shared);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ring: shared } });
    this.failed = new Promise<never>((_resolve, reject) => {
      const fail = (error: Error) => {
        this.failure ??= error;
        reject(this.failure);
      };
      this.worker.on('error', fail);
      this.worker.on('exit', (code) => fail(new Error(`the hashing thread stopped (exit ${code})`)));
    });
    this.failed.catch(() => undefined);
    this.worker.on('message', (message: { hashed?: number; digest?: string }) => {
      if (message.digest !== undefined) this.digested?.(message.digest);
      else {
        this.inFlight -= message.hashed!;
        const wake = this.caughtUp;
        this.caughtUp = undefined;
        wake?.();
      }
    });
  }

  /** Copies `bytes` into the ring for the worker (the caller keeps its buffer); waits while the ring is full. */
  async update(bytes: Uint8Array): Promise<void> {
    let from = 0;
    while (from < bytes.length) {
      if (this.failure) throw this.failure;
      const at = this.written % this.ring.length;
      // The free part is contiguous from `at` up to the ring's end or to the oldest unhashed byte.
      const length = Math.min(bytes.length - from, this.ring.length - at, this.ring.length - this.inFlight);
      if (length === 0) {
        await Promise.race([new Promise<void>((resolve) => (this.caughtUp = resolve)), this.failed]);
        continue;
      }
      this.ring.set(bytes.subarray(from, from + length), at);
      this.worker.postMessage([at, length]);
      this.written += length;
      this.inFlight += length;
      from += length;
    }
  }

  /** The hex digest of everything given; ends the worker. */
  async digest(): Promise<string> {
    if (this.failure) throw this.failure;
    try {
      return await Promise.race([
        new Promise<string>((resolve) => {
          this.digested = resolve;
          this.worker.postMessage(null);
        }),
        this.failed,
      ]);
    } finally {
      await this.close();
    }
  }

  /** Ends the worker without a digest (the pass failed). */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
