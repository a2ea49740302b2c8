import { describe, expect, test } from 'vitest';
import type { AuditEntry } from '../stores/overview.ts';
import { groupSignIns } from './audit-groups.ts';

const entry = (at: string, actor: string, action: string, target: string | null = null): AuditEntry => ({ at, actor, action, target, detail: null });

describe('the audit log as the Activity page shows it', () => {
  test('a run of sign-ins by one user is one row with how many and when; a change between them breaks the run', () => {
    const rows = groupSignIns([
      entry('2026-01-01T10:05:00Z', 'ada', 'session.login'),
      entry('2026-01-01T10:04:00Z', 'ada', 'session.login'),
      entry('2026-01-01T10:03:00Z', 'ada', 'session.login'),
      entry('2026-01-01T10:02:00Z', 'ada', 'setting.set', 'backup-dir'),
      entry('2026-01-01T10:01:00Z', 'ada', 'session.login'),
      entry('2026-01-01T10:00:30Z', 'bob', 'session.login'),
      entry('2026-01-01T10:00:00Z', 'ada', 'session.login'),
    ]);
    expect(rows.map((row) => [row.action, row.actor, row.sessions?.count ?? 1])).toEqual([
      ['session.login', 'ada', 3],
      ['setting.set', 'ada', 1],
      ['session.login', 'ada', 1],
      ['session.login', 'bob', 1],
      ['session.login', 'ada', 1],
    ]);
    expect(rows[0]!.sessions).toEqual({ count: 3, first: '2026-01-01T10:03:00Z', last: '2026-01-01T10:05:00Z' });
  });
});
