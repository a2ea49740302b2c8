// The structural check over a stream: the same verdicts as over a file, whatever sizes the bytes
// arrive in (pipe reads of 64 KiB, single bytes, chunks that a hop over a big data chunk skips whole),
// with memory bounded by the source's limit.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { inspectStream } from './stream-inspect.ts';
import { buildArchive, copyData, table, TWO_TABLES, type TocItem } from './test-support.ts';

function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

async function check(bytes: Buffer, format: 'custom' | 'plain', size: number, options: { gzip?: boolean } = {}) {
  const inspector = inspectStream(format, 'the test archive', options);
  // A slow producer, as pg_dump is: the reader often waits for bytes that have not arrived yet.
  async function* slowly() {
    for (const piece of pieces(bytes, size)) {
      await new Promise((resolve) => setImmediate(resolve));
      yield piece;
    }
  }
  await pipeline(Readable.from(slowly()), inspector.sink);
  return inspector.result;
}

// Big data chunks: the walk hops over them, so whole pipe reads fall behind the reader's position.
const bigRows = Array.from({ length: 3000 }, (_, i) => `${i}\t${'x'.repeat(90)}`);
const BIG: TocItem[] = [...TWO_TABLES, ...table('public', 'big', 20, bigRows)];
const bigChunks = BIG.map((item) => (item.chunks ? { ...item, chunks: pieces(copyData(bigRows), 40_000) } : item));

// Chunks larger than the reader's window: it hops past bytes that have not arrived yet (gzip-compressed tables do this).
const HUGE: TocItem[] = [...TWO_TABLES, ...table('public', 'huge', 21, ['1'])].map((item) =>
  item.tag === 'huge' && item.chunks ? { ...item, chunks: [Buffer.alloc(1_500_000, 7), Buffer.alloc(700_000, 9), Buffer.alloc(3, 1)] } : item,
);

describe('inspectStream, custom archives written to a pipe (no data offsets)', () => {
  test.each([4096, 65536])('arriving in pieces of %i bytes, an archive whose chunks are larger than the read window is complete', async (size) => {
    const archive = buildArchive({ format: 'custom', offsets: 'unset', items: HUGE });
    expect(await check(archive, 'custom', size)).toMatchObject({ ok: true, tables: expect.arrayContaining([{ schema: 'public', name: 'huge', hasData: true }]) });
  });

  test.each([1, 7, 100])('arriving in pieces of %i bytes, a small archive is complete', async (size) => {
    const archive = buildArchive({ format: 'custom', offsets: 'unset', items: TWO_TABLES });
    expect(await check(archive, 'custom', size)).toMatchObject({ ok: true, tables: [expect.objectContaining({ name: 'people' }), expect.objectContaining({ name: 'Mixed"Case' })] });
  });

  test.each([4096, 65536, 1 << 20])('arriving in pieces of %i bytes while the walk hops over big chunks, a whole archive is complete', async (size) => {
    const archive = buildArchive({ format: 'custom', offsets: 'unset', items: bigChunks });
    const result = await check(archive, 'custom', size);
    expect(result).toMatchObject({ ok: true, tables: expect.arrayContaining([{ schema: 'public', name: 'big', hasData: true }]) });
  });

  test.each([65536, 1 << 20])('cut short (pieces of %i bytes), it is refused as truncated, and the sink still takes every byte', async (size) => {
    const archive = buildArchive({ format: 'custom', offsets: 'unset', items: bigChunks });
    for (const cut of [archive.length - 1, archive.length - 5000, Math.floor(archive.length / 2), 100]) {
      const result = await check(archive.subarray(0, cut), 'custom', size);
      expect(result.ok, `cut at ${cut}`).toBe(false);
      if (!result.ok) expect(result.problem).toMatch(/truncated|did not finish|stream ended/);
    }
  });

  test('bytes that are not an archive are named for what they look like', async () => {
    const result = await check(Buffer.from('-- PostgreSQL database dump\nSET x = 1;\n'), 'custom', 1024);
    expect(result).toMatchObject({ ok: false, problem: expect.stringContaining('a plain SQL script') });
  });
});

describe('inspectStream, plain scripts', () => {
  const script = Buffer.from(
    '-- PostgreSQL database dump\n\nCREATE TABLE public.t (a int);\n\n--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: me\n--\n\nCOPY public.t (a) FROM stdin;\n1\n2\n\\.\n\n\n--\n-- PostgreSQL database dump complete\n--\n\n',
  );

  test.each([1, 100, 1 << 16])('whole (pieces of %i bytes), plain and gzip', async (size) => {
    expect(await check(script, 'plain', size, { gzip: false })).toMatchObject({ ok: true, compression: 'none' });
    expect(await check(gzipSync(script), 'plain', size, { gzip: true })).toMatchObject({ ok: true, compression: 'gzip' });
  });

  test('without its trailer, or a broken gzip stream, it is refused', async () => {
    expect((await check(script.subarray(0, script.length - 40), 'plain', 64)).ok).toBe(false);
    const zipped = gzipSync(script);
    expect((await check(zipped.subarray(0, zipped.length - 10), 'plain', 64, { gzip: true })).ok).toBe(false);
  });
});

describe('a read larger than the source holds back', () => {
  // A TOC string longer than what arrives (a crafted or cut archive), its bytes written in a burst
  // as a PassThrough hands them on: the check must settle with "truncated", not wait forever.
  const int = (value: number) => {
    const bytes = Buffer.alloc(5);
    bytes.writeUInt32LE(value, 1);
    return bytes;
  };
  const head = Buffer.concat([Buffer.from('PGDMP'), Buffer.from([1, 16, 0, 4, 8, 1, 0]), ...Array.from({ length: 10 }, () => int(0))]);
  // 12 MB: past the 8 MiB hold-back but a string the check may keep (it must end "truncated");
  // 100 MB: past MAX_KEPT_STRING, refused as corrupt before a byte of it is awaited.
  test.each([
    [12_000_000, 5_000_000, 64 * 1024, /truncated/],
    [12_000_000, 5_000_000, 1024 * 1024, /truncated/],
    [100_000_000, 20_000_000, 1024 * 1024, /holds a string of 100000000 bytes.*corrupt/],
  ])(
    'a %i-byte tag with %i bytes behind it, written in %i-byte pieces at once',
    async (length, behind, piece, problem) => {
      const inspector = inspectStream('custom', 'the crafted archive');
      // TOC: one entry, dump id 1, no dumper, empty tableoid and oid, then the tag's length.
      inspector.sink.write(Buffer.concat([head, int(1), int(1), int(0), int(0), int(0), int(length)]));
      for (let at = 0; at < behind; at += piece) inspector.sink.write(Buffer.alloc(piece, 0x41));
      inspector.sink.end();
      const settled = await Promise.race([inspector.result, new Promise((resolve) => setTimeout(() => resolve('still waiting after 20 s'), 20_000))]);
      expect(settled).toMatchObject({ ok: false, problem: expect.stringMatching(problem) });
    },
    30_000,
  );
});
