// The catalogue is asked for once when the app starts and its first page opens at the same moment
// (with 10,000 backups each answer is ~13 MB the server builds on its one thread), but a load after a
// change always sends a new request, so the list cannot miss that change.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { api } from '../api/client.ts';
import type { Envelope } from '../api/types.ts';
import { useBackups } from './backups.ts';

function answerLater() {
  const answers: Array<(value: Envelope<unknown>) => void> = [];
  const call = vi.spyOn(api, 'call').mockImplementation(() => new Promise((resolve) => answers.push(resolve as (value: Envelope<unknown>) => void)));
  return { call, answerAll: () => answers.splice(0).forEach((resolve) => resolve({ ok: true, value: [] })) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('useBackups', () => {
  test('loadOrJoin joins the load in flight instead of asking again', async () => {
    const { call, answerAll } = answerLater();
    const first = useBackups.getState().loadOrJoin();
    const second = useBackups.getState().loadOrJoin();
    expect(call).toHaveBeenCalledTimes(1);
    answerAll();
    await Promise.all([first, second]);
    expect(useBackups.getState().loaded).toBe(true);
    // Nothing in flight any more: the next page that opens asks again.
    const third = useBackups.getState().loadOrJoin();
    expect(call).toHaveBeenCalledTimes(2);
    answerAll();
    await third;
  });

  test('load asks again even while a load is in flight', async () => {
    const { call, answerAll } = answerLater();
    const opening = useBackups.getState().loadOrJoin();
    const afterChange = useBackups.getState().load();
    expect(call).toHaveBeenCalledTimes(2);
    // A page opening now joins the newer request.
    const joined = useBackups.getState().loadOrJoin();
    expect(call).toHaveBeenCalledTimes(2);
    answerAll();
    await Promise.all([opening, afterChange, joined]);
  });
});
