import { describe, expect, test } from 'vitest';
import type { EmittedEvent } from '../events/events.ts';
import type { SetDrillResult } from '../sets/drill-set.ts';
import { startingSet, type BackupSet } from '../sets/set-record.ts';
import type { Schedule } from './schedule-store.ts';
import { setSlotOutcome, WHOLE_SERVER } from './set-slot.ts';

const schedule = (testRestore: boolean) => ({ id: 's1', profile: 'whole', testRestore }) as Schedule;
const set = (status: BackupSet['status']): BackupSet => ({
  ...startingSet({ id: 'abcdef012345', profile: 'whole', timestamp: '2026-01-01T00:00:00Z', parallelDatabases: 1 }),
  status,
  problems: status === 'completed' ? [] : ['shop: permission denied'],
});

function engine(drill: Partial<SetDrillResult>) {
  const events: unknown[] = [];
  const drilled: string[] = [];
  return {
    events,
    drilled,
    engine: {
      events: { emit: async (event: EmittedEvent) => void events.push(event) },
      sets: { testRestore: async (ref: string) => (drilled.push(ref), { ok: false, error: null, ...drill }) as SetDrillResult },
    },
  };
}

describe("a whole-server schedule's slot", () => {
  test('a schedule that asks for drills drills the set: passed is completed', async () => {
    const { engine: e, drilled, events } = engine({ ok: true });
    expect(await setSlotOutcome(e, schedule(true), set('completed'))).toEqual({ outcome: { status: 'completed' }, drill: { ok: true, error: null } });
    expect(drilled).toEqual(['abcdef012345']);
    expect(events).toEqual([]);
  });

  test("a failed set drill fails the slot with the drill's reason and is told as schedule.drillFailed", async () => {
    const { engine: e, events } = engine({ ok: false, error: 'shop: row counts differ from the manifest for public.users' });
    const slot = await setSlotOutcome(e, schedule(true), set('completed'));
    expect(slot.outcome).toEqual({ status: 'failed', error: 'backup set abcdef012345 was taken, but its restore drill failed: shop: row counts differ from the manifest for public.users' });
    expect(slot.drill).toEqual({ ok: false, error: 'shop: row counts differ from the manifest for public.users' });
    expect(events).toEqual([{ kind: 'schedule.drillFailed', scheduleId: 's1', profile: 'whole', database: WHOLE_SERVER, message: slot.outcome.status === 'failed' ? slot.outcome.error : '' }]);
  });

  test('a partial set is the failed outcome and is not drilled; without drills a completed set is completed', async () => {
    const { engine: e, drilled } = engine({ ok: true });
    expect((await setSlotOutcome(e, schedule(true), set('partial'))).outcome).toEqual({ status: 'failed', error: 'backup set abcdef012345 is partial: shop: permission denied' });
    expect(await setSlotOutcome(e, schedule(false), set('completed'))).toEqual({ outcome: { status: 'completed' }, drill: null });
    expect(drilled).toEqual([]);
  });
});
