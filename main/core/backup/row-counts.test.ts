// Which backups take their exact counts from the archive, and that a table the archive's read left
// uncounted is left to the server's count in the snapshot (never recorded as 0).
import { describe, expect, test } from 'vitest';
import { BackupOptionsSchema } from './options.ts';
import { archiveRows, countsRowsFromArchive } from './row-counts.ts';

const options = (raw: Record<string, unknown>) => BackupOptionsSchema.parse(raw);

describe('row counts from the archive', () => {
  test('a custom archive, uncompressed or gzip (encrypted or not), is counted from its data; lz4, zstd and the other formats are not', () => {
    expect(countsRowsFromArchive(options({}), { method: 'none' })).toBe(true);
    expect(countsRowsFromArchive(options({}), { method: 'gzip' })).toBe(true);
    expect(countsRowsFromArchive(options({}), { method: 'gzip', level: 9 })).toBe(true);
    expect(countsRowsFromArchive(options({}), { method: 'zstd' })).toBe(false);
    expect(countsRowsFromArchive(options({}), { method: 'lz4' })).toBe(false);
    expect(countsRowsFromArchive(options({ format: 'directory' }), { method: 'none' })).toBe(false);
    expect(countsRowsFromArchive(options({ format: 'plain' }), { method: 'none' })).toBe(false);
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
