// A file read once, on a second thread that also hashes it, its bytes handed to this thread as views
// of the same shared memory: the SHA-256 of a stored backup and whatever this thread does with the
// bytes (verify decrypts them) share one read and two cores, with no copy between the threads. Bench
// row 10: the hash was ~80 ms of the decrypting thread's CPU per 100 MB, and reading into a fresh
// buffer per MiB ~20 ms more; an earlier worker that was sent copies of the bytes cost more than it saved.
// A file is read in pieces into a small buffer first (STAGE_BYTES), hashed there and copied into its
// slot: on the AMD EPYC of stop 33 a read straight into 1 MiB slots cost ~45 ms per 100 MB, into a
// buffer that stays in the core's cache ~12. A pipe (a backup's FIFO) is read straight into its slot
// and hashed after it is published, so pg_dump never waits on the hash.
//
// The memory is a ring of slots. The thread fills a free slot and publishes its length; this side
// pushes a view of the slot and lends it (fsutil/lent-buffers.ts) to the one reader, whose letGo
// frees the slot for the next read. So the reader must let go of every chunk, and copy out what it keeps: only readers that do (LETS_GO) may be fed from here. Never a torn or stale byte: a
// slot is reread only after its view was let go, and the hash covers exactly the bytes handed out.
// The worker's code is inline (`eval`), so the bundled CLI needs no file of its own; idle workers are
// kept (unreferenced) for the next read.
import { closeSync } from 'node:fs';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { markPacing, threadsStartedBy } from '../process/pacing-threads.ts';
import { lend } from './lent-buffers.ts';

/** Slot states in the shared control array, besides a positive length (filled, not yet handed out). */
const FREE = 0;
const END = -1;
const FAILED = -2;
/** Pushed to the reader and not yet let go: the thread may not reuse it, and it is not pushed again. */
const HANDED = -3;

/**
 * A pipe whose writer may run far ahead (a FIFO enlarged to 1 MiB, backup/dump-pipe.ts): after a short
 * read the thread waits up to this long, or until the pipe is about half full at the rate it was
 * filling, rather than waking for every few kB pg_dump writes (~7,000 reads per 99 MB against ~2,600).
 */
const MAX_PAUSE_MS = 4;

