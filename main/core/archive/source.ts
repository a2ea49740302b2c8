// Where a reader's bytes come from: an open file or a buffer in memory, read at any position.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { DumpProblem } from './problem.ts';

export interface Source {
  readonly size: number;
  readAt(target: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Nothing before `position` will be read again: a stream (stream-source.ts) can let those bytes go. */
  forget?(position: number): void;
  /**
   * A stream's bytes read in place: once `length` bytes from `position` have arrived (or the stream
   * ended), a view from `position` to the end of the piece of memory holding it, when that holds all
   * `length` (undefined otherwise: readAt copies them). The view stays valid until forget() is told a
   * position past its end.
   */
  viewAt?(position: number, length: number): Promise<Buffer | undefined>;
  /**
   * A file still being written (backup/follow-output.ts): a read past its current end waits for more,
   * so a reader takes what is there once it has what it needs rather than wait to fill its read-ahead.
   */
  readonly growing?: boolean;
}

export function fileSource(fh: FileHandle, size: number): Source {
  return {
    size,
    async readAt(target, offset, length, position) {
      return (await fh.read(target, offset, length, position)).bytesRead;
    },
  };
}

export function bufferSource(buf: Buffer): Source {
  return {
    size: buf.length,
    async readAt(target, offset, length, position) {
      // Past the end a file handle reads nothing; Buffer.copy would throw instead.
      if (position >= buf.length) return 0;
      return buf.copy(target, offset, position, Math.min(buf.length, position + length));
    },
  };
}

export async function readAt(src: Source, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const r = await src.readAt(buf, got, len - got, pos + got);
    if (r === 0) break;
    got += r;
  }
  return buf.subarray(0, got);
}

export async function* rangeChunks(src: Source, start: number, end: number): AsyncGenerator<Buffer> {
  for (let pos = start; pos < end;) {
    const chunk = await readAt(src, pos, Math.min(end - pos, 1024 * 1024));
    if (chunk.length === 0) return;
    yield chunk;
    pos += chunk.length;
  }
}

export async function openFile(path: string, what: string): Promise<{ fh: FileHandle; size: number; src: Source }> {
  const st = await stat(path);
  if (st.isDirectory()) {
    throw new DumpProblem(`${path} is a directory, not a ${what} file`);
  }
  if (st.size === 0) throw new DumpProblem(`${path} is empty (0 bytes): pg_dump wrote nothing to it`);
  const fh = await open(path, 'r');
  return { fh, size: st.size, src: fileSource(fh, st.size) };
}

/** Runs `read` over the file at `path`, closing it however `read` ends. */
export async function withFile<T>(path: string, what: string, read: (src: Source) => Promise<T>): Promise<T> {
  const { fh, src } = await openFile(path, what);
  try {
    return await read(src);
  } finally {
    await fh.close();
  }
}

export async function readHeadBytes(src: Source): Promise<Buffer> {
  return readAt(src, 0, Math.min(src.size, 512));
}

/**
 * `src`, whose reads fail with the signal's reason once it is aborted: a walk over any source stops
 * at its next read (holdfast import of a large or hostile dump can be cancelled).
 */
export function abortableSource(src: Source, signal: AbortSignal | undefined): Source {
  if (!signal) return src;
  return {
    size: src.size,
    ...(src.growing ? { growing: src.growing } : {}),
    ...(src.forget ? { forget: (position: number) => src.forget!(position) } : {}),
    ...(src.viewAt
      ? {
          viewAt: async (position: number, length: number) => {
            signal.throwIfAborted();
            return src.viewAt!(position, length);
          },
        }
      : {}),
    async readAt(target, offset, length, position) {
      signal.throwIfAborted();
      return src.readAt(target, offset, length, position);
    },
  };
}
