// The custom-format reader over hand-built archives (the layout pg_restore 15 itself lists and
// restores): whole archives read whole, with offsets and without (a pg_dump writing to a pipe), and
// every cut or misplaced block refused with a sentence that names the table.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ByteReader, truncatedFile } from './byte-reader.ts';
import { ARCH_CUSTOM } from './constants.ts';
import { inspectCustom, readCustom } from './custom.ts';
import { bufferSource } from './source.ts';
import { acceptedCuts, buildArchive, copyData, table, TWO_TABLES, TWO_TABLES_FOUND, writeHead, writeToc, type ArchiveSpec, type TocItem } from './test-support.ts';
import { readHead, readToc } from './toc.ts';

const ITEMS: TocItem[] = [
  ...TWO_TABLES,
  { dumpId: 12, desc: 'TABLE', tag: 'parted_eu', namespace: 'public' },
  // --load-via-partition-root: the partition's rows are copied through its root
  { dumpId: 1012, desc: 'TABLE DATA', tag: 'parted_eu', namespace: 'public', copyStmt: 'COPY public.parted (id, region) FROM stdin;\n', chunks: [copyData(['1\teu'])] },
  {
    dumpId: 30,
    desc: 'BLOBS',
    tag: 'BLOBS',
    namespace: null,
    blobs: [
      { oid: 16400, chunks: [Buffer.from('a large object')] },
      { oid: 16401, chunks: [] },
    ],
  },
];

const FINDINGS = {
  ...TWO_TABLES_FOUND,
  entryCount: 8,
  tables: [...TWO_TABLES_FOUND.tables, { schema: 'public', name: 'parted_eu', hasData: true }],
  dataItems: [...TWO_TABLES_FOUND.dataItems, { dumpId: 1012, schema: 'public', name: 'parted_eu', intoItself: false }],
};

const check = (bytes: Buffer) => readCustom(bufferSource(bytes), 'x.dump');

/** Where the TOC puts each data block, read back with the TOC reader. */
async function blockStarts(bytes: Buffer): Promise<Map<number, number>> {
  const r = new ByteReader(bufferSource(bytes), 0, bytes.length, truncatedFile);
  const toc = await readToc(r, await readHead(r, ARCH_CUSTOM, 'archive'), 'offset');
  return new Map(toc.entries.filter((e) => e.hadDumper).map((e) => [e.dumpId, e.dataPos!]));
}

/** Overwrites one ReadInt value in place (intSize 4). */
function putInt(bytes: Buffer, at: number, value: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = value < 0 ? 1 : 0;
  copy.writeUInt32LE(Math.abs(value), at + 1);
  return copy;
}

