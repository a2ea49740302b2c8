import { describe, expect, test } from 'vitest';
import { fileNameParts } from './file-name-parts.ts';

describe('a backup file name in parts, for a cell too narrow for all of it', () => {
  test('the time and the extension are parts of their own; what lies between, and the prefix, are what give way', () => {
    expect(fileNameParts('backup-2026-12-06T04-19-33-123Z-counted.dump')).toEqual({ prefix: 'backup-', time: '2026-12-06T04-19-33-123Z', rest: '-counted', extension: '.dump' });
    expect(fileNameParts('backup-2024-01-15T02-00-00-000Z-shop-daily.sql.gz')).toEqual({ prefix: 'backup-', time: '2024-01-15T02-00-00-000Z', rest: '-shop-daily', extension: '.sql.gz' });
    expect(fileNameParts('backup-2024-01-15T02-00-00-000Z-shop.dump.age')).toEqual({ prefix: 'backup-', time: '2024-01-15T02-00-00-000Z', rest: '-shop', extension: '.dump.age' });
  });

  test('a name of another shape keeps its extension; a name without one keeps its end', () => {
    expect(fileNameParts('nightly-export.tar')).toEqual({ prefix: '', time: '', rest: 'nightly-export', extension: '.tar' });
    expect(fileNameParts('backup-2024-01-15T02-00-00-000Z-shop')).toEqual({ prefix: 'backup-', time: '2024-01-15T02-00-00-000Z', rest: '-shop', extension: '' });
    expect(fileNameParts('plain')).toEqual({ prefix: '', time: '', rest: 'plain', extension: '' });
  });

  test('the parts always put the name back together', () => {
    for (const name of ['backup-2026-12-06T04-19-33-123Z-a.b.dump', '.hidden', 'x.', 'backup-2026-12-06T04-19-33-123Z.dump', '']) {
      const { prefix, time, rest, extension } = fileNameParts(name);
      expect(prefix + time + rest + extension).toBe(name);
    }
  });
});
