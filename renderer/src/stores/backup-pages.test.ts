// The Backups table's pages: each asked for once, answers to an older sort or filter ignored, and
// never more than a dozen pages held however far the table scrolls (memory flat at 100,000 backups).
import { afterEach, describe, expect, test, vi } from 'vitest';
import { api } from '../api/client.ts';
import type { ChannelInput, Envelope } from '../api/types.ts';
import { NO_FILTER } from '../lib/backup-rows.ts';
import { PAGE_SIZE, useBackupPages } from './backup-pages.ts';

const TOTAL = 100_000;

/** A catalogue of TOTAL attempts whose pages answer when the test says; ids name their index. */
function catalogue() {
  const waiting: Array<() => void> = [];
  const spy = vi.spyOn(api, 'call').mockImplementation((_channel, raw) => {
    const input = raw as ChannelInput<'backup.page'>;
    const items = Array.from({ length: Math.min(input.limit ?? PAGE_SIZE, TOTAL - (input.offset ?? 0)) }, (_, n) => {
      const index = (input.offset ?? 0) + n;
      return { id: `${input.text || 'row'}-${index}`, status: 'failed', profile: 'shop', timestamp: '2025-01-01T00:00:00.000Z', filename: null, error: 'x' };
    });
    return new Promise((resolve) =>
      waiting.push(() =>
        (resolve as (value: Envelope<unknown>) => void)({
          ok: true,
          value: { items, offset: input.offset, total: TOTAL, counts: { backups: 0, attempts: TOTAL, sets: 0 }, profiles: ['shop'], checkingFiles: false },
        }),
      ),
    );
  });
  const answer = async () => {
    waiting.splice(0).forEach((resolve) => resolve());
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  const offsets = () => spy.mock.calls.map(([, input]) => (input as ChannelInput<'backup.page'>).offset);
  return { spy, answer, offsets };
}

afterEach(() => {
  vi.restoreAllMocks();
  useBackupPages.setState({ pages: {}, total: null, filter: NO_FILTER, sort: { key: 'timestamp', direction: 'desc' } });
});

describe('useBackupPages', () => {
  test('the first page first; each page on screen asked for once; far pages dropped as the table scrolls', async () => {
    const { answer, offsets } = catalogue();
    const opening = useBackupPages.getState().refresh();
    await answer();
    await opening;
    expect(offsets()).toEqual([0]);
    expect(useBackupPages.getState().total).toBe(TOTAL);
    expect(useBackupPages.getState().rowAt(0)?.id).toBe('row-0');

    // Rows 95–140 on screen: page 1 is asked for, page 0 is not asked again, nor is page 1 twice.
    useBackupPages.getState().ensure(95, 140);
    useBackupPages.getState().ensure(96, 141);
    expect(offsets()).toEqual([0, 100]);
    await answer();
    expect(useBackupPages.getState().rowAt(140)?.id).toBe('row-140');

    // Scrolled through 50 screens: at most 12 pages are held, the ones on screen among them.
    for (let screen = 2; screen < 52; screen += 1) {
      useBackupPages.getState().ensure(screen * PAGE_SIZE, screen * PAGE_SIZE + 20);
      await answer();
    }
    const held = Object.keys(useBackupPages.getState().pages).map(Number);
    expect(held.length).toBeLessThanOrEqual(12);
    expect(held).toContain(51);
    expect(useBackupPages.getState().rowAt(0)).toBeUndefined();
  });

  test('an answer for an older filter never lands in the table', async () => {
    const { answer } = catalogue();
    useBackupPages.getState().setFilter({ text: 'old' });
    useBackupPages.getState().setFilter({ text: 'new' });
    await answer();
    expect(useBackupPages.getState().rowAt(0)?.id).toBe('new-0');
    expect(
      Object.values(useBackupPages.getState().pages)
        .flat()
        .some((row) => row.id.startsWith('old')),
    ).toBe(false);
  });
});
