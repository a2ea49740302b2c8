import { describe, expect, test } from 'vitest';
import { filterRows, isLastUsableBackup, NO_FILTER, proofBadge, scopeLabel, sortRows, toRow, type BackupRow, type BackupSummary } from './backup-rows.ts';

function backup(id: string, fields: { profile: string; timestamp: string; size: number; duration?: number; verified?: boolean | null; drill?: 'passed' | 'failed'; scope?: BackupSummary['scope'] }) {
  return toRow({
    id,
    filename: `backup-${id}-${fields.profile}.dump`,
    timestamp: fields.timestamp,
    size: fields.size,
    duration: fields.duration ?? 1000,
    profile: fields.profile,
    database: 'db',
    format: 'custom',
    compression: 'gzip',
    status: 'completed',
    scope: fields.scope ?? 'full',
    lastVerified: fields.verified === undefined || fields.verified === null ? null : { at: fields.timestamp, valid: fields.verified },
    restoreTest: fields.drill ? { status: fields.drill, at: fields.timestamp } : null,
  });
}

const rows: BackupRow[] = [
  backup('a', { profile: 'shop', timestamp: '2026-01-01T02:00:00Z', size: 300, verified: true }),
  backup('b', { profile: 'crm', timestamp: '2026-01-03T02:00:00Z', size: 100, duration: 5000, verified: false }),
  toRow({ id: 'f', status: 'failed', profile: 'shop', timestamp: '2026-01-02T02:00:00Z', filename: null, error: 'connection refused' }),
  backup('c', { profile: 'shop', timestamp: '2026-01-04T02:00:00Z', size: 200, drill: 'passed', verified: true }),
];

const ids = (list: BackupRow[]) => list.map((row) => row.id);

describe('backup rows', () => {
  test('failed attempts become rows without size or verification', () => {
    expect(rows[2]).toMatchObject({ status: 'failed', size: null, verified: null, error: 'connection refused', backup: null });
    expect(rows[0]).toMatchObject({ verified: 'valid' });
    expect(rows[1]).toMatchObject({ verified: 'invalid' });
  });

  test('an imported dump is checked at import until a verify says more; a backup Holdfast took is not', () => {
    const imported = (lastVerified: BackupSummary['lastVerified']) => toRow({ ...rows[0]!.backup!, id: 'i', imported: true, lastVerified }).verified;
    expect(imported(null)).toBe('checked-at-import');
    expect(imported({ at: '2026-01-05T00:00:00Z', valid: true })).toBe('valid');
    expect(imported({ at: '2026-01-05T00:00:00Z', valid: false })).toBe('invalid');
    expect(toRow({ ...rows[0]!.backup!, imported: false, lastVerified: null }).verified).toBe('never');
  });

  test('sorting: newest first, by size either way with the sizeless last, by name', () => {
    expect(ids(sortRows(rows, 'timestamp', 'desc'))).toEqual(['c', 'b', 'f', 'a']);
    expect(ids(sortRows(rows, 'size', 'desc'))).toEqual(['a', 'c', 'b', 'f']);
    expect(ids(sortRows(rows, 'size', 'asc'))).toEqual(['b', 'c', 'a', 'f']);
    expect(ids(sortRows(rows, 'profile', 'asc'))).toEqual(['b', 'a', 'f', 'c']);
    // Restore-tested ranks above merely verified, failed verification first.
    expect(ids(sortRows(rows, 'verified', 'asc'))).toEqual(['b', 'a', 'c', 'f']);
  });

  test('filters: text over file, profile and error; profile; usable vs needing attention', () => {
    expect(ids(filterRows(rows, { ...NO_FILTER, text: 'REFUSED' }))).toEqual(['f']);
    expect(ids(filterRows(rows, { ...NO_FILTER, profile: 'crm' }))).toEqual(['b']);
    expect(ids(filterRows(rows, { ...NO_FILTER, status: 'problems' }))).toEqual(['b', 'f']);
    expect(ids(filterRows(rows, { ...NO_FILTER, status: 'good' }))).toEqual(['a', 'c']);
    expect(ids(filterRows(rows, { ...NO_FILTER, status: 'failed' }))).toEqual(['f']);
  });

  test('a schema-only, data-only or filtered backup carries its scope, a badge label, and is found by searching for it', () => {
    const scoped = [
      backup('full', { profile: 'shop', timestamp: '2026-01-01T02:00:00Z', size: 1 }),
      backup('ddl', { profile: 'shop', timestamp: '2026-01-02T02:00:00Z', size: 1, scope: 'schema-only' }),
      backup('rows', { profile: 'shop', timestamp: '2026-01-03T02:00:00Z', size: 1, scope: 'data-only' }),
      backup('some', { profile: 'shop', timestamp: '2026-01-04T02:00:00Z', size: 1, scope: 'partial' }),
      toRow({ id: 'f', status: 'failed', profile: 'shop', timestamp: '2026-01-05T02:00:00Z', filename: null, error: 'boom' }),
    ];
    expect(scoped.map((row) => row.scope)).toEqual(['full', 'schema-only', 'data-only', 'partial', null]);
    expect(scoped.map((row) => scopeLabel(row.scope))).toEqual([null, 'Schema only', 'Data only', 'Partial', null]);
    expect(ids(filterRows(scoped, { ...NO_FILTER, text: 'schema only' }))).toEqual(['ddl']);
    expect(ids(filterRows(scoped, { ...NO_FILTER, text: 'Data-Only' }))).toEqual(['rows']);
    expect(ids(filterRows(scoped, { ...NO_FILTER, text: 'partial' }))).toEqual(['some']);
    // Full backups wear no badge, so "only" finds just the two that hold half a database.
    expect(ids(filterRows(scoped, { ...NO_FILTER, text: 'only' }))).toEqual(['ddl', 'rows']);
  });

  // How long this takes is measured by the UI bench (test/bench/ui-bench.ts), never a pass mark here.
  test('10,000 rows: a text filter keeps exactly the matching profile, sorted by size', () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      backup(`r${i}`, { profile: `p${i % 7}`, timestamp: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString(), size: (i * 7919) % 100_000 }),
    );
    const sorted = sortRows(filterRows(many, { ...NO_FILTER, text: 'p3' }), 'size', 'desc');
    expect(sorted.map((row) => row.id).sort()).toEqual(
      many
        .filter((_, i) => i % 7 === 3)
        .map((row) => row.id)
        .sort(),
    );
    for (let i = 1; i < sorted.length; i += 1) expect(sorted[i - 1]!.size!).toBeGreaterThanOrEqual(sorted[i]!.size!);
  });
});

