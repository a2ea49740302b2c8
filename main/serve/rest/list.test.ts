import { describe, expect, test } from 'vitest';
import type { BackupMetadata } from '../../core/model/types.ts';
import { pageOf } from './list.ts';

const backup = (filename: string, timestamp: string, size: number, status: BackupMetadata['status'] = 'completed') => ({ filename, timestamp, size, status }) as BackupMetadata;

const all = [
  backup('a', '2024-01-01T02:00:00.000Z', 10),
  backup('b', '2024-01-02T02:00:00.000Z', 20, 'missing'),
  backup('c', '2024-01-03T02:00:00.000Z', 30),
  backup('d', '2024-01-04T02:00:00.000Z', 40),
];

describe('pageOf', () => {
  test('newest first; total and totalSize count every match, not just the page', () => {
    const page = pageOf(all, { limit: 2, offset: 0 });
    expect(page.backups.map((b) => b.filename)).toEqual(['d', 'c']);
    expect(page).toMatchObject({ total: 4, totalSize: 100, limit: 2, offset: 0 });
    expect(pageOf(all, { limit: 2, offset: 2 }).backups.map((b) => b.filename)).toEqual(['b', 'a']);
    expect(pageOf(all, { limit: 2, offset: 10 }).backups).toEqual([]);
  });

  test('status and since filter before paging', () => {
    expect(pageOf(all, { status: 'missing', limit: 10, offset: 0 })).toMatchObject({ total: 1, totalSize: 20, backups: [{ filename: 'b' }] });
    const since = pageOf(all, { since: '2024-01-03T02:00:00.000Z', limit: 10, offset: 0 });
    expect(since.backups.map((b) => b.filename)).toEqual(['d', 'c']);
    expect(pageOf(all, { since: '2024-01-02', status: 'completed', limit: 10, offset: 0 }).backups.map((b) => b.filename)).toEqual(['d', 'c']);
  });
});
