// The manual backup ("Back up now"): one at a time from this window, with live progress and a
// Cancel that ends pg_dump (the engine removes its temp file and records the run as interrupted).
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { ChannelInput, ChannelOutput, ErrorInfo, ProgressEvent } from '../api/types.ts';
import { useBackups } from './backups.ts';
import { useOverview } from './overview.ts';

export type BackupProgress = Extract<ProgressEvent, { operation: 'backup' }>['progress'];
export type BackupOptions = NonNullable<ChannelInput<'backup.create'>['options']>;

interface BackupJobState {
  status: 'idle' | 'running' | 'done' | 'failed' | 'cancelled';
  profile: string | null;
  startedAt: number | null;
  progress: BackupProgress | null;
  result: ChannelOutput<'backup.create'> | null;
  error: ErrorInfo | null;
  start(profile: string, options: BackupOptions): Promise<void>;
  cancel(): void;
  reset(): void;
}

let controller: AbortController | null = null;

export const useBackupJob = create<BackupJobState>()((set, get) => ({
  status: 'idle',
  profile: null,
  startedAt: null,
  progress: null,
  result: null,
  error: null,
  async start(profile, options) {
    if (get().status === 'running') return;
    controller = new AbortController();
    set({ status: 'running', profile, startedAt: Date.now(), progress: null, result: null, error: null });
    const result = await api.call(
      'backup.create',
      { profile, options },
      {
        signal: controller.signal,
        onProgress: (event) => {
          if (event.operation === 'backup') set({ progress: event.progress });
        },
      },
    );
    controller = null;
    if (result.ok) set({ status: 'done', result: result.value });
    else set({ status: result.error.code === 'CANCELLED' ? 'cancelled' : 'failed', error: result.error });
    // The overview's totals and per-profile health come from backup.stats and backup.health, not the
    // list: without this, the page under the dialog still showed the counts from before the backup.
    await Promise.all([useBackups.getState().load(), useOverview.getState().loadHealth()]);
  },
  cancel() {
    controller?.abort();
  },
  reset() {
    if (get().status !== 'running') set({ status: 'idle', profile: null, startedAt: null, progress: null, result: null, error: null });
  },
}));
