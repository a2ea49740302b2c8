import { describe, expect, test, vi } from 'vitest';
import type { BackupSet, SetListEntry } from '../api/types.ts';
import { filterRows, isProblem, NO_FILTER } from './backup-rows.ts';
import { countText } from './backup-columns.ts';
import { backupsHeader, findRow, heldLabel, listToRows, withExpandedMembers, type SetListItem } from './set-rows.ts';
import type { SummaryListItem } from './backup-rows.ts';

const AT = '2026-02-01T02:00:00.000Z';

function summary(id: string, database: string): SummaryListItem {
  return {
    id,
    filename: `backup-${database}.dump`,
    timestamp: AT,
    size: 100,
    duration: 1000,
    profile: 'whole',
    database,
    format: 'custom',
    compression: 'gzip',
    status: 'completed',
    scope: 'full',
    lastVerified: { at: AT, valid: true },
    restoreTest: null,
  } as unknown as SummaryListItem;
}

function setEntry(status: 'completed' | 'partial'): SetListItem {
  const record: BackupSet = {
    id: 'abcdefabcdef',
    kind: 'set',
    profile: 'whole',
    timestamp: AT,
    status,
    problems: status === 'partial' ? ['secret: permission denied for database secret'] : [],
    version: 'PostgreSQL 15.8',
    serverMajor: 15,
    expected: status === 'partial' ? ['postgres', 'secret', 'shop'] : ['postgres', 'shop'],
    excluded: [],
    added: [],
    dropped: [],
    parallelDatabases: 2,
    globals: { filename: 'backup-whole.globals.sql', checksum: 'sha256:1', note: null },
    databases: [
      { database: 'postgres', id: 'm1', filename: 'backup-postgres.dump', checksum: 'x', status: 'completed', error: null, rowCounts: {}, size: 100 },
      ...(status === 'partial'
        ? [{ database: 'secret', id: null, filename: null, checksum: null, status: 'failed' as const, error: 'permission denied for database secret', rowCounts: {}, size: 0 }]
        : []),
      { database: 'shop', id: 'm2', filename: 'backup-shop.dump', checksum: 'y', status: 'completed', error: null, rowCounts: {}, size: 100 },
    ],
    manifest: { filename: 'backup-whole.set', checksum: 'sha256:2' },
    durationMs: 60_000,
  };
  return { ...record, members: [summary('m1', 'postgres'), summary('m2', 'shop')] } as SetListItem;
}

const attempt = (id: string, profile: string, at: string): SummaryListItem => ({ id, status: 'failed', profile, timestamp: at, filename: null, error: 'boom' }) as SummaryListItem;

describe('a whole-server set in the Backups table', () => {
  test('is one row: its members are under it, not rows of their own; its size is theirs', () => {
    const rows = listToRows([setEntry('completed'), summary('single', 'crm')]);
    expect(rows.map((row) => row.id)).toEqual(['abcdefabcdef', 'single']);
    expect(rows[0]).toMatchObject({ status: 'completed', database: '2 of 2 databases', size: 200, scope: 'full', verified: 'valid', backup: null });
    expect(rows[0]!.set!.members.map((m) => [m.id, m.memberOf])).toEqual([
      ['m1', 'abcdefabcdef'],
      ['m2', 'abcdefabcdef'],
    ]);
    expect(findRow(rows, 'm2')?.database).toBe('shop');
    expect(withExpandedMembers(rows, new Set(['abcdefabcdef'])).map((row) => row.id)).toEqual(['abcdefabcdef', 'm1', 'm2', 'single']);
  });

  // The DBA review: a partial set's Verified column stayed '—' after `holdfast verify` of it, as if
  // never checked. It says what verify found in the files it holds (the CLI's "Valid: every file …
  // holds is intact; the set is PARTIAL"); the Partial badge and status say it is not the whole server.
  test('a partial set says which database failed and why, wears the Partial badge, shows what verify found in the files it holds, and needs attention', () => {
    const [row] = listToRows([setEntry('partial')]);
    expect(row).toMatchObject({ status: 'partial', database: '2 of 3 databases', scope: 'partial', verified: 'valid', error: 'secret: permission denied for database secret' });
    expect(row!.set!.members.find((m) => m.database === 'secret')).toMatchObject({ status: 'failed', error: 'permission denied for database secret', backup: null });
    expect(isProblem(row!)).toBe(true);
  });

  test("the set's own run and its failed members' attempts are folded into it by the set's id (set.list nests them), never by when they ran", () => {
    const partial = setEntry('partial') as SetListEntry<SummaryListItem>;
    // A member that failed ten minutes into a set that was killed (its duration never recorded): still the set's.
    const nested = { ...partial, durationMs: 0, members: [...partial.members, { ...attempt('member-run', 'whole', '2026-02-01T02:10:00.000Z'), set: partial.id }] };
    const rows = listToRows([
      nested,
      // The same profile, during the set, but no part of it (a refused second backup): its own row.
      attempt('refused', 'whole', '2026-02-01T02:00:30.000Z'),
      attempt('other', 'crm', '2026-02-01T02:00:30.000Z'),
      // An attempt of a set that is not listed (deleted): never loose beside the others.
      { ...attempt('gone-set-run', 'whole', '2026-02-01T01:00:00.000Z'), set: 'fedcbafedcba' },
    ]);
    expect(rows.map((row) => row.id)).toEqual(['abcdefabcdef', 'refused', 'other']);
    expect(rows[0]!.set!.members.map((member) => member.id)).toEqual(['m1', 'abcdefabcdef/secret', 'm2']);
  });

  test("searching for a member's database finds its set", () => {
    expect(filterRows(listToRows([setEntry('completed')]), { ...NO_FILTER, text: 'shop' })).toHaveLength(1);
  });
});

