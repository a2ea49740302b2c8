// Sources: positioned reads that come back short at the end, ranges read in pieces, and the sentences
// for a dump file that is empty or is a folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { bufferSource, openFile, rangeChunks, readAt, readHeadBytes } from './source.ts';

const work = mkdtempSync(join(tmpdir(), 'holdfast-source-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('sources', () => {
  test('readAt returns what there is: a short buffer at the end, an empty one past it', async () => {
    const src = bufferSource(Buffer.from('abcdef'));
    expect((await readAt(src, 2, 3)).toString()).toBe('cde');
    expect((await readAt(src, 4, 10)).toString()).toBe('ef');
    expect((await readAt(src, 9, 2)).length).toBe(0);
  });

  test('rangeChunks yields exactly the range', async () => {
    const buf = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    buf.write('start', 100);
    let total = 0;
    let first: Buffer | undefined;
    for await (const chunk of rangeChunks(bufferSource(buf), 100, buf.length)) {
      first ??= Buffer.from(chunk);
      total += chunk.length;
    }
    expect(total).toBe(buf.length - 100);
    expect(first?.subarray(0, 5).toString()).toBe('start');
  });

  test('readHeadBytes reads at most the first 512 bytes', async () => {
    expect((await readHeadBytes(bufferSource(Buffer.alloc(2000)))).length).toBe(512);
    expect((await readHeadBytes(bufferSource(Buffer.from('PGDMP')))).toString()).toBe('PGDMP');
  });

  test('openFile refuses an empty file and a folder, each in its own words', async () => {
    writeFileSync(join(work, 'empty.dump'), '');
    mkdirSync(join(work, 'folder'));
    await expect(openFile(join(work, 'empty.dump'), 'custom-format archive')).rejects.toThrow(`${join(work, 'empty.dump')} is empty (0 bytes): pg_dump wrote nothing to it`);
    await expect(openFile(join(work, 'folder'), 'tar archive')).rejects.toThrow(`${join(work, 'folder')} is a directory, not a tar archive file`);
    writeFileSync(join(work, 'x.dump'), 'PGDMP');
    const { fh, size, src } = await openFile(join(work, 'x.dump'), 'custom-format archive');
    try {
      expect(size).toBe(5);
      expect((await readHeadBytes(src)).toString()).toBe('PGDMP');
    } finally {
      await fh.close();
    }
  });
});
