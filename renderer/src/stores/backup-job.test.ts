// A finished manual backup refreshes what the pages show of it: the list, and the overview's totals
// and health (the overview stayed at the old counts under the dialog until the page was reopened).
import { afterEach, describe, expect, test, vi } from 'vitest';
import { api } from '../api/client.ts';
import type { Envelope } from '../api/types.ts';
import { useBackupJob } from './backup-job.ts';

afterEach(() => {
  vi.restoreAllMocks();
  useBackupJob.getState().reset();
});

describe('useBackupJob', () => {
  test.each([
    ['completed', { ok: true, value: { id: 'b1' } }],
    ['failed', { ok: false, error: { code: 'BACKUP_FAILED', message: 'pg_dump exited with code 1', hint: null } }],
  ])('a %s backup reloads the list, the stats and the health', async (_, outcome) => {
    const call = vi.spyOn(api, 'call').mockImplementation(async (channel) => (channel === 'backup.create' ? outcome : { ok: true, value: channel === 'backup.list' ? [] : {} }) as Envelope<never>);
    await useBackupJob.getState().start('shop', { format: 'custom' });
    const channels = call.mock.calls.map(([channel]) => channel);
    expect(channels).toEqual(expect.arrayContaining(['backup.create', 'backup.list', 'backup.stats', 'backup.health']));
  });
});