describe('the Backups header', () => {
  test('a set of one database says so in the singular', () => {
    expect(heldLabel({ databases: [], expected: ['shop'] })).toBe('0 of 1 database');
    expect(heldLabel({ databases: [], expected: ['shop', 'crm'] })).toBe('0 of 2 databases');
  });

  test("the header counts backups, the list's count rows, and each says so: a set is one row of several backups", () => {
    // The DBA review: "4 of 4" beside "8 backups" on the same page.
    expect(backupsHeader({ backups: 0, attempts: 2, running: 0, sets: 2, setMembers: 8, failedInSets: 0 })).toBe('8 backups (8 in 2 whole-server sets, a row each) · 2 failed or unfinished attempts');
    expect(countText(4, 4)).toBe('4 of 4 rows');
    expect(countText(1, 1)).toBe('1 of 1 row');
  });

  test("a set's members count as backups: each is a database's backup, not nothing", () => {
    expect(backupsHeader({ backups: 3, attempts: 1, running: 0, sets: 2, setMembers: 5, failedInSets: 0 })).toBe('8 backups (5 in 2 whole-server sets, a row each) · 1 failed or unfinished attempt');
    expect(backupsHeader({ backups: 1, attempts: 0, running: 0, sets: 0, setMembers: 0, failedInSets: 0 })).toBe('1 backup · 0 failed or unfinished attempts');
    expect(backupsHeader({ backups: 0, attempts: 0, running: 0, sets: 1, setMembers: 1, failedInSets: 0 })).toBe('1 backup (1 in 1 whole-server set, one row) · 0 failed or unfinished attempts');
  });

  test("a set's failed members are failed backups, counted with the others and said apart", () => {
    expect(backupsHeader({ backups: 3, attempts: 1, running: 0, sets: 2, setMembers: 5, failedInSets: 2 })).toBe(
      '8 backups (5 in 2 whole-server sets, a row each) · 3 failed or unfinished attempts, 2 of them in sets',
    );
    expect(backupsHeader({ backups: 0, attempts: 0, running: 0, sets: 1, setMembers: 1, failedInSets: 1 })).toBe(
      '1 backup (1 in 1 whole-server set, one row) · 1 failed or unfinished attempt, in a set',
    );
  });

  test('a running backup is counted as running, apart from the failed and unfinished ones', () => {
    expect(backupsHeader({ backups: 2, attempts: 0, running: 1, sets: 0, setMembers: 0, failedInSets: 0 })).toBe('2 backups · 1 running · 0 failed or unfinished attempts');
    expect(backupsHeader({ backups: 2, attempts: 3, running: 2, sets: 0, setMembers: 0, failedInSets: 0 })).toBe('2 backups · 2 running · 3 failed or unfinished attempts');
  });
});

describe("the Backups page's first screen needs no ICU", () => {
  // The first locale-aware call in a fresh renderer loads ICU's data: 30–250 ms of its main thread
  // (bench row 7's CPU profile: toLocaleString inside the early-drawn first screen).
  test('its header and count group digits as en-US does, without toLocaleString or Intl', () => {
    const toLocaleString = vi.spyOn(Number.prototype, 'toLocaleString');
    const formatter = vi.spyOn(Intl, 'NumberFormat');
    try {
      expect(backupsHeader({ backups: 98_765, attempts: 1_234, running: 1_001, sets: 1_000, setMembers: 2_000, failedInSets: 0 })).toBe(
        '100,765 backups (2,000 in 1,000 whole-server sets, a row each) · 1,001 running · 1,234 failed or unfinished attempts',
      );
      expect(countText(10_000, 1_234_567)).toBe('10,000 of 1,234,567 rows');
      expect(toLocaleString).not.toHaveBeenCalled();
      expect(formatter).not.toHaveBeenCalled();
    } finally {
      toLocaleString.mockRestore();
      formatter.mockRestore();
    }
  });
});
