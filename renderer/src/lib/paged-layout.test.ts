// The paged table's lines: an expanded set's members follow it and push the rows after it down; a
// line maps back to the page row it belongs to, so the table loads the right pages.
import { describe, expect, test } from 'vitest';
import { toRow, type BackupRow } from './backup-rows.ts';
import { pagedLayout } from './paged-layout.ts';

const attempt = (id: string): BackupRow => toRow({ id, status: 'failed', profile: 'shop', timestamp: '2025-01-01T00:00:00.000Z', filename: null, error: 'x' });
const setRow = (id: string, members: string[]): BackupRow => ({ ...attempt(id), set: { record: {} as never, members: members.map((member) => ({ ...attempt(member), memberOf: id })) } });

describe('pagedLayout', () => {
  // Two pages of 3: rows 0..5; row 1 is a set of two, row 4 a set of one; page 1 is not loaded in the second case.
  const pages = { 0: [attempt('r0'), setRow('s1', ['m1', 'm2']), attempt('r2')], 1: [attempt('r3'), setRow('s4', ['m3']), attempt('r5')] };
  const rowAt = (index: number) => pages[Math.floor(index / 3) as 0 | 1]?.[index % 3];

  test('collapsed: one line per row', () => {
    const layout = pagedLayout(6, rowAt, pages, 3, new Set());
    expect(layout.count).toBe(6);
    expect([0, 1, 2, 3, 4, 5].map((at) => layout.line(at).row?.id)).toEqual(['r0', 's1', 'r2', 'r3', 's4', 'r5']);
  });

  test('expanded sets: members after their set, each line back to its row index', () => {
    const layout = pagedLayout(6, rowAt, pages, 3, new Set(['s1', 's4']));
    expect(layout.count).toBe(9);
    const lines = Array.from({ length: 9 }, (_, at) => layout.line(at));
    expect(lines.map((line) => line.row?.id)).toEqual(['r0', 's1', 'm1', 'm2', 'r2', 'r3', 's4', 'm3', 'r5']);
    expect(lines.map((line) => line.index)).toEqual([0, 1, 1, 1, 2, 3, 4, 4, 5]);
    expect(lines.map((line) => line.member)).toEqual([false, false, true, true, false, false, false, true, false]);
  });

  test('a set whose page is not loaded shows no members; rows not loaded are placeholders', () => {
    const partial = { 0: pages[0] };
    const layout = pagedLayout(6, (index) => partial[Math.floor(index / 3) as 0]?.[index % 3], partial, 3, new Set(['s1', 's4']));
    expect(layout.count).toBe(8);
    expect(layout.line(5)).toEqual({ index: 3, row: undefined, member: false });
    expect(layout.indexOf(7)).toBe(5);
  });
});
