// Proves that a pg_dump output is complete without restoring it: every data block, member or file the
// dump's own table of contents promises must be present in full. The archive layouts follow
// src/bin/pg_dump/pg_backup_{archiver,custom,directory,tar}.c for archive versions 1.0–1.16: 1.14 is
// written by PostgreSQL 12–15, 1.15 by 16, 1.16 by 17 and 18.
//
// Everything is streamed or read through a small sliding window, so memory stays flat however large
// the dump is: a custom archive is checked by hopping from chunk header to chunk header, never by
// reading table data.
//
// This file only dispatches on the format; each format has a reader of its own beside it (custom.ts,
// tar.ts, directory.ts, plain.ts) over the shared header and TOC reader (toc.ts) and byte reader.
import { inspectCustom, inspectCustomHashed } from './custom.ts';
import { inspectDirectory } from './directory.ts';
import { inspectPlain } from './plain.ts';
import { describeError } from './problem.ts';
import { inspectTar } from './tar.ts';
import type { ArchiveInspection, DumpFormat, InspectOptions } from './types.ts';

export type { ArchiveDataItem, ArchiveInspection, ArchiveTable, DumpFormat, InspectOptions } from './types.ts';

/** Never throws for a damaged or absent dump: every failure comes back as `ok: false` with a sentence. */
export async function inspectArchive(path: string, format: DumpFormat, options: InspectOptions = {}): Promise<ArchiveInspection> {
  const { signal } = options;
  try {
    switch (format) {
      case 'custom':
        return { ok: true, format, ...(await inspectCustom(path, { signal })) };
      case 'directory':
        return { ok: true, format, ...(await inspectDirectory(path, signal)) };
      case 'tar':
        return { ok: true, format, ...(await inspectTar(path, signal)) };
      case 'plain':
        return { ok: true, format, ...(await inspectPlain(path, options.gzip, signal)) };
      default:
        return { ok: false, format, problem: `unknown dump format "${String(format)}"` };
    }
  } catch (err) {
    // A cancelled check found nothing wrong with the dump: the caller is told it was stopped.
    signal?.throwIfAborted();
    return { ok: false, format, problem: describeError(err, path) };
  }
}

/**
 * A custom archive's check with its SHA-256 from the same read of the file (one pass instead of two:
 * issue 12, item 22). Damage comes back as `ok: false`, like inspectArchive, without a checksum.
 */
export async function inspectCustomWithChecksum(path: string, { signal }: Pick<InspectOptions, 'signal'> = {}): Promise<ArchiveInspection & { sha256?: string }> {
  try {
    return { ok: true, format: 'custom', ...(await inspectCustomHashed(path, { signal })) };
  } catch (err) {
    signal?.throwIfAborted();
    return { ok: false, format: 'custom', problem: describeError(err, path) };
  }
}