describe('custom-format archives', () => {
  test.each([
    ['offsets set', { format: 'custom', items: ITEMS }],
    ['no offsets (written to a pipe)', { format: 'custom', offsets: 'unset', items: ITEMS }],
    ['archive 1.14, gzip', { format: 'custom', minor: 14, compression: -1, items: ITEMS }],
    ['archive 1.5, before offsets had a flag', { format: 'custom', minor: 5, items: ITEMS }],
  ] as [string, ArchiveSpec][])('%s: read whole, with its tables and data items', async (_, spec) => {
    const minor = spec.minor ?? 16;
    const findings = await check(buildArchive(spec));
    expect(findings).toEqual({
      ...FINDINGS,
      archiveVersion: `1.${minor}-0`,
      compression: spec.compression ? 'gzip' : 'none',
      // The header names the database from 1.4 on, the server's and pg_dump's versions from 1.10.
      origin: minor >= 10 ? FINDINGS.origin : { database: 'fixture' },
      // Before 1.6 entries had no schema, so no COPY statement can be matched to its table.
      ...(minor < 6
        ? {
            tables: FINDINGS.tables.map((t) => ({ ...t, schema: '' })),
            dataItems: FINDINGS.dataItems.map((d) => ({ ...d, schema: '', intoItself: false })),
          }
        : {}),
    });
  });

  test.each(['set', 'unset'] as const)('offsets %s: cut at any byte of the data, or anywhere in the TOC, the archive is refused', async (offsets) => {
    const bytes = buildArchive({ format: 'custom', offsets, items: ITEMS });
    const dataStart = Math.min(...(await blockStarts(buildArchive({ format: 'custom', items: ITEMS }))).values());
    // toc.test.ts cuts the TOC at every byte; here every byte of the data blocks and a sample of the rest.
    const keeps = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1).filter((keep) => keep >= dataStart || keep % 13 === 1);
    expect(await acceptedCuts(check, bytes, keeps)).toEqual([]);
  });

  test('a cut archive names the block it lost', async () => {
    const bytes = buildArchive({ format: 'custom', items: ITEMS });
    const at = await blockStarts(bytes);
    const blobs = at.get(30)!;
    await expect(check(bytes.subarray(0, blobs))).rejects.toThrow(`large-object data (dump id 30) should start at byte ${blobs} but the file has ${blobs} bytes: the archive is truncated`);
    const people = at.get(1010)!;
    await expect(check(bytes.subarray(0, people + 12))).rejects.toThrow(
      `data block for public.people (dump id 1010) ends at byte ${people + 20} but the file has ${people + 12} bytes: the archive is truncated`,
    );
    const piped = buildArchive({ format: 'custom', offsets: 'unset', items: ITEMS });
    await expect(check(piped.subarray(0, blobs))).rejects.toThrow(`the file ends at byte ${blobs} without the large-object data (dump id 30): pg_dump did not finish writing the archive`);
  });

  test('a block that is not the one the TOC places there is refused', async () => {
    const bytes = buildArchive({ format: 'custom', items: ITEMS });
    const people = (await blockStarts(bytes)).get(1010)!;
    await expect(check(putInt(bytes, people + 1, 999))).rejects.toThrow(
      `byte ${people} holds a data block for dump id 999 where the TOC expects the data block for public.people (dump id 1010): the archive is corrupt`,
    );
    const wrongType = Buffer.from(bytes);
    wrongType[people] = 3;
    await expect(check(wrongType)).rejects.toThrow(`data block for public.people (dump id 1010) at byte ${people} has block type 3 instead of 1: the archive is corrupt`);
    await expect(check(putInt(bytes, people + 6, -5))).rejects.toThrow(`data block for public.people (dump id 1010) has a chunk of negative length before byte ${people + 11}: the archive is corrupt`);
    const piped = buildArchive({ format: 'custom', offsets: 'unset', items: ITEMS });
    await expect(check(putInt(piped, people + 1, 999))).rejects.toThrow(`the data block at byte ${people} is for dump id 999, which has no data in the TOC: the archive is corrupt`);
  });

  test('a second data block for the same dump id is refused when the blocks are walked in order', async () => {
    // pg_restore reading such an archive in order restores the first block and skips the second, so rows
    // counted over both would describe a restore that does not happen.
    const piped = buildArchive({ format: 'custom', offsets: 'unset', items: TWO_TABLES });
    const starts = await blockStarts(buildArchive({ format: 'custom', items: TWO_TABLES }));
    const people = starts.get(1010)!;
    const mixed = starts.get(1011)!;
    const twice = Buffer.concat([piped.subarray(0, mixed), piped.subarray(people, mixed), piped.subarray(mixed)]);
    await expect(check(twice)).rejects.toThrow(`byte ${mixed} holds a second data block for public.people (dump id 1010): the archive is corrupt`);
  });

  test('a TOC that records no position for data, or one inside the TOC, is refused', async () => {
    const items = table('public', 'people', 10);
    await expect(check(buildArchive({ format: 'custom', offsets: 'no-data', items }))).rejects.toThrow(
      'the TOC says table public.people (dump id 1010) has data but records no position for it: the archive is corrupt',
    );
    const spec: ArchiveSpec = { format: 'custom', items };
    const inside = Buffer.concat([writeHead(spec).toBuffer(), writeToc(spec, new Map([[1010, 10]])).toBuffer(), Buffer.alloc(40)]);
    await expect(check(inside)).rejects.toThrow('data block for public.people (dump id 1010) is placed at byte 10, inside the TOC: the archive is corrupt');
  });

  test('something that is not a custom archive is named for what it looks like', async () => {
    await expect(check(Buffer.from('--\n-- PostgreSQL database dump\n--\n'))).rejects.toThrow('x.dump is not a pg_dump custom-format archive: it looks like a plain SQL script');
  });

  test('inspectCustom reads the same from a file', async () => {
    const work = mkdtempSync(join(tmpdir(), 'holdfast-custom-'));
    afterAll(() => rmSync(work, { recursive: true, force: true }));
    writeFileSync(join(work, 'x.dump'), buildArchive({ format: 'custom', items: ITEMS }));
    expect(await inspectCustom(join(work, 'x.dump'))).toEqual(FINDINGS);
  });
});

// The attacker review of stop 28: a chunk whose length points past the file's end was reported as
// ending where the row count's first 256 kB read ended, not where the length says. The message's
// numbers are the archive's own: the chunk's claimed end, and the file's size.
describe('a chunk whose length points past the end of the file', () => {
  const LIE = 5_000_000;
  /** One table whose first data chunk claims LIE bytes; where its bytes start, and the archive. */
  function lyingArchive(compression: number): { bytes: Buffer; chunkStart: number } {
    const items: TocItem[] = [...table('public', 'liar', 10, ['a', 'b'])];
    const bytes = buildArchive({ format: 'custom', compression, items });
    // The data block is last: type (1 byte), dump id (int), then the first chunk's length (int) and bytes.
    const block = bytes.length - (1 + 5 + 5 + copyData(['a', 'b']).length + 5);
    const lengthAt = block + 1 + 5;
    bytes.writeUInt32LE(LIE, lengthAt + 1);
    return { bytes, chunkStart: lengthAt + 5 };
  }

  test.each([
    ['walked (uncompressed, rows not counted)', 0, false],
    ['with its rows counted (uncompressed)', 0, true],
    ['with its rows counted (gzip)', 1, true],
  ] as const)('%s: the message names the chunk’s claimed end and the file’s size', async (_how, compression, countRows) => {
    const { bytes, chunkStart } = lyingArchive(compression);
    const walking = readCustom(bufferSource(bytes), 'liar.dump', { countRows });
    await expect(walking).rejects.toThrow(`ends at byte ${chunkStart + LIE} but the file has ${bytes.length} bytes: the archive is truncated`);
  });
});
