// The tar-format reader over hand-built ustar archives (GNU tar and pg_restore 15 read them): member
// headers checksummed, the end-of-archive blocks required, and every member the TOC names present whole.
import { describe, expect, test } from 'vitest';
import { DumpProblem } from './problem.ts';
import { bufferSource } from './source.ts';
import { readTar, tarNumber, walkTar } from './tar.ts';
import { acceptedCuts, buildArchive, copyData, TAR_END, table, tarArchive, tarHeader, tarMember, TWO_TABLES, TWO_TABLES_FOUND, type TocItem } from './test-support.ts';

const TOC = buildArchive({ format: 'tar', items: TWO_TABLES });
const MEMBERS: [string, Buffer][] = [
  ['toc.dat', TOC],
  ['1010.dat', copyData(['a', 'b'])],
  ['1011.dat', copyData(['x'])],
  ['restore.sql', Buffer.from('-- restore script\n')],
];

const check = (bytes: Buffer) => readTar(bufferSource(bytes), 'x.tar');

/** Recomputes a header's checksum after a field was changed by hand. */
function resum(h: Buffer): Buffer {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

describe('tarNumber', () => {
  test('octal with NUL or space padding, empty as zero, GNU base-256 past 8 GB, anything else unreadable', () => {
    const field = (text: string) => Buffer.from(text.padEnd(12, '\0'), 'latin1');
    expect(tarNumber(field('00000001750\0'), 0, 12)).toBe(1000);
    expect(tarNumber(field('   1750 '), 0, 12)).toBe(1000);
    expect(tarNumber(field(''), 0, 12)).toBe(0);
    expect(tarNumber(field('12x4'), 0, 12)).toBeNaN();
    const big = tarHeader('big.dat', 9 * 2 ** 30, { base256: true });
    expect(tarNumber(big, 124, 12)).toBe(9 * 2 ** 30);
  });
});

describe('walkTar', () => {
  test('finds each regular member by its full name; folders and links are not members', async () => {
    const prefixed = tarHeader('1010.dat', 3);
    prefixed.write('dump', 345, 'utf8');
    const bytes = Buffer.concat([tarMember('toc.dat', TOC), resum(prefixed), Buffer.alloc(512), tarHeader('sub', 0, { type: '5' }), TAR_END]);
    const members = await walkTar(bufferSource(bytes), bytes.length);
    expect([...members.keys()]).toEqual(['toc.dat', 'dump/1010.dat']);
    expect(members.get('toc.dat')).toEqual({ start: 512, size: TOC.length });
  });

  test.each([
    ['a header that fails its checksum', (b: Buffer) => (b.write('X', 0), b), 'the tar header at byte 0 (member "Xoc.dat") fails its checksum: the archive is corrupt'],
    [
      'an unreadable size',
      (b: Buffer) => (b.write('0000000zz00\0', 124, 'latin1'), resum(b.subarray(0, 512)), b),
      'the tar header at byte 0 (member "toc.dat") has an unreadable size: the archive is corrupt',
    ],
    ['data after an empty block', (b: Buffer) => ((b[b.length - 1] = 1), b), (n: number) => `the tar archive has data after an empty header block at byte ${n - 1024}: the archive is corrupt`],
    ['one end block', (b: Buffer) => b.subarray(0, b.length - 512), (n: number) => `the tar archive ends at byte ${n - 512} with only one of its two end-of-archive blocks: the archive is truncated`],
    ['no end blocks', (b: Buffer) => b.subarray(0, b.length - 1024), (n: number) => `the tar archive stops at byte ${n - 1024} without its end-of-archive blocks: the archive is truncated`],
    [
      'a cut header',
      (b: Buffer) => b.subarray(0, b.length - 1024 + 100),
      (n: number) => `the tar header at byte ${n - 1024} ends at byte ${n - 512} but the file has ${n - 924} bytes: the archive is truncated`,
    ],
  ] as [string, (b: Buffer) => Buffer, string | ((n: number) => string)][])('%s is refused', async (_, damage, message) => {
    const whole = tarArchive(MEMBERS);
    const bytes = damage(Buffer.from(whole));
    const expected = typeof message === 'string' ? message : message(whole.length);
    await expect(walkTar(bufferSource(bytes), bytes.length)).rejects.toThrow(new DumpProblem(expected));
  });

  test('a member that runs past the end is refused by name', async () => {
    const bytes = Buffer.concat([tarMember('toc.dat', TOC), tarHeader('1010.dat', 2000)]);
    await expect(walkTar(bufferSource(bytes), bytes.length)).rejects.toThrow(
      `tar member 1010.dat ends at byte ${bytes.length + 2048} but the file has ${bytes.length} bytes: the archive is truncated`,
    );
  });
});

describe('tar-format dumps', () => {
  test('read whole: tables and data items from toc.dat, every data member present and terminated', async () => {
    expect(await check(tarArchive(MEMBERS))).toEqual(TWO_TABLES_FOUND);
  });

  test('cut at any member boundary or inside any block, the archive is refused', async () => {
    const bytes = tarArchive(MEMBERS);
    // Either side of every block boundary, and a sample inside the blocks.
    const keeps = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1).filter((keep) => keep % 512 <= 1 || keep % 512 === 511 || keep % 97 === 0);
    expect(await acceptedCuts(check, bytes, keeps)).toEqual([]);
  });

  test('a missing or unterminated data member is refused by table', async () => {
    const without = MEMBERS.filter(([name]) => name !== '1010.dat');
    await expect(check(tarArchive(without))).rejects.toThrow('the tar archive has no 1010.dat member for table public.people (dump id 1010): the dump is incomplete');
    const unterminated = MEMBERS.map(([name, content]): [string, Buffer] => [name, name === '1011.dat' ? Buffer.from('x\n') : content]);
    await expect(check(tarArchive(unterminated))).rejects.toThrow(
      `tar member 1011.dat of table "Odd Schema"."Mixed""Case" (dump id 1011) does not end with the COPY terminator: pg_dump did not finish writing the table's data`,
    );
  });

  test('compressed members are not read for the terminator; a TOC without a member name is corrupt', async () => {
    const items = table('public', 'people', 10).map((item) => (item.desc === 'TABLE DATA' ? { ...item, filename: '1010.dat.gz' } : item));
    const gz = tarArchive([
      ['toc.dat', buildArchive({ format: 'tar', items })],
      ['1010.dat.gz', Buffer.from([0x1f, 0x8b])],
    ]);
    expect((await check(gz)).entryCount).toBe(2);
    const nameless = table('public', 'people', 10).map((item) => ({ ...item, filename: null }));
    await expect(check(tarArchive([['toc.dat', buildArchive({ format: 'tar', items: nameless })]]))).rejects.toThrow(
      'the TOC names no data member for table public.people (dump id 1010): toc.dat is corrupt',
    );
  });

  test.each([
    [16, 'blobs_30.toc'],
    [14, 'blobs.toc'],
  ])('archive 1.%i: large objects are listed in %s and each listed member must be there', async (minor, listName) => {
    const items: TocItem[] = [{ dumpId: 30, desc: 'BLOBS', tag: 'BLOBS', namespace: null, filename: null }];
    const toc: [string, Buffer] = ['toc.dat', buildArchive({ format: 'tar', minor, items })];
    const list: [string, Buffer] = [listName, Buffer.from('16400 blob_16400.dat\n16401 blob_16401.dat\n')];
    const blobs: [string, Buffer][] = [
      ['blob_16400.dat', Buffer.from('a large object')],
      ['blob_16401.dat', Buffer.alloc(0)],
    ];
    expect((await check(tarArchive([toc, list, ...blobs]))).entryCount).toBe(1);
    await expect(check(tarArchive([toc, ...blobs]))).rejects.toThrow(`the tar archive has no ${listName} member for large objects (dump id 30): the dump is incomplete`);
    await expect(check(tarArchive([toc, list, blobs[0]!]))).rejects.toThrow(`large object 16401 is listed in ${listName} but its member blob_16401.dat is missing: the dump is incomplete`);
  });

  test('not a tar, too short for one, without toc.dat, or with a cut toc.dat member', async () => {
    await expect(check(Buffer.alloc(100, 1))).rejects.toThrow('x.tar has only 100 bytes, less than one tar header: the archive is truncated or not a tar archive');
    await expect(check(Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(1000)]))).rejects.toThrow('x.tar is not a tar archive: it looks like gzip-compressed data');
    await expect(check(tarArchive(MEMBERS.slice(1)))).rejects.toThrow('the tar archive has no toc.dat member: it is not a pg_dump tar-format dump');
    const cutToc = tarArchive([['toc.dat', TOC.subarray(0, TOC.length - 20)], ...MEMBERS.slice(1)]);
    await expect(check(cutToc)).rejects.toThrow(/ends at byte \d+ but the toc\.dat member stops at byte \d+: toc\.dat is damaged$/);
  });
});
