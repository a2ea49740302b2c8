// The header and TOC reader over hand-built archives of each layout pg_dump has written (1.0 to 1.16,
// with and without 1.16's relkind), and over headers and TOCs that are cut, corrupt or not ours.
import { describe, expect, test } from 'vitest';
import { ByteReader, truncatedFile } from './byte-reader.ts';
import { ARCH_CUSTOM, ARCH_TAR, K_OFFSET_NO_DATA, K_OFFSET_POS_NOT_SET, K_OFFSET_POS_SET } from './constants.ts';
import { DumpProblem } from './problem.ts';
import { bufferSource } from './source.ts';
import { acceptedCuts, ArchiveWriter, buildArchive, ENCODING, table, writeHead, type ArchiveSpec } from './test-support.ts';
import { readHead, readToc } from './toc.ts';

const reader = (buf: Buffer) => new ByteReader(bufferSource(buf), 0, buf.length, truncatedFile);

async function read(spec: ArchiveSpec, bytes = buildArchive(spec)) {
  const r = reader(bytes);
  const head = await readHead(r, spec.format === 'custom' ? ARCH_CUSTOM : ARCH_TAR, 'archive');
  return readToc(r, head, spec.format === 'custom' ? 'offset' : 'filename');
}

const ITEMS = [ENCODING, ...table('public', 'people', 10, ['a', 'b']), { dumpId: 20, desc: 'VIEW', tag: 'v', namespace: 'public' }];

describe('readHead', () => {
  test.each([
    [16, 0, 'none'],
    [16, 1, 'gzip'],
    [15, 2, 'lz4'],
    [16, 3, 'zstd'],
    [16, 7, 'unknown (7)'],
    [14, 0, 'none'],
    [14, -1, 'gzip'],
    [14, 6, 'gzip (level 6)'],
    [3, 9, 'gzip (level 9)'],
    [0, 0, 'gzip'],
  ])('archive 1.%i with compression %i reads as %s', async (minor, compression, expected) => {
    const r = reader(writeHead({ format: 'custom', minor, compression, items: [] }).toBuffer());
    const head = await readHead(r, ARCH_CUSTOM, 'archive');
    expect(head.compression).toBe(expected);
    expect(head.versionText).toBe(`1.${minor}-0`);
    expect(r.pos).toBe(r.end);
  });

  test('the integer and offset sizes it declares are the ones the TOC is read with', async () => {
    const toc = await read({ format: 'custom', minor: 14, intSize: 8, offSize: 4, items: ITEMS });
    expect(toc.entries.map((e) => e.tag)).toEqual(['ENCODING', 'people', 'people', 'v']);
  });

  test.each([
    ['not PGDMP', Buffer.from('PGDMX\x01\x10\x00'), 'the archive has no PGDMP signature: it is not a pg_dump archive'],
    [
      'a future version',
      writeHead({ format: 'custom', minor: 17, items: [] }).toBuffer(),
      'archive version 1.17-0 is outside the 1.0–1.16 range this check understands: use a matching pg_restore --list to inspect it',
    ],
    ['9-byte integers', writeHead({ format: 'custom', intSize: 9, items: [] }).toBuffer(), 'the archive header declares 9-byte integers and 8-byte offsets: the header is corrupt'],
    ['cut in its dates', writeHead({ format: 'custom', items: [] }).toBuffer().subarray(0, 20), 'the archive header ends at byte 22 but the file has 20 bytes: the archive is truncated'],
  ])('%s is refused', async (_, bytes, message) => {
    await expect(readHead(reader(bytes), ARCH_CUSTOM, 'archive')).rejects.toThrow(new DumpProblem(message));
  });

  test('a custom archive where a tar TOC is expected, and the reverse, are named for what they are', async () => {
    const custom = writeHead({ format: 'custom', items: [] }).toBuffer();
    const tar = writeHead({ format: 'tar', items: [] }).toBuffer();
    await expect(readHead(reader(custom), ARCH_TAR, 'toc.dat')).rejects.toThrow('the toc.dat header says it is a custom-format archive, which does not match the dump format being checked');
    await expect(readHead(reader(tar), ARCH_CUSTOM, 'archive')).rejects.toThrow('the archive header says it is the TOC of a tar or directory dump, which does not match the dump format being checked');
  });
});

