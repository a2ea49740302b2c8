// The structure walk of a custom archive while pg_dump is still writing it. After pg_dump exits, every
// read of its output is time the backup waits for (issue 12, item 22): the walk of a 99 MB archive
// costs ~65–130 ms of CPU, its SHA-256 ~110 ms. The checksum cannot be taken early (pg_dump rewrites
// its table of contents at the start of the file when it finishes, and SHA-256 is sequential), but the
// walk can: pg_dump appends its data blocks and never rewrites one, so they are walked as they arrive,
// the way a pipe's archive is (archive/stream-inspect.ts), and where each block starts is noted.
//
// The walk reads the file itself, through one reused window (archive/byte-reader.ts), where a read
// that finds no new bytes waits for pg_dump to write more. It used to read a fresh 1 MiB buffer per
// read and pass it through a stream: ~1,300 of them per 99 MB dump, each external memory V8 only
// reclaims in a full collection, so the CLI ran ~40 mark-compacts during one bench backup (0.3–1.1 s
// of CPU taken from pg_dump's two cores; issue 12, item 22). Reading into a reused window allocates nothing.
// A walk that starts late (a small dump, finished within one wait) reads the rewritten TOC and walks
// the placed blocks instead, as the whole check would; where the blocks end is where the file must end.
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
//
// The file's SHA-256 is taken behind the walk too. The rewrite at the end changes nothing in the head
// but the data offsets, and the walk learns every one of them as it meets each block's start: once it
// has met the last, the head pg_dump will write is known, so it is hashed first and the data after it
// as it arrives (it is appended, never rewritten). After pg_dump's exit only the last bytes are left to
// hash, not the whole 99 MB of the bench's dump (~0.1 s on two cores, serial with nothing: issue 12,
// item 22). The checksum stands only when the head pg_dump actually wrote is byte for byte the one
// hashed and every byte of the file, to its end, went through the hash; else the caller hashes the file.
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { readCustom, readCustomToc } from '../archive/custom.ts';
import { K_OFFSET_POS_SET } from '../archive/constants.ts';
import { dataEntries } from '../archive/entries.ts';
import type { ArchiveInspection } from '../archive/inspect.ts';
import { describeError } from '../archive/problem.ts';
import type { Source } from '../archive/source.ts';
import type { Toc } from '../archive/toc.ts';
import { pathSize } from '../fsutil/durable.ts';
import { readFilePrefix } from '../fsutil/file-prefix.ts';

/** How long the walk waits at the file's end before it looks again, while pg_dump runs. */
const WAIT_MS = 100;

export interface FollowedOutput {
  inspection: ArchiveInspection;
  /** SHA-256 (hex) of the finished file, hashed behind the walk; absent when it could not stand for the file (see above). */
  checksum?: string;
}

export interface OutputFollower {
  /** pg_dump has exited: the walk reads to the end, then stands for the file only if the final TOC agrees (see above). */
  finish(): Promise<FollowedOutput | undefined>;
  /** A failed or cancelled backup: the walk stops and its file is closed when this settles. */
  stop(): Promise<void>;
}

/** The header and TOC bytes with every entry's data offset zeroed: what pg_dump's final rewrite must leave as it was. */
function withoutOffsets(headAndToc: Buffer, toc: Toc): Buffer {
  const masked = Buffer.from(headAndToc);
  for (const { offsetBytes } of toc.entries) if (offsetBytes) masked.fill(0, offsetBytes.start, offsetBytes.end);
  return masked;
}

/** The head and TOC as pg_dump's final rewrite leaves them: every data entry's offset set to where its block starts. */
function withOffsets(headAndToc: Buffer, toc: Toc, blockStarts: ReadonlyMap<number, number>): Buffer {
  const placed = Buffer.from(headAndToc);
  for (const entry of dataEntries(toc.entries)) {
    const { offsetBytes } = entry;
    const at = blockStarts.get(entry.dumpId);
    if (!offsetBytes || at === undefined) continue;
    // WriteOffset(): the flag, then the offset in offSize little-endian bytes (archive 1.7 on; an older
    // archive's head will not match, and the file is hashed after the exit instead).
    placed[offsetBytes.start] = K_OFFSET_POS_SET;
    let rest = at;
    for (let i = offsetBytes.start + 1; i < offsetBytes.end; i += 1) {
      placed[i] = rest % 256;
      rest = Math.floor(rest / 256);
    }
  }
  return placed;
}

