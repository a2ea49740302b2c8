import { describe, expect, test } from 'vitest';
import { backupFilename, fileSafe } from './naming.ts';

describe('backup file names', () => {
  test('follow the specification with the profile added', () => {
    expect(backupFilename(new Date('2024-01-15T02:00:00.000Z'), 'prod', 'daily', 'sql.gz')).toBe('backup-2024-01-15T02-00-00-000Z-prod-daily.sql.gz');
    expect(backupFilename(new Date('2024-01-15T02:00:00.000Z'), 'prod', undefined, 'dump')).toBe('backup-2024-01-15T02-00-00-000Z-prod.dump');
  });

  test('hostile profile names cannot leave the directory or become options', () => {
    expect(fileSafe('../../etc/passwd')).toBe('____etc_passwd');
    expect(fileSafe('x; $(touch /tmp/p)')).toBe('x____touch__tmp_p_');
    expect(backupFilename(new Date(0), '-fx', undefined, 'dump')).toBe('backup-1970-01-01T00-00-00-000Z--fx.dump');
    expect(fileSafe('')).toBe('_');
  });
});
