import { describe, expect, test } from 'vitest';
import type { ListEntry } from '../core/model/reports.ts';
import type { SetListEntry } from '../core/sets/backup-sets.ts';
import type { SetMember } from '../core/sets/set-record.ts';
import { formatListWithSets } from './format-sets.ts';

const member = (database: string, size: number, status: SetMember['status'] = 'completed'): SetMember => ({
  database,
  id: status === 'completed' ? `m-${database}` : null,
  filename: status === 'completed' ? `backup-${database}.dump` : null,
  checksum: null,
  status,
  error: status === 'completed' ? null : 'permission denied',
  rowCounts: {},
  size,
});

const set: SetListEntry<ListEntry> = {
  id: 'abcdefabcdef',
  kind: 'set',
  profile: 'server',
  timestamp: '2026-12-07T06:00:00.000Z',
  status: 'partial',
  problems: [],
  version: 'PostgreSQL 17.2',
  serverMajor: 17,
  expected: ['crm', 'hr', 'shop'],
  excluded: [],
  added: [],
  dropped: [],
  parallelDatabases: 2,
  globals: { filename: 'backup-server.globals.sql', checksum: null, note: null },
  databases: [member('crm', 3 * 1024 ** 2), member('shop', 1024 ** 2 / 2), member('hr', 0, 'failed')],
  manifest: null,
  durationMs: 1000,
  members: [],
};

describe('holdfast list with a whole-server set', () => {
  test("a set's line says its total size: the databases it holds", () => {
    const [line] = formatListWithSets([set]).split('\n');
    expect(line).toBe('abcdefabcdef  2026-12-07T06:00:00.000Z  set partial  server     3.5 MB  2/3 databases');
  });
});
