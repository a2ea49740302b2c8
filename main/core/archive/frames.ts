// lz4 and zstd frame walkers for directory data files: Node 20 has no decoder for either, but the frame
// and block headers still prove every block is present.
import type { ByteReader } from './byte-reader.ts';
import { LZ4_MAGIC, ZSTD_MAGIC } from './constants.ts';
import { DumpProblem } from './problem.ts';

const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/** Zstandard frame format (RFC 8878 §3.1): header, 3-byte block headers, optional checksum. */
export async function walkZstd(r: ByteReader, label: string): Promise<void> {
  await walkFrames(r, label, 'zstd', ZSTD_MAGIC, async () => {
    const fhd = await r.u8();
    if (fhd & 0x08) throw new DumpProblem(`${label} has a zstd frame header with the reserved bit set: the file is corrupt`);
    const fcsFlag = fhd >> 6;
    const single = (fhd >> 5) & 1;
    const dictBytes = [0, 1, 2, 4][fhd & 3]!;
    const fcsBytes = fcsFlag === 0 ? single : [0, 2, 4, 8][fcsFlag]!;
    r.skip((single ? 0 : 1) + dictBytes + fcsBytes);
    r.context = 'block';
    for (;;) {
      const b = await r.bytes(3);
      const header = b[0]! | (b[1]! << 8) | (b[2]! << 16);
      const type = (header >> 1) & 3;
      if (type === 3) throw new DumpProblem(`${label} has a zstd block of reserved type: the file is corrupt`);
      r.skip(type === 1 ? 1 : header >>> 3); // an RLE block stores one byte whatever its size
      if (header & 1) break;
    }
    r.context = 'frame checksum';
    if (fhd & 0x04) r.skip(4);
  });
}

/** LZ4 frame format: descriptor, size-prefixed blocks, a zero end mark, optional checksums. */
export async function walkLz4(r: ByteReader, label: string): Promise<void> {
  await walkFrames(r, label, 'lz4', LZ4_MAGIC, async () => {
    const flg = await r.u8();
    await r.u8(); // block descriptor
    if (flg >> 6 !== 1) throw new DumpProblem(`${label} has an lz4 frame of unknown version: the file is corrupt`);
    const blockChecksum = (flg >> 4) & 1;
    r.skip(((flg >> 3) & 1 ? 8 : 0) + (flg & 1 ? 4 : 0) + 1); // content size, dictionary id, header checksum
    r.context = 'block';
    for (;;) {
      const word = await r.u32le();
      if (word === 0) break; // end mark
      r.skip((word & 0x7fffffff) + (blockChecksum ? 4 : 0));
    }
    r.context = 'content checksum';
    if ((flg >> 2) & 1) r.skip(4);
  });
}

/** Frames follow one another to the end of the file; both formats share the skippable frame. */
async function walkFrames(r: ByteReader, label: string, kind: 'zstd' | 'lz4', magic: number, walkFrame: () => Promise<void>): Promise<void> {
  let frames = 0;
  while (r.pos < r.end) {
    r.context = 'frame header';
    const found = await r.u32le();
    if ((found & SKIPPABLE_MASK) === SKIPPABLE_MAGIC) {
      r.skip(await r.u32le());
      continue;
    }
    if (found !== magic) throw new DumpProblem(`${label} is not ${kind} data at byte ${r.pos - 4}: the file is corrupt`);
    await walkFrame();
    frames++;
  }
  if (frames === 0) throw new DumpProblem(`${label} holds no ${kind} frame: the file is corrupt`);
}
