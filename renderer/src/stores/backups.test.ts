// The catalogue is asked for once when the app starts and its first page opens at the same moment
// (with 10,000 backups each answer is ~13 MB the server builds on its one thread), but a load after a
// change always sends a new request, so the list cannot miss that change.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { api } from '../api/client.ts';
import type { Envelope } from '../api/types.ts';
import { toRow } from '../lib/backup-rows.ts';
import { useBackups } from './backups.ts';

const EMPTY_PAGE = { items: [], offset: 0, total: 0, counts: { backups: 0, attempts: 0, sets: 0 }, profiles: [], checkingFiles: false };

/** Calls answered when the test says; `call` counts the whole-list ones (set.list), the table's pages aside. */
function answerLater() {
  const answers: Array<() => void> = [];
  const spy = vi
    .spyOn(api, 'call')
    .mockImplementation((channel) => new Promise((resolve) => answers.push(() => (resolve as (value: Envelope<unknown>) => void)({ ok: true, value: channel === 'backup.page' ? EMPTY_PAGE : [] }))));
  const lists = () => spy.mock.calls.filter(([channel]) => channel !== 'backup.page');
  return { spy, lists, answerAll: () => answers.splice(0).forEach((answer) => answer()) };
}

afterEach(() => {
  vi.restoreAllMocks();
  useBackups.setState({ selectedId: null, detail: null });
});

describe('useBackups', () => {
  test('loadOrJoin joins the load in flight instead of asking again', async () => {
    const { lists, answerAll } = answerLater();
    const first = useBackups.getState().loadOrJoin();
    const second = useBackups.getState().loadOrJoin();
    expect(lists()).toHaveLength(1);
    answerAll();
    await Promise.all([first, second]);
    expect(useBackups.getState().loaded).toBe(true);
    // Nothing in flight any more: the next page that opens asks again.
    const third = useBackups.getState().loadOrJoin();
    expect(lists()).toHaveLength(2);
    answerAll();
    await third;
  });

  test('load asks again even while a load is in flight, and refreshes the Backups table’s pages', async () => {
    const { spy, lists, answerAll } = answerLater();
    const opening = useBackups.getState().loadOrJoin();
    const afterChange = useBackups.getState().load();
    expect(lists()).toHaveLength(2);
    expect(spy).toHaveBeenCalledWith('backup.page', expect.objectContaining({ offset: 0, sort: 'timestamp', direction: 'desc' }));
    // A page opening now joins the newer request.
    const joined = useBackups.getState().loadOrJoin();
    expect(lists()).toHaveLength(2);
    answerAll();
    await Promise.all([opening, afterChange, joined]);
  });

  test('the list asks for summaries; the details panel asks backup.show for its one backup, once', async () => {
    const { spy, lists, answerAll } = answerLater();
    const loading = useBackups.getState().loadOrJoin();
    expect(spy).toHaveBeenLastCalledWith('set.list', { all: true, fields: 'summary' });
    answerAll();
    await loading;

    useBackups.getState().loadDetail('aaaaaaaaaaaa');
    expect(spy).toHaveBeenLastCalledWith('backup.show', { ref: 'aaaaaaaaaaaa' });
    expect(useBackups.getState().detail).toEqual({ id: 'aaaaaaaaaaaa', status: 'loading' });
    // Asked again while on its way (the panel re-rendering): joined, not sent twice.
    useBackups.getState().loadDetail('aaaaaaaaaaaa');
    expect(lists()).toHaveLength(2);
  });

  test('an answer for a backup no longer selected does not replace the newer one', async () => {
    const answers: Array<(value: Envelope<unknown>) => void> = [];
    vi.spyOn(api, 'call').mockImplementation(() => new Promise((resolve) => answers.push(resolve as (value: Envelope<unknown>) => void)));
    useBackups.getState().loadDetail('aaaaaaaaaaaa');
    useBackups.getState().loadDetail('bbbbbbbbbbbb');
    answers[1]!({ ok: true, value: { id: 'bbbbbbbbbbbb' } });
    answers[0]!({ ok: true, value: { id: 'aaaaaaaaaaaa' } });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(useBackups.getState().detail).toEqual({ id: 'bbbbbbbbbbbb', status: 'done', backup: { id: 'bbbbbbbbbbbb' } });

    // A failed read can be asked again.
    useBackups.getState().loadDetail('cccccccccccc');
    answers[2]!({ ok: false, error: { code: 'NOT_FOUND', message: 'gone' } });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(useBackups.getState().detail).toMatchObject({ id: 'cccccccccccc', status: 'failed' });
    useBackups.getState().loadDetail('cccccccccccc');
    expect(answers).toHaveLength(4);
  });

  test('pinning shows on the row as soon as the engine answers; a refusal is kept for the panel', async () => {
    const summary = {
      id: 'aaaaaaaaaaaa',
      filename: 'backup-a.dump',
      timestamp: '2026-01-01T02:00:00Z',
      size: 1,
      duration: 1,
      profile: 'shop',
      database: 'shop',
      format: 'custom',
      compression: 'gzip',
      status: 'completed',
      scope: 'full',
      lastVerified: null,
      restoreTest: null,
      pinned: false,
    } as const;
    useBackups.setState({ rows: [toRow(summary)], pinning: {} });
    const call = vi.spyOn(api, 'call').mockResolvedValueOnce({ ok: true, value: { ...summary, pinned: true } } as never);
    await useBackups.getState().setPinned('aaaaaaaaaaaa', true);
    expect(call).toHaveBeenCalledWith('backup.pin', { ref: 'aaaaaaaaaaaa', pinned: true });
    expect(useBackups.getState().rows[0]).toMatchObject({ pinned: true, backup: { pinned: true } });
    expect(useBackups.getState().pinning).toEqual({});

    call.mockResolvedValueOnce({ ok: false, error: { code: 'NOT_FOUND', message: 'gone' } });
    await useBackups.getState().setPinned('aaaaaaaaaaaa', false);
    expect(useBackups.getState().rows[0]).toMatchObject({ pinned: true });
    expect(useBackups.getState().pinning.aaaaaaaaaaaa).toMatchObject({ status: 'failed', error: { code: 'NOT_FOUND' } });
  });
});
