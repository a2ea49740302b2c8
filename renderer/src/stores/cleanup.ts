// "Run cleanup now": the engine's dry run first (the files retention would delete, each with why),
// then, on confirm, a run that deletes only what was shown (backup.cleanup onlyIds): a backup that
// fell out of its window while the list was open waits for the next run instead of going unseen.
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { ChannelOutput, ErrorInfo } from '../api/types.ts';
import { useBackupPages } from './backup-pages.ts';

export type CleanupSummary = ChannelOutput<'backup.cleanup'>;
export type CleanupDecision = CleanupSummary['profiles'][number]['decisions'][number];

interface CleanupState {
  status: 'idle' | 'previewing' | 'ready' | 'deleting' | 'done' | 'failed';
  /** The dry run's deletions, in the order the engine planned them. */
  toDelete: CleanupDecision[];
  result: CleanupSummary | null;
  error: ErrorInfo | null;
  preview(): Promise<void>;
  confirm(): Promise<void>;
  close(): void;
}

export const deletionsOf = (summary: CleanupSummary): CleanupDecision[] => summary.profiles.flatMap((profile) => profile.decisions.filter((decision) => decision.action === 'delete'));

export const useCleanup = create<CleanupState>()((set, get) => ({
  status: 'idle',
  toDelete: [],
  result: null,
  error: null,
  async preview() {
    set({ status: 'previewing', toDelete: [], result: null, error: null });
    const answer = await api.call('backup.cleanup', { dryRun: true });
    set(answer.ok ? { status: 'ready', toDelete: deletionsOf(answer.value) } : { status: 'failed', error: answer.error });
  },
  async confirm() {
    const onlyIds = get().toDelete.map((decision) => decision.id);
    set({ status: 'deleting' });
    const answer = await api.call('backup.cleanup', { dryRun: false, onlyIds });
    set(answer.ok ? { status: 'done', result: answer.value } : { status: 'failed', error: answer.error });
    await useBackupPages.getState().refresh();
  },
  close() {
    set({ status: 'idle', toDelete: [], result: null, error: null });
  },
}));
