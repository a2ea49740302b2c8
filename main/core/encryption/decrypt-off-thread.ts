// Decrypting an age file with the payload's cipher on a second thread. The main thread opens the
// header (the age library, the identities) and hashes the stored bytes; a worker reads the file into
// a ring of shared memory allocated once, hands each slot to the main thread for hashing, opens every
// chunk of the slot with Node's native ChaCha20-Poly1305 and transfers the plaintext back. The two
// CPU-heavy parts — the stored file's SHA-256 and the cipher — so run side by side, and no byte of the
// ciphertext is copied on the way. The STREAM rules are age-stream.ts's, checked in the same order:
// chunks in order with their counters, every tag checked, the final chunk opened as the last (so a cut
// at a chunk boundary fails), no empty chunk after data. The file's size is read once at the start;
// a file that shrinks or grows while it is read fails. Memory is bounded: the worker waits when the
// ring is full (hashing behind) or when 8 plaintext slots wait for the caller (its sinks behind).
// A worker that stops or fails is an error of the pass, never a pass. The worker's code is inline
// (`eval`), so the bundled CLI needs no file of its own.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { AgeError, CHUNK_SIZE, MAX_HEAD_SIZE, openAgeHeader, TAG_SIZE, type AgeSecret, type DecryptedBy } from './age-stream.ts';

/** A sealed chunk: 64 KiB of plaintext and its tag. */
const SEALED_CHUNK = CHUNK_SIZE + TAG_SIZE;
/** Control words shared with the worker (Int32Array indexes). */
const SLOTS_HASHED = 0;
const PLAIN_TAKEN = 1;
const ABORT = 2;

