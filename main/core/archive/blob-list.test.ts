// The large-object list is read line by line across chunk boundaries; a cut or garbled list is refused.
import { describe, expect, test } from 'vitest';
import { forEachLine } from './blob-list.ts';

async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < text.length; i += size) yield Buffer.from(text.slice(i, i + size));
}

describe('forEachLine', () => {
  test('every "<oid> <file>" line, whatever the chunking', async () => {
    const list = '16400 blob_16400.dat\n16401 blob_16401.dat.gz\n';
    for (const size of [1, 3, 7, 100]) {
      const seen: string[] = [];
      await forEachLine(chunks(list, size), 'blobs.toc', (oid, file) => void seen.push(`${oid}=${file}`));
      expect(seen).toEqual(['16400=blob_16400.dat', '16401=blob_16401.dat.gz']);
    }
  });

  test('a list cut mid-line or holding something else is refused', async () => {
    await expect(forEachLine(chunks('16400 blob_16400.dat\n16401 blob_1', 5), 'blobs_3.toc', () => {})).rejects.toThrow('blobs_3.toc ends in the middle of a line: the large-object list is truncated');
    await expect(forEachLine(chunks('16400 blob 16400.dat\n', 64), 'blobs.toc', () => {})).rejects.toThrow('blobs.toc has an unreadable line "16400 blob 16400.dat": the large-object list is corrupt');
  });
});
