// A Source over bytes that arrive once, in order (an archive passing through a pipe on its way to
// the encryptor): the readers' random access works as long as they read forward, which the
// sequential custom-archive walk and the head sniff do. Bytes before the position the reader says
// it is done with (forget, called by ByteReader as its window moves on) are dropped, so memory stays
// within `limit` however large the dump; a writer that gets more than `limit` ahead of a busy reader
// waits (backpressure), and a reader that hops past data frees it at once.
import { Writable } from 'node:stream';
import { letGo, LETS_GO } from '../fsutil/lent-buffers.ts';
import type { Source } from './source.ts';

export class StreamSource extends Writable implements Source {
  /** Every chunk is let go once dropped (readAt copies out what the reader keeps): see fsutil/lent-buffers.ts. */
  readonly [LETS_GO] = true;
  /** Unknown until the stream ends; readers must stop at the first read that returns nothing. */
  readonly size = Number.MAX_SAFE_INTEGER;
  /** The bytes still held, each with its offset in the stream. */
  private held: Array<{ at: number; bytes: Buffer }> = [];
  private heldBytes = 0;
  /** Bytes received so far: the offset the next chunk starts at. */
  private received = 0;
  /** Nothing before this offset will be read again. */
  private floor = 0;
  private ended = false;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  constructor(private limit = 8 * 1024 * 1024) {
    super();
  }

  /** The reader will read nothing before `position` again (ByteReader says so as it moves on). */
  forget(position: number): void {
    this.floor = Math.max(this.floor, position);
    while (this.held.length > 0 && this.held[0]!.at + this.held[0]!.bytes.length <= this.floor) {
      const dropped = this.held.shift()!.bytes;
      this.heldBytes -= dropped.length;
      letGo(dropped);
    }
    if (this.heldBytes < this.limit) this.wake('writer');
  }

  private wake(who: 'reader' | 'writer'): void {
    const wake = who === 'reader' ? this.wakeReader : this.wakeWriter;
    if (who === 'reader') this.wakeReader = undefined;
    else this.wakeWriter = undefined;
    wake?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const at = this.received;
    this.received += chunk.length;
    // A chunk the reader has already hopped over is never held.
    if (at + chunk.length > this.floor) {
      this.held.push({ at, bytes: chunk });
      this.heldBytes += chunk.length;
    } else letGo(chunk);
    // Held back only while the reader is busy: a reader waiting for bytes always gets them, so one
    // read larger than the limit (a huge TOC string) cannot deadlock the two.
    const readerWaits = this.wakeReader !== undefined;
    this.wake('reader');
    if (this.heldBytes < this.limit || readerWaits) done();
    else this.wakeWriter = () => done();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.ended = true;
    this.wake('reader');
    done();
  }

  /**
   * Destroyed before its end (the stream feeding it failed or was closed): the reader is told the bytes
   * stopped, so the walk reports a cut archive instead of waiting for bytes that will never come.
   */
  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    // Also called after a normal end (autoDestroy): what is held stays readable either way.
    this.ended = true;
    this.wake('reader');
    done(error);
  }

  /** Stops holding the writer up: the reader gave up (a damaged archive) and will read no more. */
  release(): void {
    this.limit = Number.MAX_SAFE_INTEGER;
    this.forget(Number.MAX_SAFE_INTEGER);
  }

  /** Once `length` bytes from `position` arrived: the held chunk holding `position`, from there to its end, when that is all `length` of them. */
  async viewAt(position: number, length: number): Promise<Buffer | undefined> {
    if (position < this.floor) throw this.readBackwards(position);
    await this.arrived(position + length);
    for (const { at, bytes } of this.held) {
      const from = position - at;
      if (from >= bytes.length) continue;
      return from >= 0 && bytes.length - from >= length ? bytes.subarray(from) : undefined;
    }
    return undefined;
  }

  private readBackwards(position: number): Error {
    return new Error(`the streamed archive was read backwards (byte ${position}, after the reader moved past byte ${this.floor})`);
  }

  /** Waits until the stream holds the bytes up to `offset`, or has ended short of it. */
  private async arrived(offset: number): Promise<void> {
    while (offset > this.received && !this.ended) {
      // Waiting is announced before the writer is released: releasing it can run the next buffered
      // _write at once, which must see a waiting reader (and wake it), or each waits for the other.
      const arrived = new Promise<void>((resolve) => (this.wakeReader = resolve));
      this.wake('writer');
      await arrived;
    }
  }

  async readAt(target: Buffer, offset: number, length: number, position: number): Promise<number> {
    if (position < this.floor) throw this.readBackwards(position);
    await this.arrived(position + 1);
    if (position >= this.received) return 0;
    let copied = 0;
    for (const { at, bytes } of this.held) {
      const from = position + copied - at;
      if (from >= bytes.length) continue;
      if (from < 0 || copied >= length) break;
      copied += bytes.copy(target, offset + copied, from, Math.min(bytes.length, from + length - copied));
    }
    return copied;
  }
}