// The nonce is age-stream.ts's chunkNonce (11-byte big-endian counter, then the last-chunk flag); the
// interop specs (files `age` wrote, read here) keep the two from drifting.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { readSync } = require('node:fs');
const { createDecipheriv } = require('node:crypto');
const sealedChunk = ${SEALED_CHUNK};
const tag = ${TAG_SIZE};
class AgeProblem extends Error {}
function waitUntil(control, index, ready) {
  for (;;) {
    if (Atomics.load(control, ${ABORT}) !== 0) throw new Error('aborted');
    const seen = Atomics.load(control, index);
    if (ready(seen)) return;
    Atomics.wait(control, index, seen, 100);
  }
}
function readFully(fd, into, length, position) {
  let got = 0;
  while (got < length) {
    const n = readSync(fd, into, got, length - got, position + got);
    if (n === 0) throw new AgeProblem('the file became shorter while it was read: it is truncated');
    got += n;
  }
}
function nonce(counter, last) {
  const bytes = Buffer.alloc(12);
  bytes.writeUIntBE(Math.floor(counter / 2 ** 48), 0, 5);
  bytes.writeUIntBE(counter % 2 ** 48, 5, 6);
  bytes[11] = last ? 1 : 0;
  return bytes;
}
function openChunk(key, sealed, counter, last) {
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce(counter, last), { authTagLength: tag });
  decipher.setAuthTag(sealed.subarray(sealed.length - tag));
  const plain = decipher.update(sealed.subarray(0, sealed.length - tag));
  try {
    decipher.final();
  } catch {
    const where = 'chunk ' + counter + ' (bytes ' + counter * (sealedChunk - tag) + '–' + (counter + 1) * (sealedChunk - tag) + ' of the content) does not authenticate';
    throw new AgeProblem(last ? where + ': the file was truncated, changed or damaged' : where + ': the file was changed or damaged');
  }
  return plain;
}
function run({ fd, ring: ringMemory, control, slotSize, slots, plainAhead, key: keyBytes, payloadStart, size }) {
  const ring = new Uint8Array(ringMemory);
  const key = Buffer.from(keyBytes);
  const payload = size - payloadStart;
  if (payload < tag) throw new AgeProblem('the file ends without its last chunk: it is truncated');
  const chunks = Math.ceil(payload / sealedChunk);
  let position = 0;
  let counter = 0;
  let slotsRead = 0;
  let plainSent = 0;
  while (position < size) {
    waitUntil(control, ${SLOTS_HASHED}, (hashed) => slotsRead - hashed < slots);
    const at = (slotsRead % slots) * slotSize;
    // The first slot holds the header and as many whole chunks as fit; the others whole chunks only.
    const end = slotsRead === 0 ? Math.min(size, payloadStart + Math.floor((slotSize - payloadStart) / sealedChunk) * sealedChunk) : Math.min(size, position + slotSize);
    const slotStart = position;
    readFully(fd, ring.subarray(at, at + end - slotStart), end - slotStart, slotStart);
    parentPort.postMessage({ hash: [at, end - slotStart] });
    slotsRead += 1;
    position = end;
    const plains = [];
    let plainBytes = 0;
    for (let offset = Math.max(slotStart, payloadStart); offset < end; offset += sealedChunk) {
      const length = Math.min(sealedChunk, end - offset);
      const last = counter === chunks - 1;
      if (last && length < tag) throw new AgeProblem('the file ends without its last chunk: it is truncated');
      if (last && length === tag && counter > 0) throw new AgeProblem('the file ends with an empty chunk after data: it is damaged');
      const plain = openChunk(key, ring.subarray(at + offset - slotStart, at + offset - slotStart + length), counter, last);
      plains.push(plain);
      plainBytes += plain.length;
      counter += 1;
    }
    if (plainBytes === 0) continue;
    // One transferred buffer per slot: the caller owns it, nothing is copied back across threads.
    const batch = new Uint8Array(plainBytes);
    let filled = 0;
    for (const plain of plains) {
      batch.set(plain, filled);
      filled += plain.length;
    }
    waitUntil(control, ${PLAIN_TAKEN}, (taken) => plainSent - taken < plainAhead);
    parentPort.postMessage({ plain: batch.buffer }, [batch.buffer]);
    plainSent += 1;
  }
  // Bytes past the size read at the start: the file grew while it was read.
  if (readSync(fd, Buffer.alloc(1), 0, 1, size) !== 0) throw new AgeProblem('the file grew while it was read: it was changed');
  parentPort.postMessage({ done: true });
}
// One pass at a time; the thread is kept for the next pass only after one that ended cleanly.
parentPort.on('message', (job) => {
  try {
    run(job);
  } catch (error) {
    if (Atomics.load(job.control, ${ABORT}) === 0) parentPort.postMessage({ failed: { age: error instanceof AgeProblem, message: error.message } });
  }
});
`;

export interface OffThreadPass {
  /** SHA-256 (hex) of every stored byte, header included. */
  storedChecksum: string;
}

export interface OffThreadOptions {
  /** Ring of stored bytes shared with the worker: `slots` slots of `slotChunks` sealed chunks each. */
  slotChunks?: number;
  slots?: number;
  /** Called with the worker the pass uses (specs stop it to see a crash reported). */
  onWorker?: (worker: Worker) => void;
}

/**
 * Threads kept between passes: starting one costs ~70 ms of CPU here, as much as decrypting 100 MB,
 * and a long-lived process (the app, `serve`, a bench) verifies one backup after another. A thread
 * is taken by one pass at a time, returned only after a pass that ended cleanly (any other end
 * terminates it), and unreferenced while idle so it never keeps a process alive.
 */
const idleWorkers: Worker[] = [];
const KEEP_IDLE = 2;

function takeWorker(): Worker {
  const kept = idleWorkers.pop();
  if (kept) {
    kept.ref();
    return kept;
  }
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  // An idle thread that ends (it should not) leaves the pool instead of raising an unhandled 'error'.
  const leave = () => {
    const at = idleWorkers.indexOf(worker);
    if (at >= 0) idleWorkers.splice(at, 1);
  };
  worker.on('error', leave);
  worker.on('exit', leave);
  return worker;
}

function returnWorker(worker: Worker): void {
  if (idleWorkers.length >= KEEP_IDLE) {
    void worker.terminate();
    return;
  }
  worker.unref();
  idleWorkers.push(worker);
}

type FromWorker = { hash?: [number, number]; plain?: ArrayBuffer; done?: true; failed?: { age: boolean; message: string } };

/**
 * Decrypts the age file at `path` with the first of `identities` that opens it, handing the plaintext
 * to `onPlain` in order, one call at a time (the next waits for the previous to settle). Resolves
 * with the stored bytes' checksum once every chunk has authenticated and been handed over. Rejects
 * with an AgeError for a file that does not decrypt, with the caller's error when `onPlain` rejects,
 * and with an Error when the worker stops or fails.
 */
export async function decryptAgeFileOffThread(
  path: string,
  identities: readonly AgeSecret[],
  onPlain: (plain: Buffer) => Promise<void>,
  onKey?: (by: DecryptedBy) => void,
  options: OffThreadOptions = {},
): Promise<OffThreadPass> {
  const slotChunks = options.slotChunks ?? 16;
  const slots = options.slots ?? 4;
  const slotSize = slotChunks * SEALED_CHUNK;
  if (slotSize < MAX_HEAD_SIZE + SEALED_CHUNK) throw new RangeError(`a slot of ${slotChunks} chunks cannot hold a header and a chunk`);
  const file = await open(path, 'r');
  const ring = new Uint8Array(new SharedArrayBuffer(slots * slotSize));
  const control = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  const worker = takeWorker();
  options.onWorker?.(worker);
  const stored = createHash('sha256');
  let handed = Promise.resolve();
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  finished.catch(() => undefined);
  const fail = (error: Error) => settle!.reject(error);
  let workerDone = false;
  let clean = false;
  const onError = (error: Error) => fail(new Error(`the decrypting thread failed: ${error.message}`));
  const onExit = (code: number) => {
    if (!workerDone) fail(new Error(`the decrypting thread stopped before the end of the file (exit ${code})`));
  };
  const onMessage = (message: FromWorker) => {
    if (message.hash) {
      const [at, length] = message.hash;
      stored.update(ring.subarray(at, at + length));
      Atomics.add(control, SLOTS_HASHED, 1);
      Atomics.notify(control, SLOTS_HASHED);
    } else if (message.plain) {
      const plain = Buffer.from(message.plain);
      handed = handed.then(async () => {
        await onPlain(plain);
        Atomics.add(control, PLAIN_TAKEN, 1);
        Atomics.notify(control, PLAIN_TAKEN);
      });
      handed.catch(fail);
    } else if (message.done) {
      workerDone = true;
      handed.then(() => settle!.resolve(), fail);
    } else if (message.failed) fail(message.failed.age ? new AgeError(message.failed.message) : new Error(`the decrypting thread failed: ${message.failed.message}`));
  };
  worker.on('error', onError);
  worker.on('exit', onExit);
  worker.on('message', onMessage);
  try {
    const { size } = await file.stat();
    if (size === 0) throw new AgeError('the file is empty');
    const head = Buffer.alloc(Math.min(size, MAX_HEAD_SIZE));
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const opened = await openAgeHeader(head.subarray(0, bytesRead), identities);
    if (!opened) throw new AgeError('the file ends inside its header: it is truncated');
    onKey?.({ identityIndex: opened.identityIndex });
    worker.postMessage({ fd: file.fd, ring: ring.buffer, control, slotSize, slots, plainAhead: 8, key: opened.key, payloadStart: opened.payloadStart, size });
    await finished;
    clean = true;
    return { storedChecksum: stored.digest('hex') };
  } finally {
    worker.off('error', onError);
    worker.off('exit', onExit);
    worker.off('message', onMessage);
    if (clean) returnWorker(worker);
    else {
      // The thread may be mid-pass: it stops waiting on the ring, and is ended, never reused.
      Atomics.store(control, ABORT, 1);
      Atomics.notify(control, SLOTS_HASHED);
      Atomics.notify(control, PLAIN_TAKEN);
      await worker.terminate();
    }
    await handed.catch(() => undefined);
    await file.close();
  }
}
