// Which backups take their exact counts from the archive, and that a table the archive's read left
// uncounted is left to the server's count in the snapshot (never recorded as 0).
import { describe, expect, test } from 'vitest';
import { BackupOptionsSchema } from './options.ts';
import { archiveRows, countsRowsFromArchive } from './row-counts.ts';

const options = (raw: Record<string, unknown>) => BackupOptionsSchema.parse(raw);

describe('row counts from the archive', () => {
  test('a custom archive, uncompressed or gzip, is counted from its data (encrypted: uncompressed only); lz4, zstd and the other formats are not', () => {
    expect(countsRowsFromArchive(options({}), { method: 'none' }, false)).toBe(true);
    expect(countsRowsFromArchive(options({}), { method: 'gzip' }, false)).toBe(true);
    expect(countsRowsFromArchive(options({}), { method: 'gzip', level: 9 }, false)).toBe(true);
    expect(countsRowsFromArchive(options({}), { method: 'none' }, true)).toBe(true);
    expect(countsRowsFromArchive(options({}), { method: 'gzip' }, true)).toBe(false);
    expect(countsRowsFromArchive(options({}), { method: 'zstd' }, false)).toBe(false);
    expect(countsRowsFromArchive(options({}), { method: 'lz4' }, false)).toBe(false);
    expect(countsRowsFromArchive(options({ format: 'directory' }), { method: 'none' }, false)).toBe(false);
    expect(countsRowsFromArchive(options({ format: 'plain' }), { method: 'none' }, false)).toBe(false);
  });

  test('tables without data or without a count are left out, so the server counts them', () => {
    expect(
      archiveRows([
        { schema: 'public', name: 'counted', hasData: true, rows: 3 },
        { schema: 'public', name: 'empty', hasData: true, rows: 0 },
        { schema: 'public', name: 'untailed', hasData: true },
        { schema: 'public', name: 'parent', hasData: false },
      ]),
    ).toEqual({ 'public.counted': 3, 'public.empty': 0 });
  });
});