describe('chart series', () => {
  test('each backup while few; daily averages when many', async () => {
    const { chartSeries } = await import('./series.ts');
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(chartSeries(rows, { now }).map((p) => p.size)).toEqual([300, 100, 200]);
    const hourly = Array.from({ length: 48 }, (_, i) => backup(`h${i}`, { profile: 'shop', timestamp: new Date(now - (i + 1) * 3_600_000).toISOString(), size: i % 2 ? 100 : 300 }));
    const daily = chartSeries(hourly, { now, maxPoints: 10 });
    expect(daily.length).toBeGreaterThanOrEqual(2);
    expect(daily.length).toBeLessThanOrEqual(3);
    expect(daily.reduce((n, p) => n + p.count, 0)).toBe(48);
    expect(chartSeries(hourly, { now, days: 1 }).length).toBe(24);
  });
});

describe('a verify that could not check the content (the key is not on this machine)', () => {
  test('is "checksum only", never the green Verified, in the list and the details; a drill that passed still counts', () => {
    const row = toRow({
      ...backup('k', { profile: 'shop', timestamp: '2026-01-05T02:00:00Z', size: 10 }).backup!,
      lastVerified: { at: '2026-01-05T03:00:00Z', valid: true, contentChecked: false },
    });
    expect(row.verified).toBe('checksum-only');
    expect(proofBadge(row)).toBe('checksum-only');
    expect(proofBadge({ verified: 'checksum-only', restoreTest: 'passed' })).toBe('restore-tested');
    // It sorts below a verify that read the content.
    const valid = backup('v', { profile: 'shop', timestamp: '2026-01-06T02:00:00Z', size: 10, verified: true });
    expect(ids(sortRows([valid, row], 'verified', 'asc'))).toEqual(['k', 'v']);
  });
});

describe('proofBadge', () => {
  test('a failed drill on a file whose checksum held says "drill failed", not "verify failed"; a failed verify outranks a passed drill', () => {
    expect(proofBadge({ verified: 'never', restoreTest: 'failed' })).toBe('drill-failed');
    expect(proofBadge({ verified: 'valid', restoreTest: 'failed' })).toBe('drill-failed');
    expect(proofBadge({ verified: 'invalid', restoreTest: 'passed' })).toBe('invalid');
    expect(proofBadge({ verified: 'invalid', restoreTest: 'failed' })).toBe('invalid');
    expect(proofBadge({ verified: 'valid', restoreTest: 'passed' })).toBe('restore-tested');
    expect(proofBadge({ verified: 'never', restoreTest: null })).toBe('never');
  });
});

describe('isLastUsableBackup: only the last usable backup of a database asks for its name typed', () => {
  const byId = (id: string) => rows.find((row) => row.id === id)!;

  test('a backup with another usable one of the same database beside it is not the last', () => {
    expect(isLastUsableBackup(byId('a'), rows)).toBe(false);
    expect(isLastUsableBackup(byId('c'), rows)).toBe(false);
  });

  test('the only usable one is; a damaged one (failed verify) never is, and a failed attempt does not count', () => {
    expect(
      isLastUsableBackup(
        byId('c'),
        rows.filter((row) => row.id !== 'a'),
      ),
    ).toBe(true);
    expect(isLastUsableBackup(byId('b'), rows)).toBe(false);
    expect(isLastUsableBackup(byId('f'), rows)).toBe(false);
  });

  test('sorting by the new columns: file name, database and scope', () => {
    expect(ids(sortRows(rows, 'filename', 'asc'))).toEqual(['a', 'b', 'c', 'f']);
    expect(sortRows(rows, 'scope', 'asc').at(-1)!.id).toBe('f');
  });
});

// The DBA review: "Why it failed" showed the message alone; the run keeps the hint, in the app's words when they differ.
test("a failed attempt's row carries its hint, the app's words first", () => {
  const attempt = { id: 'r1', status: 'failed', profile: 'shop', timestamp: '2026-12-01T00:00:00.000Z', filename: null, error: 'Cannot connect' };
  expect(toRow({ ...attempt, hint: 'Check the server.' }).hint).toBe('Check the server.');
  expect(toRow({ ...attempt, hint: 'Run holdfast list.', appHint: 'See the Backups page.' }).hint).toBe('See the Backups page.');
  expect(toRow(attempt).hint).toBeUndefined();
});