describe('readToc', () => {
  test.each([
    [16, true],
    [16, false],
    [15, false],
    [14, false],
    [10, false],
    [5, false],
  ])('archive 1.%i (relkind %s): entries, COPY statements and data offsets', async (minor, relkind) => {
    const spec: ArchiveSpec = { format: 'custom', minor, relkind, items: ITEMS };
    const bytes = buildArchive(spec);
    const toc = await read(spec, bytes);
    expect(toc.entries.map(({ dumpId, desc, tag, namespace, hadDumper }) => ({ dumpId, desc, tag, namespace, hadDumper }))).toEqual([
      { dumpId: 1, desc: 'ENCODING', tag: 'ENCODING', namespace: minor >= 6 ? '' : null, hadDumper: false },
      { dumpId: 10, desc: 'TABLE', tag: 'people', namespace: minor >= 6 ? 'public' : null, hadDumper: false },
      { dumpId: 1010, desc: 'TABLE DATA', tag: 'people', namespace: minor >= 6 ? 'public' : null, hadDumper: true },
      { dumpId: 20, desc: 'VIEW', tag: 'v', namespace: minor >= 6 ? 'public' : null, hadDumper: false },
    ]);
    const data = toc.entries[2]!;
    expect(data.copyStmt).toBe('COPY public.people (v) FROM stdin;\n');
    expect(toc.entries[1]!.copyStmt).toBeUndefined();
    // The first data block starts right after the TOC.
    expect(data).toMatchObject({ hasCopyStmt: true, dataState: K_OFFSET_POS_SET, dataPos: toc.end });
    expect(toc.entries[1]).toMatchObject({ dataState: K_OFFSET_NO_DATA });
  });

  test('a piped custom archive records no offsets; a tar TOC records file names instead', async () => {
    const piped = await read({ format: 'custom', offsets: 'unset', items: ITEMS });
    expect(piped.entries[2]).toMatchObject({ dataState: K_OFFSET_POS_NOT_SET });
    const spec: ArchiveSpec = { format: 'tar', items: ITEMS };
    const bytes = buildArchive(spec);
    const toc = await read(spec, bytes);
    expect(toc.entries.map((e) => e.filename)).toEqual([null, null, '1010.dat', null]);
    expect(toc.end).toBe(bytes.length);
  });

  test('names are decoded in the database encoding the ENCODING entry names', async () => {
    const items = [
      { ...ENCODING, defn: "SET client_encoding = 'LATIN1';\n" },
      { dumpId: 10, desc: 'TABLE', tag: Buffer.from('tâble', 'latin1'), namespace: Buffer.from('schéma', 'latin1') },
    ];
    const toc = await read({ format: 'custom', items });
    expect(toc.entries[1]).toMatchObject({ tag: 'tâble', namespace: 'schéma' });
  });

  test('cut anywhere inside the TOC, it is refused', async () => {
    for (const relkind of [true, false]) {
      const spec: ArchiveSpec = { format: 'tar', relkind, items: table('public', 'people', 10) };
      const bytes = buildArchive(spec);
      const headLength = writeHead(spec).length;
      const keeps = Array.from({ length: bytes.length - headLength }, (_, i) => headLength + i);
      expect(await acceptedCuts((cut) => read(spec, cut), bytes, keeps), `relkind ${relkind}`).toEqual([]);
      await expect(read(spec, bytes.subarray(0, bytes.length - 3))).rejects.toThrow(
        `TOC entry 2 of 2 ends at byte ${bytes.length} but the file has ${bytes.length - 3} bytes: the archive is truncated`,
      );
    }
  });

  test('a corrupt count, dump id or field layout is refused', async () => {
    const head = writeHead({ format: 'custom', minor: 14, items: [] });
    const withToc = (toc: ArchiveWriter) => Buffer.concat([head.toBuffer(), toc.toBuffer()]);
    const spec: ArchiveSpec = { format: 'custom', minor: 14, items: [] };
    await expect(read(spec, withToc(new ArchiveWriter().int(-3)))).rejects.toThrow('the TOC claims -3 entries: the archive is corrupt');
    await expect(read(spec, withToc(new ArchiveWriter().int(1).int(0)))).rejects.toThrow('TOC entry 1 of 1 has dump id 0: the TOC is corrupt');
    const badOids = new ArchiveWriter().int(1).int(5).int(0);
    for (const s of ['1259', '1', 'tag', 'TABLE']) badOids.str(s);
    badOids.int(1);
    for (const s of ['', '', '', 'public', '', 'heap', 'postgres', 'maybe']) badOids.str(s);
    await expect(read(spec, withToc(badOids))).rejects.toThrow('TOC entry 1 of 1 has an unreadable field layout: the TOC is corrupt');
  });
});
