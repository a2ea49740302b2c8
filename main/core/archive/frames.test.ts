// The lz4 and zstd frame walkers over hand-built frames (the zstd and lz4 command-line tools decode the
// same builders' output): every frame and block header is walked, and any cut or foreign byte refused.
import { describe, expect, test } from 'vitest';
import { ByteReader } from './byte-reader.ts';
import { walkLz4, walkZstd } from './frames.ts';
import { DumpProblem } from './problem.ts';
import { bufferSource } from './source.ts';
import { acceptedCuts, lz4Frame, skippableFrame, zstdFrame } from './test-support.ts';

const short = (context: string, needEnd: number, end: number) => `its ${context} ends at byte ${needEnd} of ${end}`;
const reader = (bytes: Buffer) => new ByteReader(bufferSource(bytes), 0, bytes.length, short);
const zstd = (bytes: Buffer) => walkZstd(reader(bytes), 'f.zst');
const lz4 = (bytes: Buffer) => walkLz4(reader(bytes), 'f.lz4');

const COPY = Buffer.from('1\tone\n2\ttwo\n\\.\n\n\n');

/** A zstd frame with a window descriptor, a 2-byte dictionary id, an 8-byte content size, an RLE block and a checksum. */
function zstdFrameWithEverything(): Buffer {
  const fhd = (3 << 6) | 0x04 | 2; // FCS 8 bytes, not single segment, checksum, 2-byte dictionary id
  const rle = (200 << 3) | (1 << 1) | 1; // 200 bytes of one value, last block
  return Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, fhd, 0x50, 0x01, 0x00]), Buffer.alloc(8), Buffer.from([rle & 0xff, (rle >> 8) & 0xff, rle >> 16, 0x41]), Buffer.alloc(4)]);
}

/** An lz4 frame with block checksums, a content size and a content checksum. */
function lz4FrameWithEverything(blocks: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x40 | 0x20 | 0x10 | 0x08 | 0x04, 0x40]), Buffer.alloc(8), Buffer.from([0])];
  for (const block of blocks) {
    const size = Buffer.alloc(4);
    size.writeUInt32LE((block.length | 0x80000000) >>> 0);
    parts.push(size, block, Buffer.alloc(4));
  }
  parts.push(Buffer.alloc(4), Buffer.alloc(4));
  return Buffer.concat(parts);
}

describe('walkZstd', () => {
  const whole = Buffer.concat([zstdFrame([COPY.subarray(0, 5), COPY.subarray(5)]), skippableFrame(Buffer.from('pad')), zstdFrame([COPY], { checksum: true }), zstdFrameWithEverything()]);

  test('walks frames, skippable frames, raw and RLE blocks, dictionary ids and checksums to the end', async () => {
    await expect(zstd(whole)).resolves.toBeUndefined();
  });

  test('cut anywhere except between frames, it is refused', async () => {
    const frameEnds = [zstdFrame([COPY.subarray(0, 5), COPY.subarray(5)]).length];
    frameEnds.push(frameEnds[0]! + skippableFrame(Buffer.from('pad')).length);
    frameEnds.push(frameEnds[1]! + zstdFrame([COPY], { checksum: true }).length);
    // A whole frame is a whole zstd stream: a cut between frames can only be caught by the COPY terminator.
    expect(await acceptedCuts(zstd, whole)).toEqual(frameEnds);
    await expect(zstd(whole.subarray(0, 12))).rejects.toThrow('its block ends at byte 14 of 12');
  });

  test.each([
    ['lz4 data', lz4Frame([COPY]), 'f.zst is not zstd data at byte 0: the file is corrupt'],
    ['a reserved header bit', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x28, 0, 1, 0, 0, 0]), 'f.zst has a zstd frame header with the reserved bit set: the file is corrupt'],
    ['a reserved block type', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0, 0x07, 0, 0]), 'f.zst has a zstd block of reserved type: the file is corrupt'],
    ['only a skippable frame', skippableFrame(Buffer.from('x')), 'f.zst holds no zstd frame: the file is corrupt'],
  ])('%s is refused', async (_, bytes, message) => {
    await expect(zstd(bytes)).rejects.toThrow(new DumpProblem(message));
  });
});

describe('walkLz4', () => {
  const whole = Buffer.concat([lz4Frame([COPY.subarray(0, 4), COPY.subarray(4)]), skippableFrame(Buffer.alloc(3)), lz4FrameWithEverything([COPY])]);

  test('walks frames, skippable frames, blocks, block and content checksums to the end', async () => {
    await expect(lz4(whole)).resolves.toBeUndefined();
  });

  test('cut anywhere except between frames, it is refused', async () => {
    const first = lz4Frame([COPY.subarray(0, 4), COPY.subarray(4)]).length;
    expect(await acceptedCuts(lz4, whole)).toEqual([first, first + 11]);
    await expect(lz4(whole.subarray(0, 9))).rejects.toThrow('its block ends at byte 11 of 9');
  });

  test.each([
    ['zstd data', zstdFrame([COPY]), 'f.lz4 is not lz4 data at byte 0: the file is corrupt'],
    ['a frame of another version', Buffer.from([0x04, 0x22, 0x4d, 0x18, 0xa0, 0x40, 0, 0, 0, 0, 0]), 'f.lz4 has an lz4 frame of unknown version: the file is corrupt'],
    ['only a skippable frame', skippableFrame(Buffer.alloc(0)), 'f.lz4 holds no lz4 frame: the file is corrupt'],
  ])('%s is refused', async (_, bytes, message) => {
    await expect(lz4(bytes)).rejects.toThrow(new DumpProblem(message));
  });
});