/** A file's bytes are read into a buffer this small first: it stays in the core's cache for the hash and the copy into the ring. */
const STAGE_BYTES = 128 * 1024;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ path, fd: opened, ring, control, slotSize, slots, staged }) => {
  const state = new Int32Array(control);
  const aborted = () => Atomics.load(state, slots) !== 0;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  let since = performance.now();
  const hash = createHash('sha256');
  const stage = staged ? new Uint8Array(${STAGE_BYTES}) : undefined;
  let fd;
  let slot = 0;
  /** A file, read into the small buffer and hashed there, then copied into the slot. */
  const fillStaged = (view) => {
    let length = 0;
    for (let got = -1; got !== 0 && length < slotSize; length += got) {
      got = readSync(fd, stage, 0, Math.min(stage.length, slotSize - length), null);
      const piece = stage.subarray(0, got);
      hash.update(piece);
      view.set(piece, length);
    }
    return length;
  };
  /**
   * A pipe (a FIFO pg_dump writes) gives what its writer has written so far, so the slot is read into
   * until it is full or the writer is gone.
   */
  const fillStraight = (view) => {
    let length = 0;
    for (let got = -1; got !== 0 && length < slotSize; length += got) {
      got = readSync(fd, view, length, slotSize - length, null);
      // How far the writer may run ahead (0: no pause): set once the pipe was enlarged.
      const ahead = Atomics.load(state, slots + 1);
      if (ahead > 0 && got > 0 && got < slotSize / 4 && length + got < slotSize) {
        const bytesPerMs = got / Math.max(performance.now() - since, 0.01);
        Atomics.wait(nap, 0, 0, Math.min(${MAX_PAUSE_MS}, ahead / 2 / bytesPerMs));
      }
      since = performance.now();
    }
    return length;
  };
  try {
    fd = opened ?? openSync(path, 'r');
    for (;;) {
      for (let seen; (seen = Atomics.load(state, slot)) !== ${FREE}; ) {
        if (aborted()) break;
        Atomics.wait(state, slot, seen);
      }
      if (aborted()) {
        parentPort.postMessage({ aborted: true });
        return;
      }
      const view = new Uint8Array(ring, slot * slotSize, slotSize);
      const length = stage ? fillStaged(view) : fillStraight(view);
      Atomics.store(state, slot, length === 0 ? ${END} : length);
      Atomics.notify(state, slot);
      if (length === 0) break;
      // A staged slot was hashed piece by piece as it was read; a pipe's is hashed once published, so its writer never waits on the hash.
      if (!stage) hash.update(view.subarray(0, length));
      slot = (slot + 1) % slots;
    }
    parentPort.postMessage({ digest: hash.digest('hex') });
  } catch (error) {
    Atomics.store(state, slot, ${FAILED});
    Atomics.notify(state, slot);
    parentPort.postMessage({ error: { message: error.message, code: error.code } });
  } finally {
    // One opened by the caller is closed on the caller's thread (Node warns of a close elsewhere).
    if (fd !== undefined && opened === undefined) closeSync(fd);
  }
});
`;

/** Atomics.waitAsync: in V8 since Node 16, in TypeScript's lib only from ES2024. */
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> } }).waitAsync;

type Outcome = { digest: string } | { error: { message: string; code?: string } } | { aborted: true };

/** Workers waiting for their next read, unreferenced so they never keep the process alive. */
const idle: Worker[] = [];

/**
 * The rings of finished reads, kept for the next read of the same size: a fresh ring is memory the
 * thread's reads fault in page by page (a verify's 4 MiB: ~1,000 page faults, each dear on a VM), a
 * kept one is warm. A ring is taken again only when none of its slots is still lent out: a reader that
 * has let go of a chunk never reads it again (fsutil/lent-buffers.ts), and one that has not holds it HANDED.
 */
const spareRings: Array<{ ring: SharedArrayBuffer; state: Int32Array }> = [];
const SPARE_RINGS = 2;

function takeRing(bytes: number): SharedArrayBuffer {
  const index = spareRings.findIndex(({ ring, state }) => ring.byteLength === bytes && !state.includes(HANDED));
  return index === -1 ? new SharedArrayBuffer(bytes) : spareRings.splice(index, 1)[0]!.ring;
}

function keepRing(ring: SharedArrayBuffer, state: Int32Array): void {
  spareRings.push({ ring, state });
  if (spareRings.length > SPARE_RINGS) spareRings.shift();
}

/** The operating system's ids of each worker's threads (process/pacing-threads.ts). */
const workerThreads = new WeakMap<Worker, number[]>();

function takeWorker(): Worker {
  let worker = idle.pop();
  if (!worker) {
    const started = threadsStartedBy(() => new Worker(WORKER_SOURCE, { eval: true }));
    worker = started.value;
    workerThreads.set(worker, started.threads);
  }
  worker.ref();
  return worker;
}

/** One job's answer from `worker`: its message, or its death (the worker is then not reused). */
function outcomeOf(worker: Worker): Promise<Outcome> {
  return new Promise((resolve) => {
    const settle = (outcome: Outcome, reusable: boolean) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (reusable) {
        worker.unref();
        idle.push(worker);
      }
      resolve(outcome);
    };
    const onMessage = (outcome: Outcome) => settle(outcome, true);
    const onError = (error: Error) => {
      void worker.terminate();
      settle({ error: { message: `the reading thread failed: ${error.message}` } }, false);
    };
    const onExit = (code: number) => settle({ error: { message: `the reading thread stopped (exit ${code})` } }, false);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

function readError(path: string, error: { message: string; code?: string }): NodeJS.ErrnoException {
  return Object.assign(new Error(`${path} could not be read: ${error.message}`), error.code ? { code: error.code } : {});
}

export interface HashedRead {
  /** The file's bytes in order; each chunk is lent to one reader that must let go of it (see above). */
  readonly bytes: Readable;
  /** The SHA-256 (hex) of every byte handed out, once the file was read to its end. */
  readonly sha256: Promise<string>;
  /** The pipe being read holds `bytes` (enlarged): short reads then pause to let it fill (MAX_PAUSE_MS). */
  writerMayRunAhead(bytes: number): void;
}

/**
 * Reads the file at `path` on a second thread that hashes it as it reads. At most `slots` chunks of
 * `slotSize` bytes are in memory; destroying `bytes` stops the thread.
 */
export function readHashed(
  path: string,
  {
    slotSize = 1024 * 1024,
    slots = 4,
    readers = 1,
    pacing = false,
    fd,
  }: {
    slotSize?: number;
    slots?: number;
    readers?: number;
    /** The writer waits on this read (a FIFO): its thread keeps its priority. */
    pacing?: boolean;
    /** `path` already opened for reading (a FIFO, opened before its writer could come and go): the thread reads it, and it is closed here once the thread is done with it. */
    fd?: number;
  } = {},
): HashedRead {
  const ring = takeRing(slotSize * slots);
  // One state per slot, then the abort flag, then how far a pipe's writer may run ahead.
  const control = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * (slots + 2));
  const state = new Int32Array(control);
  const worker = takeWorker();
  const paced = pacing ? markPacing(workerThreads.get(worker) ?? []) : undefined;
  const outcome = outcomeOf(worker);
  if (fd !== undefined) void outcome.finally(() => closeSync(fd));
  if (paced) void outcome.then(paced);
  worker.postMessage({ path, fd, ring, control, slotSize, slots, staged: fd === undefined });

  let next = 0;
  const free = (slot: number) => () => {
    Atomics.store(state, slot, FREE);
    Atomics.notify(state, slot);
  };
  /** Pushes the next slot once it is filled (a push is what ends a _read: Readable asks again after it). */
  const pushNext = (stream: Readable): void => {
    if (stream.destroyed) return;
    const slot = next;
    const length = Atomics.load(state, slot);
    if (length === FREE || length === HANDED) {
      const wait = waitAsync(state, slot, length);
      if (wait.async) void wait.value.then(() => pushNext(stream));
      else pushNext(stream);
      return;
    }
    if (length === END) {
      stream.push(null);
      return;
    }
    if (length === FAILED) {
      void outcome.then((failed) => stream.destroy('error' in failed ? readError(path, failed.error) : new Error(`${path} could not be read`)));
      return;
    }
    next = (slot + 1) % slots;
    Atomics.store(state, slot, HANDED);
    const chunk = Buffer.from(ring, slot * slotSize, length);
    lend(chunk, readers, free(slot));
    stream.push(chunk);
  };
  const bytes = new Readable({
    read() {
      pushNext(this);
    },
    destroy(error, done) {
      // Stops the thread wherever it waits; it answers { aborted } (or its digest, if it had finished).
      Atomics.store(state, slots, 1);
      for (let slot = 0; slot < slots; slot += 1) Atomics.notify(state, slot);
      done(error);
    },
  });
  // Kept once the thread has answered (it writes no more) and the stream is closed (nothing it filled is
  // still to be handed out); the slots' states then say whether a reader still holds a chunk.
  const closed = new Promise<void>((resolve) => bytes.once('close', resolve));
  void Promise.all([outcome, closed]).then(() => keepRing(ring, state.subarray(0, slots)));
  const sha256 = outcome.then((result) => {
    if ('digest' in result) return result.digest;
    if ('error' in result) throw readError(path, result.error);
    throw new Error(`the read of ${path} was stopped before its end`);
  });
  sha256.catch(() => undefined);
  return { bytes, sha256, writerMayRunAhead: (ahead) => Atomics.store(state, slots + 1, ahead) };
}
