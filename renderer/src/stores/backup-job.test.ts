// A finished manual backup refreshes what the pages show of it: the list, and the overview's totals
// and health (the overview stayed at the old counts under the dialog until the page was reopened).
// After a reload, a backup still running in the server shows again until it ends.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { api } from '../api/client.ts';
import type { CallOptions, Envelope, OperationView } from '../api/types.ts';
import { useBackupJob, writtenBytes, type BackupProgress } from './backup-job.ts';

const EMPTY_PAGE = { items: [], offset: 0, total: 0, counts: { backups: 0, attempts: 0, running: 0, sets: 0, setMembers: 0, failedInSets: 0 }, profiles: [], checkingFiles: false };
const answerFor = (channel: string) => (channel === 'set.list' ? [] : channel === 'backup.page' ? EMPTY_PAGE : {});

afterEach(() => {
  vi.restoreAllMocks();
  useBackupJob.getState().reset();
});

describe('useBackupJob', () => {
  test.each([
    ['completed', { ok: true, value: { id: 'b1' } }],
    ['failed', { ok: false, error: { code: 'BACKUP_FAILED', message: 'pg_dump exited with code 1', hint: null } }],
  ])('a %s backup reloads the list, the stats and the health', async (_, outcome) => {
    const call = vi.spyOn(api, 'call').mockImplementation(async (channel) => (channel === 'backup.take' ? outcome : { ok: true, value: answerFor(channel) }) as Envelope<never>);
    await useBackupJob.getState().start('shop', { format: 'custom' });
    const channels = call.mock.calls.map(([channel]) => channel);
    // The list: the Backups table's page (the whole list only where a page had asked for it).
    expect(channels).toEqual(expect.arrayContaining(['backup.take', 'backup.page', 'backup.stats', 'backup.health']));
  });

  test('after a reload it follows the newest backup still running in the server: its progress so far, what comes, its result', async () => {
    vi.spyOn(api, 'call').mockImplementation(async (channel) => ({ ok: true, value: answerFor(channel) }) as Envelope<never>);
    const running = (profile: string, state: 'running' | 'finished', bytes: number): OperationView => ({
      id: `op-${profile}`,
      channel: 'backup.create',
      input: { profile, options: {} } as never,
      startedBy: 'owner',
      startedAt: '2025-01-01T00:00:00.000Z',
      state,
      progress: { operation: 'backup', progress: { phase: 'dumping', bytes, elapsedMs: 10, expectedBytes: undefined } },
      cancelledBy: null,
    });
    vi.spyOn(api, 'operations').mockResolvedValue({ ok: true, value: [running('old', 'finished', 1), running('a', 'running', 2), running('shop', 'running', 4096)] });
    let finish: (result: Envelope<never>) => void = () => undefined;
    let options: CallOptions = {};
    const attach = vi.spyOn(api, 'attach').mockImplementation((_operation, given) => {
      options = given ?? {};
      return new Promise((resolve) => (finish = resolve));
    });
    const resumed = useBackupJob.getState().resume();
    await vi.waitFor(() => expect(attach).toHaveBeenCalled());
    expect(attach.mock.calls[0]![0]).toMatchObject({ id: 'op-shop' });
    expect(useBackupJob.getState()).toMatchObject({ status: 'running', profile: 'shop', startedAt: Date.parse('2025-01-01T00:00:00.000Z'), progress: { bytes: 4096 } });
    options.onProgress?.({ operation: 'backup', progress: { phase: 'checksumming', bytes: 8192, elapsedMs: 20, expectedBytes: undefined } });
    expect(useBackupJob.getState().progress).toMatchObject({ phase: 'checksumming' });
    // Cancel works on a followed backup as on one started here: through the call's signal.
    expect(options.signal?.aborted).toBe(false);
    finish({ ok: true, value: { id: 'b1' } } as Envelope<never>);
    await resumed;
    expect(useBackupJob.getState()).toMatchObject({ status: 'done', result: { id: 'b1' } });
  });

  test("a whole-server profile's set: each database's latest state, a failed one marked as it fails", async () => {
    let options: CallOptions = {};
    let finish: (result: Envelope<never>) => void = () => undefined;
    vi.spyOn(api, 'call').mockImplementation((channel, _input, given) => {
      if (channel !== 'backup.take') return Promise.resolve({ ok: true, value: answerFor(channel) } as Envelope<never>);
      options = given ?? {};
      return new Promise((resolve) => (finish = resolve));
    });
    const started = useBackupJob.getState().start('whole', {});
    await vi.waitFor(() => expect(options.onProgress).toBeDefined());
    const report = (database: string, phase: 'dumping' | 'done' | 'failed', bytes: number) =>
      options.onProgress?.({ operation: 'backup', progress: { phase, bytes, elapsedMs: 1, expectedBytes: undefined, database } });
    report('shop', 'dumping', 100);
    report('crm', 'dumping', 50);
    report('shop', 'done', 200);
    report('locked', 'failed', 0);
    expect(useBackupJob.getState().databases).toMatchObject({ shop: { phase: 'done', bytes: 200 }, crm: { phase: 'dumping' }, locked: { phase: 'failed' } });
    finish({ ok: true, value: { id: 'abcdefabcdef', kind: 'set' } } as Envelope<never>);
    await started;
    expect(useBackupJob.getState()).toMatchObject({ status: 'done', result: { kind: 'set' } });
  });

  test('nothing running in the server (or the desktop app): it stays idle', async () => {
    vi.spyOn(api, 'operations').mockResolvedValue({ ok: true, value: [] });
    const attach = vi.spyOn(api, 'attach');
    await useBackupJob.getState().resume();
    expect(attach).not.toHaveBeenCalled();
    expect(useBackupJob.getState().status).toBe('idle');
  });
});

describe('writtenBytes', () => {
  const at = (bytes: number, database?: string): BackupProgress => ({ phase: 'dumping', bytes, elapsedMs: 1, expectedBytes: undefined, ...(database ? { database } : {}) });
  test("a whole-server set's Written is its members' total, not the set's own report (0 B)", () => {
    expect(writtenBytes({ progress: at(0), databases: { app: at(1000, 'app'), crm: at(2500, 'crm') } })).toBe(3500);
  });
  test("one backup's Written is its own report", () => {
    expect(writtenBytes({ progress: at(4096), databases: {} })).toBe(4096);
    expect(writtenBytes({ progress: null, databases: {} })).toBe(0);
  });
});
