// A file source that takes the file's SHA-256 from the bytes a structure walk reads anyway. A backup
// used to read its fresh archive twice after pg_dump exited, once to walk it and once to hash it, and
// on a 2-core machine that second read of 99 MB was CPU the backup waited for (issue 12, item 22).
// SHA-256 is sequential, so bytes are hashed in file order as the walk passes them: a window that
// overlaps what was hashed adds only its new part, and bytes the walk hops over (large chunks it never
// looks inside) are read for the hash alone, before the next ones. digest() hashes whatever the walk
// left after its last read. The checksum is the file's, exactly sha256File's (fsutil/durable.ts).
import { createHash } from 'node:crypto';
import type { Source } from './source.ts';

const GAP_CHUNK = 4 * 1024 * 1024;

export interface HashingSource {
  readonly source: Source;
  /** The whole file's SHA-256 as hex; call it once, after the walk. */
  digest(): Promise<string>;
}

export function hashingSource(inner: Source): HashingSource {
  const hash = createHash('sha256');
  /** Every byte before this offset has been hashed, in order. */
  let hashed = 0;
  let scratch: Buffer | undefined;

  /** Reads and hashes [hashed, until) that no walk read covered. */
  async function hashGap(until: number): Promise<void> {
    scratch ??= Buffer.allocUnsafe(GAP_CHUNK);
    while (hashed < until) {
      const read = await inner.readAt(scratch, 0, Math.min(GAP_CHUNK, until - hashed), hashed);
      if (read === 0) return; // the file is shorter than the walk thought: the walk reports it
      hash.update(scratch.subarray(0, read));
      hashed += read;
    }
  }

  const source: Source = {
    size: inner.size,
    async readAt(target, offset, length, position) {
      if (position > hashed) await hashGap(position);
      const read = await inner.readAt(target, offset, length, position);
      if (position <= hashed && position + read > hashed) {
        hash.update(target.subarray(offset + (hashed - position), offset + read));
        hashed = position + read;
      }
      return read;
    },
  };
  return {
    source,
    async digest() {
      await hashGap(inner.size);
      return hash.digest('hex');
    },
  };
}