class WalkStopped extends Error {}

/** How much the hash behind the walk reads at a time: one reused buffer (see fsutil/durable.ts's sha256File). */
const HASH_READ = 4 * 1024 * 1024;

/**
 * SHA-256 of `head` followed by the file from `head.length` on, read as pg_dump appends it: a read
 * that finds nothing new waits, until `source` says pg_dump exited (then the file's end is its end).
 * Reads a handle of its own, on the file the walk opened; undefined when that file is no longer at the path.
 */
async function hashBehind(path: string, followed: { dev: bigint; ino: bigint }, head: Buffer, source: GrowingFile): Promise<{ checksum: string; end: number } | undefined> {
  const file = await open(path, 'r');
  try {
    const { dev, ino } = await file.stat({ bigint: true });
    if (dev !== followed.dev || ino !== followed.ino) return undefined;
    const hash = createHash('sha256').update(head);
    const buffer = Buffer.allocUnsafe(HASH_READ);
    let position = head.length;
    for (;;) {
      if (source.stopped) return undefined;
      const atExit = source.exited;
      const { bytesRead } = await file.read(buffer, 0, HASH_READ, position);
      if (bytesRead > 0) {
        hash.update(buffer.subarray(0, bytesRead));
        position += bytesRead;
      } else if (atExit) {
        return { checksum: hash.digest('hex'), end: position };
      } else {
        await source.pause();
      }
    }
  } finally {
    await file.close();
  }
}

/**
 * The file pg_dump is writing, as a stream of unknown length: a read past what is written waits until
 * pg_dump writes more, and finds the end only once pg_dump has exited. The bytes of the header and TOC
 * are kept as the walk read them (and any it hopped over, read for it), for the comparison at the end.
 */
class GrowingFile implements Source {
  readonly size = Number.MAX_SAFE_INTEGER;
  readonly growing = true;
  exited = false;
  stopped = false;
  /** The walk's first bytes, up to `keepUntil` (the TOC's end, once the walk knows it). */
  readonly head: Buffer[] = [];
  private kept = 0;
  keepUntil = Number.POSITIVE_INFINITY;
  private readonly wakes = new Set<() => void>();

  constructor(private readonly file: FileHandle) {}

  /** pg_dump exited, or the walk is to stop: a waiting read (the walk's, the hash's) looks again at once. */
  rouse(): void {
    for (const wake of this.wakes) wake();
  }

  /** Waits for pg_dump to write more: WAIT_MS, or less when roused. */
  async pause(): Promise<void> {
    let wake: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, WAIT_MS);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.wakes.add(wake);
    });
    this.wakes.delete(wake!);
  }

  async readAt(target: Buffer, offset: number, length: number, position: number): Promise<number> {
    if (position > this.kept && this.kept < this.keepUntil) await this.keepGap(position);
    for (;;) {
      if (this.stopped) throw new WalkStopped('the backup stopped before pg_dump finished writing');
      // Read after the exit was known: a read that comes back empty then is the file's end.
      const atExit = this.exited;
      const { bytesRead } = await this.file.read(target, offset, length, position);
      if (bytesRead > 0) {
        this.keep(target.subarray(offset, offset + bytesRead), position);
        return bytesRead;
      }
      if (atExit) return 0;
      await this.pause();
    }
  }

  /** Copies out what extends the kept head: a few reads at the file's start, not the data. */
  private keep(bytes: Buffer, position: number): void {
    if (this.kept >= this.keepUntil || position > this.kept || position + bytes.length <= this.kept) return;
    this.head.push(Buffer.from(bytes.subarray(this.kept - position)));
    this.kept = position + bytes.length;
  }

  /** Head bytes the walk hopped over (a long definition it skips) are read for the comparison alone. */
  private async keepGap(until: number): Promise<void> {
    const gap = Buffer.allocUnsafe(Math.min(until, this.keepUntil) - this.kept);
    let got = 0;
    while (got < gap.length) {
      const read = await this.readAt(gap, got, gap.length - got, this.kept);
      if (read === 0) return;
      got += read;
    }
  }

  /** The head and TOC as walked, when the walk kept all of them. */
  walkedHead(tocEnd: number): Buffer | undefined {
    const head = Buffer.concat(this.head);
    return head.length >= tocEnd ? head.subarray(0, tocEnd) : undefined;
  }
}

