// The byte reader under pg_dump's integer, string and offset encodings, over sources that answer in
// pieces or run dry early: every read past the end is refused with the caller's sentence.
import { describe, expect, test } from 'vitest';
import { ByteReader, MAX_KEPT_STRING, truncatedFile, truncatedStream } from './byte-reader.ts';
import { StreamSource } from './stream-source.ts';
import { K_OFFSET_NO_DATA, K_OFFSET_POS_NOT_SET, K_OFFSET_POS_SET, vers } from './constants.ts';
import { DumpProblem } from './problem.ts';
import { bufferSource, type Source } from './source.ts';
import { ArchiveWriter } from './test-support.ts';

const reader = (buf: Buffer, start = 0, end = buf.length) => new ByteReader(bufferSource(buf), start, end, truncatedFile);

/** A source that hands back at most `step` bytes per read, and nothing past `dryAt`. */
function trickle(buf: Buffer, step: number, dryAt = buf.length): Source {
  return {
    size: buf.length,
    async readAt(target, offset, length, position) {
      const n = Math.max(0, Math.min(length, step, dryAt - position));
      return buf.copy(target, offset, position, position + n);
    },
  };
}

describe('ByteReader', () => {
  test('ReadInt: a sign byte, then intSize little-endian magnitude bytes', async () => {
    for (const intSize of [4, 8]) {
      const w = new ArchiveWriter(intSize);
      const values = [0, 1, -1, 255, 256, 70000, -(2 ** 31) + 1, 2 ** 40];
      for (const v of intSize === 4 ? values.slice(0, -1) : values) w.int(v);
      const r = reader(w.toBuffer());
      r.intSize = intSize;
      for (const v of intSize === 4 ? values.slice(0, -1) : values) expect(await r.int()).toBe(v);
      expect(r.pos).toBe(r.end);
    }
  });

  test('ReadStr: NULL, empty and text; skipStr says which was NULL', async () => {
    const buf = new ArchiveWriter().str(null).str('').str('tâble ☃').str('abc').str(null).toBuffer();
    const r = reader(buf);
    expect(await r.str()).toBeNull();
    expect((await r.str())?.length).toBe(0);
    expect(await r.text()).toBe('tâble ☃');
    expect(await r.skipStr()).toBe(false);
    expect(await r.skipStr()).toBe(true);
    expect(r.pos).toBe(buf.length);
  });

  test('a kept string longer than MAX_KEPT_STRING is refused at once, before its bytes are awaited (a streamed check would hold them all)', async () => {
    const stream = new StreamSource();
    stream.end(new ArchiveWriter().int(2 ** 30).toBuffer());
    const r = new ByteReader(stream, 0, stream.size, truncatedStream);
    r.context = 'TOC entry 3 of 9';
    await expect(r.str()).rejects.toThrow(/TOC entry 3 of 9 holds a string of 1073741824 bytes .*corrupt/);
    // Skipped strings (a definition) may be long: nothing is kept.
    const long = new ArchiveWriter().int(MAX_KEPT_STRING + 1).toBuffer();
    const skipping = reader(Buffer.concat([long, Buffer.alloc(MAX_KEPT_STRING + 1)]));
    expect(await skipping.skipStr()).toBe(false);
  });

  test('a source that answers a few bytes at a time reads the same values across window refills', async () => {
    const w = new ArchiveWriter();
    for (let i = 0; i < 200; i++) w.int(i * 997).str(`s${i}`);
    const buf = w.toBuffer();
    const r = new ByteReader(trickle(buf, 3), 0, buf.length, truncatedFile);
    r.readAhead = 7;
    for (let i = 0; i < 200; i++) {
      expect(await r.int()).toBe(i * 997);
      expect(await r.text()).toBe(`s${i}`);
    }
  });

  test('over a stream, bytes held in one chunk are read in place and values spanning chunks are copied together; both read the same', async () => {
    const w = new ArchiveWriter();
    for (let i = 0; i < 300; i++) w.int(i * 7919).str(`table_${i}`);
    const buf = w.toBuffer();
    const source = new StreamSource();
    // Chunks of 1,000 bytes: many values straddle a boundary, most lie inside one chunk.
    const chunks: Buffer[] = [];
    for (let at = 0; at < buf.length; at += 1000) chunks.push(Buffer.from(buf.subarray(at, at + 1000)));
    const written = (async () => {
      for (const chunk of chunks) await new Promise<void>((resolve, reject) => source.write(chunk, (error) => (error ? reject(error) : resolve())));
      source.end();
    })();
    const r = new ByteReader(source, 0, Number.MAX_SAFE_INTEGER, truncatedStream);
    let inPlace = 0;
    for (let i = 0; i < 300; i++) {
      expect(await r.int()).toBe(i * 7919);
      expect(await r.text()).toBe(`table_${i}`);
      if (chunks.some((chunk) => chunk.buffer === r.window.buffer)) inPlace += 1;
    }
    await written;
    expect(await r.atEnd()).toBe(true);
    expect(inPlace).toBeGreaterThan(250);
  });

  test("reading past the end is refused with the caller's wording and the context being read", async () => {
    const buf = new ArchiveWriter().int(5).bytes('abc').toBuffer(); // promises 5 bytes, holds 3
    const r = reader(buf);
    r.context = 'the TOC';
    await expect(r.str()).rejects.toThrow(new DumpProblem('the TOC ends at byte 10 but the file has 8 bytes: the archive is truncated'));
    expect(() => reader(buf).skip(9)).toThrow('the file ends at byte 9 but the file has 8 bytes: the archive is truncated');
  });

  test('a reader bounded inside a larger buffer stops at its own end', async () => {
    const buf = Buffer.from('0123456789');
    const r = new ByteReader(bufferSource(buf), 2, 6, (context, needEnd, end) => `${context} needs ${needEnd}, member stops at ${end}`);
    expect((await r.bytes(4)).toString()).toBe('2345');
    await expect(r.u8()).rejects.toThrow('the file needs 7, member stops at 6');
  });

  test('a source that runs dry before its stated size reads as a cut file', async () => {
    const buf = new ArchiveWriter().int(1).int(2).int(3).toBuffer();
    const r = new ByteReader(trickle(buf, 64, 7), 0, buf.length, truncatedFile);
    expect(await r.int()).toBe(1);
    await expect(r.int()).rejects.toThrow('the file ends at byte 10 but the file has 15 bytes: the archive is truncated');
  });

  test('ReadOffset: before 1.7 an int (negative unset, zero no data), from 1.7 a flag and offSize bytes', async () => {
    const old = reader(new ArchiveWriter().int(-1).int(0).int(4242).toBuffer());
    expect(await old.offset(vers(1, 6))).toEqual({ state: K_OFFSET_POS_NOT_SET, pos: 0 });
    expect(await old.offset(vers(1, 6))).toEqual({ state: K_OFFSET_NO_DATA, pos: 0 });
    expect(await old.offset(vers(1, 6))).toEqual({ state: K_OFFSET_POS_SET, pos: 4242 });

    const w = new ArchiveWriter(4, 8).offset(K_OFFSET_POS_SET, 2 ** 33 + 5).offset(7, 0);
    const r = reader(w.toBuffer());
    r.context = 'TOC entry 3 of 9';
    expect(await r.offset(vers(1, 16))).toEqual({ state: K_OFFSET_POS_SET, pos: 2 ** 33 + 5 });
    await expect(r.offset(vers(1, 16))).rejects.toThrow('TOC entry 3 of 9 has an invalid data-offset flag (7): the TOC is corrupt');
  });
});
