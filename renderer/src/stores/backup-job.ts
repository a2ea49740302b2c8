// The manual backup ("Back up now"): one at a time from this window, with live progress and a
// Cancel that ends pg_dump (the engine removes its temp file and records the run as interrupted).
// Under `holdfast serve` the backup runs in the server: a reloaded page finds it (resume) and shows
// its progress again until it ends.
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { CallOptions, ChannelInput, ChannelOutput, Envelope, ErrorInfo, OperationView, ProgressEvent } from '../api/types.ts';
import { useBackups } from './backups.ts';
import { useOverview } from './overview.ts';

export type BackupProgress = Extract<ProgressEvent, { operation: 'backup' }>['progress'];
/** One backup, or for a whole-server profile the set (backup.take decides by the profile). */
export type TakenResult = ChannelOutput<'backup.take'>;
export type BackupOptions = NonNullable<ChannelInput<'backup.create'>['options']>;

interface BackupJobState {
  status: 'idle' | 'running' | 'done' | 'failed' | 'cancelled';
  profile: string | null;
  startedAt: number | null;
  progress: BackupProgress | null;
  /** A whole-server set's members as they go: each database's latest report (its phase, or 'failed'). */
  databases: Record<string, BackupProgress>;
  result: TakenResult | null;
  error: ErrorInfo | null;
  /** copyTo: the destinations to copy this backup to (left out: the profile's own). */
  start(profile: string, options: BackupOptions, copyTo?: string[]): Promise<void>;
  /** After a reload: follows the newest backup this user started that is still running in the server, if any. */
  resume(): Promise<void>;
  cancel(): void;
  reset(): void;
}

let controller: AbortController | null = null;

/**
 * What the run has written so far: a whole-server set's members each report their own bytes, and the
 * set's own reports carry none (its Written tile said 0 B while its databases were being dumped).
 */
export function writtenBytes(job: Pick<BackupJobState, 'progress' | 'databases'>): number {
  const members = Object.values(job.databases);
  return members.length ? members.reduce((sum, member) => sum + member.bytes, 0) : (job.progress?.bytes ?? 0);
}

type BackupOperation = Extract<OperationView, { channel: 'backup.create' | 'backup.take' }>;

export const useBackupJob = create<BackupJobState>()((set, get) => {
  /** Shows a backup running until it ends, then what it ended with. */
  async function follow(profile: string, startedAt: number, progress: BackupProgress | null, run: (options: CallOptions) => Promise<Envelope<TakenResult>>) {
    controller = new AbortController();
    set({ status: 'running', profile, startedAt, progress, databases: {}, result: null, error: null });
    const result = await run({
      signal: controller.signal,
      onProgress: (event) => {
        if (event.operation !== 'backup') return;
        const { database } = event.progress;
        set((state) => ({ progress: event.progress, ...(database === undefined ? {} : { databases: { ...state.databases, [database]: event.progress } }) }));
      },
    });
    controller = null;
    if (result.ok) set({ status: 'done', result: result.value });
    else set({ status: result.error.code === 'CANCELLED' ? 'cancelled' : 'failed', error: result.error });
    // The overview's totals and per-profile health come from backup.stats and backup.health, not the
    // list: without this, the page under the dialog still showed the counts from before the backup.
    await Promise.all([useBackups.getState().load(), useOverview.getState().loadHealth()]);
  }

  return {
    status: 'idle',
    profile: null,
    startedAt: null,
    progress: null,
    databases: {},
    result: null,
    error: null,
    async start(profile, options, copyTo) {
      if (get().status === 'running') return;
      await follow(profile, Date.now(), null, (callOptions) => api.call('backup.take', { profile, options, ...(copyTo ? { copyTo } : {}) }, callOptions));
    },
    async resume() {
      if (get().status === 'running') return;
      const listed = await api.operations();
      if (!listed.ok) return;
      const running = listed.value
        .filter((operation): operation is BackupOperation => (operation.channel === 'backup.create' || operation.channel === 'backup.take') && operation.state === 'running')
        .at(-1);
      // Started here meanwhile (the answer took a moment): that one is shown already.
      if (!running || get().status === 'running') return;
      const progress = running.progress?.operation === 'backup' ? running.progress.progress : null;
      await follow(running.input.profile, Date.parse(running.startedAt), progress, (options) => api.attach(running, options) as Promise<Envelope<TakenResult>>);
    },
    cancel() {
      controller?.abort();
    },
    reset() {
      if (get().status !== 'running') set({ status: 'idle', profile: null, startedAt: null, progress: null, databases: {}, result: null, error: null });
    },
  };
});
