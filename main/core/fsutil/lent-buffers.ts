// Buffers handed to several readers and freed the moment the last one lets go, instead of at V8's next
// garbage collection. Why it matters: Node's ChaCha20-Poly1305 gives every 64 KiB chunk it opens a
// fresh buffer, and V8 frees those only at a collection, so a 100 MB decrypting pass cycles ~100 MB of
// malloc'd memory that the C library returns to the kernel and faults in again; after a fork (every
// verify starts pg_restore) each of those pages faults once more. A buffer freed at once is reused by
// the next chunk's allocation, warm. Bench row 10: ~250 ms of CPU per 100 MB became ~60 ms.
//
// The protocol: whoever hands a buffer out calls `lend(buffer, holders)`; each holder calls
// `letGo(buffer)` when it will never read it again (a buffer nobody lent is ignored). A reader may
// only take part if it copies out what it keeps: a reader that lets go and then reads finds the buffer
// empty (length 0), a loud failure, never other bytes. Freeing is `ArrayBuffer.prototype.transfer(0)`,
// standard since Node 22; on Node 20 V8 has it behind a flag, read from a fresh context. Where neither
// works, letting go does nothing and the garbage collector frees the buffer as before.
import type { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { createContext, runInContext } from 'node:vm';

type Transfer = (this: ArrayBuffer, newLength?: number) => ArrayBuffer;

/** Buffers smaller than this come from Node's shared pool or do not matter: they are never freed here. */
const SMALLEST_FREED = 16 * 1024;

function findTransfer(): Transfer | undefined {
  const native = (ArrayBuffer.prototype as { transfer?: Transfer }).transfer;
  if (typeof native === 'function') return native;
  try {
    // V8 11.3 (Node 20) installs the method in contexts made while the flag is on; it is turned off
    // again at once, so nothing else changes. The method works on this context's buffers too.
    setFlagsFromString('--harmony-rab-gsab-transfer');
    const found = runInContext('ArrayBuffer.prototype.transfer', createContext()) as unknown;
    setFlagsFromString('--no-harmony-rab-gsab-transfer');
    return typeof found === 'function' ? (found as Transfer) : undefined;
  } catch {
    return undefined;
  }
}

let transfer: Transfer | undefined | null = null;

/** Frees `buffer`'s memory now when it owns all of it (a view of part of a larger buffer is left alone). */
export function freeNow(buffer: Buffer): void {
  if (buffer.length < SMALLEST_FREED || buffer.byteOffset !== 0 || buffer.byteLength !== buffer.buffer.byteLength) return;
  if (!(buffer.buffer instanceof ArrayBuffer)) return;
  if (transfer === null) transfer = findTransfer();
  try {
    transfer?.call(buffer.buffer, 0);
  } catch {
    // Not detachable (a buffer Node keeps for itself): the collector frees it.
  }
}

/** How many holders still read each lent buffer, and what frees it after the last. */
const holdersLeft = new WeakMap<Buffer, { left: number; release: (() => void) | undefined }>();

/**
 * Hands `buffer` to `holders` readers that each call letGo(buffer) when done; after the last it is
 * freed, or given back by `release` (memory the lender reuses: fsutil/hashed-read.ts's shared slots).
 */
export function lend(buffer: Buffer, holders: number, release?: () => void): void {
  if (holders > 0) holdersLeft.set(buffer, { left: holders, release });
  else if (release) release();
  else freeNow(buffer);
}

/** This holder will not read `buffer` again; the last one to say so frees it. A buffer not lent is left alone. */
export function letGo(buffer: Buffer): void {
  const lent = holdersLeft.get(buffer);
  if (lent === undefined) return;
  if (lent.left > 1) lent.left -= 1;
  else {
    holdersLeft.delete(buffer);
    if (lent.release) lent.release();
    else freeNow(buffer);
  }
}

/** Marks a Writable that calls letGo on every chunk written to it once it is done with it. */
export const LETS_GO = Symbol('lets go of lent buffers');

export function letsGo(sink: object): boolean {
  return (sink as { [LETS_GO]?: boolean })[LETS_GO] === true;
}

/**
 * Writes a lent `chunk` to `sink` and resolves when the sink may take more. A sink already closed
 * (pg_restore --list stops reading after the TOC; a check that failed) lets go of nothing, so it is
 * let go for it; one that closes or fails while full releases the writer instead of holding it.
 */
export function offer(sink: Writable, chunk: Buffer): Promise<void> {
  if (sink.destroyed || sink.writableEnded) {
    letGo(chunk);
    return Promise.resolve();
  }
  if (sink.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const go = () => {
      sink.off('drain', go);
      sink.off('close', go);
      sink.off('error', go);
      resolve();
    };
    sink.on('drain', go);
    sink.on('close', go);
    sink.on('error', go);
  });
}
