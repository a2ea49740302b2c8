// A whole-server set's actions from its details panel: verify every member (backup.check), the
// whole-set restore drill (drill.start), and delete the set whole (backup.delete with its id). Each
// answer is the set's own result; the list is read again after, for what the catalogue recorded.
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { ChannelOutput, Envelope, ErrorInfo } from '../api/types.ts';
import { useBackups } from './backups.ts';

type SetResult<R> = Extract<R, { kind: 'set' }>;
export type SetVerifyResult = SetResult<ChannelOutput<'backup.check'>>;
export type SetDrillResult = SetResult<ChannelOutput<'drill.start'>>;

export type SetActionState =
  | { kind: 'verify' | 'drill'; status: 'running'; controller: AbortController }
  | { kind: 'verify'; status: 'done'; result: SetVerifyResult }
  | { kind: 'drill'; status: 'done'; result: SetDrillResult }
  | { kind: 'verify' | 'drill'; status: 'failed'; error: ErrorInfo };

interface SetsState {
  actions: Record<string, SetActionState>;
  verify(setId: string): Promise<void>;
  testRestore(setId: string): Promise<void>;
  cancel(setId: string): void;
  remove(setId: string, confirm: string): Promise<Envelope<ChannelOutput<'backup.delete'>>>;
}

/** A set's id names a set: the engine's answer is a set's result; anything else is a contract drift worth saying. */
function asSet<R extends { kind?: unknown }>(value: unknown): R | null {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'set' ? (value as R) : null;
}

export const useSets = create<SetsState>()((set, get) => {
  async function run(setId: string, kind: 'verify' | 'drill') {
    if (get().actions[setId]?.status === 'running') return;
    const controller = new AbortController();
    set((state) => ({ actions: { ...state.actions, [setId]: { kind, status: 'running', controller } } }));
    const options = { signal: controller.signal };
    const result = kind === 'verify' ? await api.call('backup.check', { ref: setId }, options) : await api.call('drill.start', { ref: setId }, options);
    let next: SetActionState;
    if (!result.ok) next = { kind, status: 'failed', error: result.error };
    else if (kind === 'verify') {
      const value = asSet<SetVerifyResult>(result.value);
      next = value ? { kind, status: 'done', result: value } : { kind, status: 'failed', error: { code: 'INTERNAL', message: `${setId} was verified as one backup, not as a set.` } };
    } else {
      const value = asSet<SetDrillResult>(result.value);
      next = value ? { kind, status: 'done', result: value } : { kind, status: 'failed', error: { code: 'INTERNAL', message: `${setId} was drilled as one backup, not as a set.` } };
    }
    set((state) => ({ actions: { ...state.actions, [setId]: next } }));
    // Each member's verify and drill verdict is on record: the rows show them.
    await useBackups.getState().load();
  }

  return {
    actions: {},
    verify: (setId) => run(setId, 'verify'),
    testRestore: (setId) => run(setId, 'drill'),
    cancel(setId) {
      const action = get().actions[setId];
      if (action?.status === 'running') action.controller.abort();
    },
    async remove(setId, confirm) {
      const result = await api.call('backup.delete', { ref: setId, confirm });
      if (result.ok) {
        const backups = useBackups.getState();
        if (backups.selectedId === setId) backups.select(null);
        await backups.load();
      }
      return result;
    },
  };
});
