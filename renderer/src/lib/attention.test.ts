import { describe, expect, test } from 'vitest';
import type { ChannelOutput } from '../api/types.ts';
import { attentionDetail, attentionItems } from './attention.ts';
import { proofOf, toRow, type BackupRow } from './backup-rows.ts';
import { profileHealth } from './health.ts';
import { setToRow } from './set-rows.ts';

function backup(
  id: string,
  profile: string,
  timestamp: string,
  proof: { verified?: { valid: boolean; at: string }; drill?: { status: 'passed' | 'failed'; at: string }; missing?: boolean } = {},
): BackupRow {
  return toRow({
    id,
    filename: `backup-${id}.dump`,
    timestamp,
    size: 1,
    duration: 1,
    profile,
    database: 'db',
    format: 'custom',
    compression: 'gzip',
    status: proof.missing ? 'missing' : 'completed',
    scope: 'full',
    lastVerified: proof.verified ?? null,
    restoreTest: proof.drill ?? null,
    pinned: false,
  });
}

const failedRun = (id: string, profile: string, timestamp: string) => toRow({ id, status: 'failed', profile, timestamp, filename: null, error: 'connection refused' });

describe("Overview's Needs attention (issue 12 D)", () => {
  test('a failed verification is never pushed off by newer routine failures, and is dated by when it failed', () => {
    // shop's backup from January failed its verify yesterday; crm then failed eight nightly runs.
    const corrupt = backup('old', 'shop', '2026-01-01T02:00:00Z', { verified: { valid: false, at: '2026-03-09T06:00:00Z' } });
    const runs = Array.from({ length: 8 }, (_, i) => failedRun(`run${i}`, 'crm', `2026-03-${String(10 + i).padStart(2, '0')}T02:00:00Z`));
    const items = attentionItems([corrupt, ...runs, backup('fine', 'shop', '2026-03-17T02:00:00Z')]);
    expect(items).toHaveLength(6);
    expect(items.map((item) => item.row.id)).toEqual(['run7', 'run6', 'run5', 'run4', 'run3', 'old']);
    expect(items.at(-1)).toMatchObject({ kind: 'verify', at: '2026-03-09T06:00:00Z' });
  });

  test('the latest failed check of every profile shows, even past the cap; older ones of the same profile give way', () => {
    const rows = [
      ...['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((profile, i) => backup(`drill-${profile}`, profile, '2026-01-01T02:00:00Z', { drill: { status: 'failed', at: `2026-02-0${i + 1}T00:00:00Z` } })),
      backup('a-older', 'a', '2025-12-01T02:00:00Z', { verified: { valid: false, at: '2026-01-15T00:00:00Z' } }),
      failedRun('run', 'a', '2026-03-01T02:00:00Z'),
    ];
    const items = attentionItems(rows);
    expect(items.map((item) => item.row.id)).toEqual(['drill-g', 'drill-f', 'drill-e', 'drill-d', 'drill-c', 'drill-b', 'drill-a']);
    expect(attentionItems(rows, 9).map((item) => item.row.id)).toEqual(['run', 'drill-g', 'drill-f', 'drill-e', 'drill-d', 'drill-c', 'drill-b', 'drill-a', 'a-older']);
  });

  test('missing files and failed runs are listed; passed checks are not', () => {
    const items = attentionItems([
      backup('gone', 'shop', '2026-01-02T02:00:00Z', { missing: true }),
      backup('ok', 'shop', '2026-01-03T02:00:00Z', { verified: { valid: true, at: '2026-01-03T03:00:00Z' }, drill: { status: 'passed', at: '2026-01-03T04:00:00Z' } }),
      failedRun('run', 'shop', '2026-01-01T02:00:00Z'),
    ]);
    expect(items.map((item) => [item.row.id, item.kind])).toEqual([
      ['gone', 'missing'],
      ['run', 'run'],
    ]);
  });
  test('a partial whole-server set is said to be partial, naming what failed, never as a failed restore drill it never had', () => {
    // A DBA's walk-through: a set missing a database the role may not CONNECT to showed on the Overview
    // as "The restore drill of backup-…-server.set (taken 3 min ago) failed." No drill had been run.
    const partial = setToRow({
      id: 'abcdefabcdef',
      kind: 'set',
      profile: 'server',
      timestamp: '2026-01-02T02:00:00Z',
      status: 'partial',
      problems: ['secret: permission denied for database "secret"'],
      expected: ['crm', 'secret'],
      databases: [
        { database: 'crm', id: null, filename: null, checksum: null, status: 'completed', error: null, rowCounts: {}, size: 0 },
        { database: 'secret', id: null, filename: null, checksum: null, status: 'failed', error: 'permission denied for database "secret"', rowCounts: {}, size: 0 },
      ],
      manifest: { filename: 'backup-server.set', checksum: 'sha256:2' },
      durationMs: 1,
      members: [],
    } as unknown as Parameters<typeof setToRow>[0]);
    const [item] = attentionItems([partial]);
    expect(item).toMatchObject({ kind: 'partial', at: '2026-01-02T02:00:00Z' });
    const detail = attentionDetail(item!, Date.parse('2026-01-02T03:00:00Z'));
    expect(detail).not.toMatch(/drill/);
    expect(detail).toBe('The whole-server backup backup-server.set (taken 1 h ago) is partial, 1 of 2 databases: secret: permission denied for database "secret".');
  });
});

describe("a backup's proof badge", () => {
  test('a failed verify outranks an earlier passed restore drill: never a green "Restore-tested" on a backup that just failed', () => {
    const drilledThenRotted = backup('x', 'shop', '2026-01-01T02:00:00Z', { drill: { status: 'passed', at: '2026-01-01T03:00:00Z' }, verified: { valid: false, at: '2026-02-01T00:00:00Z' } });
    expect(proofOf(drilledThenRotted)).toBe('invalid');
    expect(proofOf(backup('y', 'shop', '2026-01-01T02:00:00Z', { drill: { status: 'passed', at: '2026-01-01T03:00:00Z' }, verified: { valid: true, at: '2026-02-01T00:00:00Z' } }))).toBe(
      'restore-tested',
    );
    expect(proofOf(backup('z', 'shop', '2026-01-01T02:00:00Z', { drill: { status: 'failed', at: '2026-01-01T03:00:00Z' }, verified: { valid: true, at: '2026-02-01T00:00:00Z' } }))).toBe('invalid');
    expect(proofOf(backup('n', 'shop', '2026-01-01T02:00:00Z'))).toBe('never');
    expect(proofOf(failedRun('r', 'shop', '2026-01-01T02:00:00Z'))).toBeNull();
  });
});

describe('profile health', () => {
  test('a profile whose newest full backup failed verify or its drill is unhealthy', () => {
    const stats = {
      profiles: [{ profile: 'shop', totalBackups: 3, totalSize: 3, newestBackup: '2026-01-01T00:00:00Z', lastRunStatus: 'completed', failedBackups: 0 }],
    } as unknown as ChannelOutput<'backup.stats'>;
    const health = {
      status: 'unhealthy',
      profiles: [{ profile: 'shop', status: 'unhealthy' }],
      reasons: [{ code: 'NEWEST_BACKUP_FAILED_CHECK', severity: 'unhealthy', profile: 'shop', message: 'The newest full backup of profile "shop" … failed verification' }],
    } as unknown as ChannelOutput<'backup.health'>;
    expect(profileHealth(['shop'], stats, health)[0]).toMatchObject({ status: 'unhealthy' });
  });
});
