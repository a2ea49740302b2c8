// The structure walk of a custom archive while pg_dump is still writing it. After pg_dump exits, every
// read of its output is time the backup waits for (issue 12, item 22): the walk of a 99 MB archive
// costs ~65–130 ms of CPU, its SHA-256 ~110 ms. The checksum cannot be taken early (pg_dump rewrites
// its table of contents at the start of the file when it finishes, and SHA-256 is sequential), but the
// walk can: pg_dump appends its data blocks and never rewrites one, so they are walked as they arrive,
// the way a pipe's archive is (archive/stream-inspect.ts), and where each block starts is noted.
//
// Once pg_dump has exited, the walk reads what is left and the final header and table of contents (a
// few reads at the file's start) are checked against it: byte for byte what the walk read, but for the
// data offsets pg_dump fills in; each data block placed where the walk found it; the path still naming
// the file the walk opened (the hash reads the path); the file no longer than what was walked. A
// header or TOC that differs anywhere else (a compression flag, a definition, a COPY column list, at
// the same length or not) would have the hashed file restore otherwise than the walk read it. Only
// then does the walk stand for the finished file; anything else (a failed walk, a table of contents
// rewritten while the walk read it, a read error) gives undefined, and the caller checks the file
// whole as before.
import { once } from 'node:events';
import { open, stat } from 'node:fs/promises';
import { readCustomToc } from '../archive/custom.ts';
import { K_OFFSET_POS_SET } from '../archive/constants.ts';
import { dataEntries } from '../archive/entries.ts';
import type { ArchiveInspection } from '../archive/inspect.ts';
import { inspectStream } from '../archive/stream-inspect.ts';
import type { Toc } from '../archive/toc.ts';
import { pathSize } from '../fsutil/durable.ts';
import { readFilePrefix } from '../fsutil/file-prefix.ts';

const READ_BYTES = 1024 * 1024;
/** How long the walk waits at the file's end before it looks again, while pg_dump runs. */
const WAIT_MS = 100;

export interface OutputFollower {
  /** pg_dump has exited: the walk reads to the end, then stands for the file only if the final TOC agrees (see above). */
  finish(): Promise<ArchiveInspection | undefined>;
  /** A failed or cancelled backup: the walk stops and its file is closed when this settles. */
  stop(): Promise<void>;
}

/** The header and TOC bytes with every entry's data offset zeroed: what pg_dump's final rewrite must leave as it was. */
function withoutOffsets(headAndToc: Buffer, toc: Toc): Buffer {
  const masked = Buffer.from(headAndToc);
  for (const { offsetBytes } of toc.entries) if (offsetBytes) masked.fill(0, offsetBytes.start, offsetBytes.end);
  return masked;
}

/** Follows `path`, a custom archive pg_dump is writing, from its first byte. */
export function followCustomOutput(path: string, label: string, options: { countRows: boolean }): OutputFollower {
  const blockStarts = new Map<number, number>();
  let walkedToc: Toc | undefined;
  // The bytes the walk read, kept until they cover the header and TOC (the final ones are compared with them).
  const walkedHead: Buffer[] = [];
  let walkedHeadBytes = 0;
  const inspector = inspectStream('custom', label, {
    countRows: options.countRows,
    onToc: (toc) => (walkedToc = toc),
    onBlock: (dumpId, at) => blockStarts.set(dumpId, at),
  });
  const stopped = new AbortController();
  let exited = false;
  let wake: (() => void) | undefined;
  let followed = 0;
  let readFailed = false;
  /** The file the walk opened: the path must still name it when the walk is trusted (the hash reads the path). */
  let followedFile: { dev: bigint; ino: bigint } | undefined;

  const pump = (async () => {
    const file = await open(path, 'r');
    try {
      const { dev, ino } = await file.stat({ bigint: true });
      followedFile = { dev, ino };
      while (!stopped.signal.aborted) {
        // Read after the exit was known: a read that comes back empty then is the file's end.
        const atExit = exited;
        const chunk = Buffer.allocUnsafe(READ_BYTES);
        const { bytesRead } = await file.read(chunk, 0, READ_BYTES, followed);
        if (bytesRead > 0) {
          followed += bytesRead;
          // The walk holds chunks until it is past them: a short read is copied out rather than pin a whole MiB.
          const bytes = bytesRead < READ_BYTES / 2 ? Buffer.from(chunk.subarray(0, bytesRead)) : chunk.subarray(0, bytesRead);
          if (walkedHeadBytes < (walkedToc?.end ?? Number.POSITIVE_INFINITY)) {
            walkedHead.push(bytes);
            walkedHeadBytes += bytes.length;
          }
          if (!inspector.sink.write(bytes)) await once(inspector.sink, 'drain', { signal: stopped.signal });
          continue;
        }
        if (atExit) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, WAIT_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      await file.close();
    }
  })().then(
    () => (stopped.signal.aborted ? inspector.sink.destroy() : inspector.sink.end()),
    () => {
      readFailed = true;
      inspector.sink.destroy();
    },
  );

  return {
    async finish() {
      exited = true;
      wake?.();
      await pump;
      const walked = await inspector.result;
      if (readFailed || !walked.ok || !walkedToc) return undefined;
      try {
        const [finalToc, size, named] = await Promise.all([readCustomToc(path), pathSize(path), stat(path, { bigint: true })]);
        const finalHead = await readFilePrefix(path, finalToc.end);
        const walkedHeadAndToc = Buffer.concat(walkedHead).subarray(0, walkedToc.end);
        const placed = dataEntries(finalToc.entries);
        const agrees =
          named.dev === followedFile?.dev &&
          named.ino === followedFile.ino &&
          size === followed &&
          finalToc.end === walkedToc.end &&
          walkedHeadAndToc.length === finalToc.end &&
          finalHead.length === finalToc.end &&
          withoutOffsets(finalHead, finalToc).equals(withoutOffsets(walkedHeadAndToc, finalToc)) &&
          placed.length === blockStarts.size &&
          placed.every((e) => e.dataState === K_OFFSET_POS_SET && e.dataPos === blockStarts.get(e.dumpId));
        return agrees ? walked : undefined;
      } catch {
        return undefined;
      }
    },
    async stop() {
      stopped.abort();
      wake?.();
      await pump;
      await inspector.result;
    },
  };
}
