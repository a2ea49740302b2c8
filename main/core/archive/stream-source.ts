// A Source over bytes that arrive once, in order (an archive passing through a pipe on its way to
// the encryptor): the readers' random access works as long as they read forward, which the
// sequential custom-archive walk and the head sniff do. Bytes before the latest position asked for
// are dropped, so memory stays within `limit` however large the dump; a writer that gets more than
// `limit` ahead of the reader waits (backpressure), and a reader that hops past data frees it at once.
import { Writable } from 'node:stream';
import type { Source } from './source.ts';

export class StreamSource extends Writable implements Source {
  /** Unknown until the stream ends; readers must stop at the first read that returns nothing. */
  readonly size = Number.MAX_SAFE_INTEGER;
  private chunks: Buffer[] = [];
  /** Stream offset of chunks[0][0]. */
  private base = 0;
  private buffered = 0;
  private floor = 0;
  private ended = false;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  constructor(private limit = 8 * 1024 * 1024) {
    super();
  }

  /** Everything before `position` is no longer needed. */
  private dropBefore(position: number): void {
    this.floor = Math.max(this.floor, position);
    while (this.chunks.length > 0 && this.base + this.chunks[0]!.length <= this.floor) {
      const gone = this.chunks.shift()!;
      this.base += gone.length;
      this.buffered -= gone.length;
    }
    if (this.chunks.length === 0) this.base = Math.max(this.base, this.floor);
    if (this.buffered < this.limit) {
      const wake = this.wakeWriter;
      this.wakeWriter = undefined;
      wake?.();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const start = this.base + this.buffered;
    if (start + chunk.length <= this.floor) {
      this.base += chunk.length; // hopped over already: never held
    } else {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.dropBefore(this.floor);
    }
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
    if (this.buffered < this.limit) done();
    else this.wakeWriter = () => done();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.ended = true;
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
    done();
  }

  /** Stops holding the writer up: the reader gave up (a damaged archive) and will read no more. */
  release(): void {
    this.limit = 0;
    this.dropBefore(Number.MAX_SAFE_INTEGER);
    const wake = this.wakeWriter;
    this.wakeWriter = undefined;
    wake?.();
  }

  async readAt(target: Buffer, offset: number, length: number, position: number): Promise<number> {
    if (position < this.floor && position < this.base) throw new Error(`the streamed archive was read backwards (byte ${position} after ${this.floor})`);
    this.dropBefore(position);
    for (;;) {
      if (position < this.base + this.buffered) break;
      if (this.ended) return 0;
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
      this.dropBefore(position);
    }
    let copied = 0;
    let at = this.base;
    for (const chunk of this.chunks) {
      const end = at + chunk.length;
      if (end > position + copied && copied < length) {
        const from = position + copied - at;
        copied += chunk.copy(target, offset + copied, from, Math.min(chunk.length, from + length - copied));
      }
      at = end;
      if (copied >= length) break;
    }
    return copied;
  }
}
