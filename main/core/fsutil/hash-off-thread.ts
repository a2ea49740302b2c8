// SHA-256 on a second thread, for a pass that already keeps the main thread busy (verify of an
// encrypted backup decrypts and walks the archive there): the bytes are copied to a worker and hashed
// beside the decryption instead of after it. The worker's code is inline (`eval`), so the bundled CLI
// needs no file of its own. Memory stays bounded: at most `limit` bytes are in flight; past that,
// update() waits until the worker has caught up.
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hash = createHash('sha256');
parentPort.on('message', (bytes) => {
  if (bytes === null) parentPort.postMessage({ digest: hash.digest('hex') });
  else {
    hash.update(bytes);
    parentPort.postMessage({ hashed: bytes.length });
  }
});
`;

export class OffThreadSha256 {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private inFlight = 0;
  private caughtUp: (() => void) | undefined;
  private digested: ((hex: string) => void) | undefined;
  private failure: Error | undefined;
  private readonly failed: Promise<never>;

  constructor(private readonly limit = 32 * 1024 * 1024) {
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
        if (this.inFlight <= this.limit) this.wake();
      }
    });
  }

  private wake(): void {
    const wake = this.caughtUp;
    this.caughtUp = undefined;
    wake?.();
  }

  /** Hands `bytes` to the worker (a copy: the caller keeps using its buffer); waits while too much is in flight. */
  async update(bytes: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    const copy = new Uint8Array(bytes);
    this.inFlight += copy.length;
    this.worker.postMessage(copy, [copy.buffer]);
    if (this.inFlight > this.limit) await Promise.race([new Promise<void>((resolve) => (this.caughtUp = resolve)), this.failed]);
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
