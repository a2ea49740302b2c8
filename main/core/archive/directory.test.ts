// The directory-format reader over hand-built dump folders: toc.dat (or a gzipped toc.dat.gz) and one
// data file per entry, plain, gzip, lz4 or zstd, each of which records no length and so must prove
// itself whole: gzip by its trailer, lz4/zstd by their frames, the COPY data by its terminator.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { checkDataFile, inspectDirectory } from './directory.ts';
import { buildArchive, copyData, lz4Frame, TWO_TABLES, TWO_TABLES_FOUND, zstdFrame, type TocItem } from './test-support.ts';

const work = mkdtempSync(join(tmpdir(), 'holdfast-directory-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PEOPLE = 'table public.people (dump id 1010)';
let count = 0;

/** A dump folder holding the given files; toc.dat is built from `items` unless given. */
function dumpDir(files: Record<string, Buffer | string>, items: TocItem[] = TWO_TABLES, minor?: number): string {
  const dir = join(work, `d${++count}`);
  mkdirSync(dir);
  const all: Record<string, Buffer | string> = { 'toc.dat': buildArchive({ format: 'tar', items, ...(minor ? { minor } : {}) }), ...files };
  for (const [name, content] of Object.entries(all)) writeFileSync(join(dir, name), content);
  return dir;
}

const DATA = { '1010.dat': copyData(['a', 'b']), '1011.dat': copyData(['x']) };

describe('directory-format dumps', () => {
  test('read whole, with data files in each compression pg_dump writes', async () => {
    const expected = TWO_TABLES_FOUND;
    expect(await inspectDirectory(dumpDir(DATA))).toEqual(expected);
    const compressed = {
      '1010.dat.gz': gzipSync(DATA['1010.dat']),
      '1011.dat.zst': zstdFrame([DATA['1011.dat']]),
    };
    expect(await inspectDirectory(dumpDir(compressed))).toEqual(expected);
    expect(await inspectDirectory(dumpDir({ '1010.dat.lz4': lz4Frame([DATA['1010.dat']]), '1011.dat': DATA['1011.dat'] }))).toEqual(expected);
  });

  test('a hand-gzipped toc.dat.gz is read like toc.dat', async () => {
    const dir = dumpDir(DATA);
    rmSync(join(dir, 'toc.dat'));
    writeFileSync(join(dir, 'toc.dat.gz'), gzipSync(buildArchive({ format: 'tar', items: TWO_TABLES })));
    expect((await inspectDirectory(dir)).entryCount).toBe(5);
  });

  test('a lost data file is named with its table', async () => {
    const dir = dumpDir({ '1011.dat': DATA['1011.dat'] });
    await expect(inspectDirectory(dir)).rejects.toThrow(`data file 1010.dat for ${PEOPLE} is missing from ${dir}: the dump is incomplete`);
  });

  test('a folder that is not a dump, or a toc.dat that is cut or foreign, is refused in its own words', async () => {
    const missing = join(work, 'never-written');
    await expect(inspectDirectory(missing)).rejects.toThrow(`${missing} does not exist: the dump directory was never written or has been removed`);
    const file = join(work, 'a-file.dump');
    writeFileSync(file, 'x');
    await expect(inspectDirectory(file)).rejects.toThrow(`${file} is a file, not a directory: a directory-format dump is a folder holding toc.dat and data files`);
    const empty = join(work, 'empty-folder');
    mkdirSync(empty);
    await expect(inspectDirectory(empty)).rejects.toThrow(`${empty} has no toc.dat: it is not a directory-format dump, or pg_dump failed before writing its TOC`);
    const foreign = dumpDir({ 'toc.dat': Buffer.from([0x1f, 0x8b, 8, 0]) });
    await expect(inspectDirectory(foreign)).rejects.toThrow(`toc.dat in ${foreign} is not a pg_dump TOC: it looks like gzip-compressed data`);
    const toc = buildArchive({ format: 'tar', items: TWO_TABLES });
    const cut = dumpDir({ ...DATA, 'toc.dat': toc.subarray(0, toc.length - 3) });
    await expect(inspectDirectory(cut)).rejects.toThrow(`TOC entry 5 of 5 ends at byte ${toc.length} but toc.dat has ${toc.length - 3} bytes: toc.dat is truncated`);
    const gz = dumpDir(DATA);
    rmSync(join(gz, 'toc.dat'));
    writeFileSync(join(gz, 'toc.dat.gz'), gzipSync(toc).subarray(0, 30));
    await expect(inspectDirectory(gz)).rejects.toThrow(/toc\.dat\.gz is not a complete gzip stream \(unexpected end of file\): it is truncated or corrupt$/);
  });

  test.each([
    [16, 'blobs_30.toc'],
    [14, 'blobs.toc'],
  ])('archive 1.%i: the large-object list %s and every file it names must be there', async (minor, listName) => {
    const items: TocItem[] = [{ dumpId: 30, desc: 'BLOBS', tag: 'BLOBS', namespace: null, filename: minor >= 16 ? 'blobs_30.toc' : null }];
    const list = '16400 blob_16400.dat\n16401 blob_16401.dat\n';
    // A large object may be empty: it has no COPY terminator to check.
    const blobs = { 'blob_16400.dat.gz': gzipSync('a large object'), 'blob_16401.dat': Buffer.alloc(0) };
    expect((await inspectDirectory(dumpDir({ [listName]: list, ...blobs }, items, minor))).entryCount).toBe(1);
    expect((await inspectDirectory(dumpDir({ [`${listName}.gz`]: gzipSync(list), ...blobs }, items, minor))).entryCount).toBe(1);
    const noList = dumpDir(blobs, items, minor);
    await expect(inspectDirectory(noList)).rejects.toThrow(`${listName} for large objects (dump id 30) is missing from ${noList}: the dump is incomplete`);
    await expect(inspectDirectory(dumpDir({ [listName]: list, 'blob_16400.dat': 'x' }, items, minor))).rejects.toThrow(
      `large object 16401 is listed in ${listName} but blob_16401.dat is missing: the dump is incomplete`,
    );
    await expect(inspectDirectory(dumpDir({ [listName]: '16400 blob_16400.dat\n1640', ...blobs }, items, minor))).rejects.toThrow(
      `${listName} ends in the middle of a line: the large-object list is truncated`,
    );
  });
});

describe('checkDataFile', () => {
  const file = (name: string, content: Buffer | string) => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };
  const copy = DATA['1010.dat'];

  test('whole files in every compression pass', async () => {
    expect(await checkDataFile(file('a.dat', copy), 'none', 'a.dat', true)).toBeUndefined();
    expect(await checkDataFile(file('a.dat.gz', gzipSync(copy)), 'gzip', 'a.dat.gz', true)).toBeUndefined();
    expect(await checkDataFile(file('a.dat.lz4', lz4Frame([copy])), 'lz4', 'a.dat.lz4', true)).toBeUndefined();
    expect(await checkDataFile(file('a.dat.zst', zstdFrame([copy])), 'zstd', 'a.dat.zst', true)).toBeUndefined();
  });

  test('COPY data without its terminator, plain or inside a whole gzip stream, is refused', async () => {
    const cut = copy.subarray(0, copy.length - 2);
    const unfinished = "does not end with the COPY terminator: pg_dump did not finish writing the table's data";
    expect(await checkDataFile(file('b.dat', cut), 'none', 'b.dat', true)).toBe(`b.dat ${unfinished}`);
    expect(await checkDataFile(file('b.dat.gz', gzipSync(cut)), 'gzip', 'b.dat.gz', true)).toBe(`b.dat.gz ${unfinished}`);
    expect(await checkDataFile(file('c.dat', 'a\n'), 'none', 'c.dat', true)).toBe("c.dat has only 2 bytes: pg_dump did not finish writing the table's data");
  });

  test('a cut gzip stream, lz4 or zstd frame is refused; an empty lz4 or zstd file too', async () => {
    const gz = gzipSync(copy);
    expect(await checkDataFile(file('d.dat.gz', gz.subarray(0, gz.length - 4)), 'gzip', 'd.dat.gz', true)).toBe(
      'd.dat.gz is not a complete gzip stream (unexpected end of file): the file is truncated or corrupt',
    );
    const zst = zstdFrame([copy]);
    expect(await checkDataFile(file('d.dat.zst', zst.subarray(0, zst.length - 1)), 'zstd', 'd.dat.zst', true)).toBe(
      `d.dat.zst is cut short: its zstd block ends at byte ${zst.length} but the file has ${zst.length - 1} bytes`,
    );
    const lz4 = lz4Frame([copy]);
    expect(await checkDataFile(file('d.dat.lz4', lz4.subarray(0, lz4.length - 4)), 'lz4', 'd.dat.lz4', true)).toBe(
      `d.dat.lz4 is cut short: its lz4 block ends at byte ${lz4.length} but the file has ${lz4.length - 4} bytes`,
    );
    expect(await checkDataFile(file('e.dat.lz4', ''), 'lz4', 'e.dat.lz4', true)).toBe('e.dat.lz4 is empty: pg_dump did not finish writing it');
  });
});