/** Follows `path`, a custom archive pg_dump is writing, from its first byte. */
export function followCustomOutput(path: string, label: string, options: { countRows: boolean }): OutputFollower {
  const blockStarts = new Map<number, number>();
  let walkedToc: Toc | undefined;
  let source: GrowingFile | undefined;
  /** The file the walk opened: the path must still name it when the walk is trusted (the hash reads the path). */
  let followedFile: { dev: bigint; ino: bigint } | undefined;
  /** Where the last byte the walk read as part of the archive ends: the file may hold no byte more. */
  let walkedEnd = 0;
  let finishing = false;
  let stopping = false;
  /** The head hashed ahead of the data, and the hash behind the walk, begun once every block's start is known. */
  let hashedHead: Buffer | undefined;
  let hashing: Promise<{ checksum: string; end: number } | undefined> | undefined;
  const startsMet = new Map<number, number>();

  const walk = (async (): Promise<ArchiveInspection> => {
    let file: FileHandle | undefined;
    try {
      file = await open(path, 'r');
      const { dev, ino } = await file.stat({ bigint: true });
      followedFile = { dev, ino };
      const growing = new GrowingFile(file);
      source = growing;
      growing.exited = finishing;
      growing.stopped = stopping;
      const findings = await readCustom(growing, label, {
        countRows: options.countRows,
        onToc: (toc) => {
          walkedToc = toc;
          walkedEnd = toc.end;
          growing.keepUntil = toc.end;
        },
        onBlock: (dumpId, at, end) => {
          blockStarts.set(dumpId, at);
          walkedEnd = Math.max(walkedEnd, end);
        },
        onBlockStart: (dumpId, at) => {
          startsMet.set(dumpId, at);
          const toc = walkedToc;
          if (hashing || !toc || startsMet.size < dataEntries(toc.entries).length) return;
          const head = growing.walkedHead(toc.end);
          if (!head) return;
          hashedHead = withOffsets(head, toc, startsMet);
          hashing = hashBehind(path, { dev, ino }, hashedHead, growing).catch(() => undefined);
        },
      });
      return { ok: true, format: 'custom', ...findings };
    } catch (error) {
      return { ok: false, format: 'custom', problem: describeError(error, label) };
    } finally {
      await file?.close();
    }
  })();

  return {
    async finish() {
      finishing = true;
      if (source) {
        source.exited = true;
        source.rouse();
      }
      const walked = await walk;
      // Settled in any case, so its file is closed when finish does.
      const hashed = await hashing;
      if (!walked.ok || !walkedToc || !source) return undefined;
      try {
        const [finalToc, size, named] = await Promise.all([readCustomToc(path), pathSize(path), stat(path, { bigint: true })]);
        const finalHead = await readFilePrefix(path, finalToc.end);
        const walkedHeadAndToc = source.walkedHead(walkedToc.end);
        const placed = dataEntries(finalToc.entries);
        const agrees =
          walkedHeadAndToc !== undefined &&
          named.dev === followedFile?.dev &&
          named.ino === followedFile.ino &&
          size === walkedEnd &&
          finalToc.end === walkedToc.end &&
          walkedHeadAndToc.length === finalToc.end &&
          finalHead.length === finalToc.end &&
          withoutOffsets(finalHead, finalToc).equals(withoutOffsets(walkedHeadAndToc, finalToc)) &&
          placed.length === blockStarts.size &&
          placed.every((e) => e.dataState === K_OFFSET_POS_SET && e.dataPos === blockStarts.get(e.dumpId));
        if (!agrees) return undefined;
        const hashedWhole = hashed !== undefined && hashed.end === size && hashedHead !== undefined && finalHead.equals(hashedHead);
        return hashedWhole ? { inspection: walked, checksum: hashed.checksum } : { inspection: walked };
      } catch {
        return undefined;
      }
    },
    async stop() {
      stopping = true;
      if (source) {
        source.stopped = true;
        source.rouse();
      }
      await walk;
      await hashing;
    },
  };
}
