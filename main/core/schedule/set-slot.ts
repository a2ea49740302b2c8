// What a whole-server schedule's slot comes to once its set is taken, for the scheduler and for Run
// now alike: completed only when the set is, and — when the schedule asks for drills — when the set's
// drill passed too (sets/drill-set.ts stores each member's verdict, as a single backup's drill does).
// A failed drill is the slot's failed outcome and its own schedule.drillFailed event, as for one
// database; the set stands either way.
import type { EventBus } from '../events/bus.ts';
import type { BackupSet } from '../sets/set-record.ts';
import type { SetDrillResult } from '../sets/drill-set.ts';
import type { Schedule } from './schedule-store.ts';
import type { ScheduledOutcome } from './scheduler.ts';

/** The database a whole-server drill's event names: the set is drilled as one. */
export const WHOLE_SERVER = '(whole server)';

export interface SetSlotEngine {
  events: Pick<EventBus, 'emit'>;
  sets: { testRestore(ref: string, options: { signal?: AbortSignal }): Promise<SetDrillResult> };
}

export interface SetSlot {
  outcome: ScheduledOutcome;
  /** The set's drill when the schedule asked for one and the set was whole; null otherwise. */
  drill: { ok: boolean; error: string | null } | null;
}

export async function setSlotOutcome(engine: SetSlotEngine, schedule: Schedule, set: BackupSet, signal?: AbortSignal): Promise<SetSlot> {
  if (set.status !== 'completed') return { outcome: { status: 'failed', error: `backup set ${set.id} is ${set.status}: ${set.problems.join('; ')}` }, drill: null };
  if (!schedule.testRestore) return { outcome: { status: 'completed' }, drill: null };
  const result = await engine.sets.testRestore(set.id, signal ? { signal } : {});
  if (result.ok) return { outcome: { status: 'completed' }, drill: { ok: true, error: null } };
  const error = result.error ?? 'the restore drill failed';
  if (signal?.aborted) return { outcome: { status: 'interrupted', error }, drill: { ok: false, error } };
  const message = `backup set ${set.id} was taken, but its restore drill failed: ${error}`;
  await engine.events.emit({ kind: 'schedule.drillFailed', scheduleId: schedule.id, profile: schedule.profile, database: WHOLE_SERVER, message });
  return { outcome: { status: 'failed', error: message }, drill: { ok: false, error } };
}
