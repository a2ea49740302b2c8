// Schedules: list, add (preset or cron), pause/resume/remove, and the retention preview.
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { ChannelInput, ChannelOutput, Envelope, ErrorInfo, ProgressEvent } from '../api/types.ts';

export type Schedule = ChannelOutput<'schedule.list'>[number];
export type RetentionPreview = ChannelOutput<'retention.preview'>;
export type SchedulingStatus = ChannelOutput<'schedule.hosts'>;
export type RunNowResult = ChannelOutput<'schedule.runNow'>;
type BackupProgress = Extract<ProgressEvent, { operation: 'backup' }>['progress'];

/** A Run now in flight (with the backup's progress as it comes), or how it ended. */
export type RunNowState = { status: 'running'; progress: BackupProgress | null } | { status: 'done'; result: RunNowResult } | { status: 'failed'; error: ErrorInfo };

interface SchedulesState {
  schedules: Schedule[];
  /** Who runs the schedules (their heartbeats), or that nothing does: loaded with the list. */
  hosts: SchedulingStatus | null;
  loaded: boolean;
  error: ErrorInfo | null;
  busy: Record<string, boolean>;
  runs: Record<string, RunNowState>;
  load(): Promise<void>;
  add(input: ChannelInput<'schedule.add'>): Promise<Envelope<Schedule>>;
  edit(input: ChannelInput<'schedule.edit'>): Promise<Envelope<Schedule>>;
  /** Runs the schedule's backup in the engine (under serve, in the server) and follows its progress. */
  runNow(id: string): Promise<void>;
  setEnabled(id: string, enabled: boolean): Promise<void>;
  remove(id: string): Promise<void>;
  /** cadence: the schedule's preset or cron and zone, which the year of backups is simulated at. */
  preview(policy: string, profile: string | undefined, cadence: { type: Schedule['type']; cron: string; timeZone: string }): Promise<Envelope<RetentionPreview>>;
}

export const useSchedules = create<SchedulesState>()((set, get) => ({
  schedules: [],
  hosts: null,
  loaded: false,
  error: null,
  busy: {},
  runs: {},
  async load() {
    const [result, hosts] = await Promise.all([api.call('schedule.list', {}), api.call('schedule.hosts', {})]);
    if (hosts.ok) set({ hosts: hosts.value });
    if (result.ok) set({ schedules: result.value, loaded: true, error: null });
    else set({ error: result.error, loaded: true });
  },
  async add(input) {
    const result = await api.call('schedule.add', input);
    if (result.ok) await get().load();
    return result;
  },
  async edit(input) {
    const result = await api.call('schedule.edit', input);
    if (result.ok) await get().load();
    return result;
  },
  async runNow(id) {
    const setRun = (run: RunNowState) => set((state) => ({ runs: { ...state.runs, [id]: run } }));
    setRun({ status: 'running', progress: null });
    await get().load();
    const result = await api.call(
      'schedule.runNow',
      { id },
      {
        onProgress: (event) => {
          if (event.operation === 'backup') setRun({ status: 'running', progress: event.progress });
        },
      },
    );
    setRun(result.ok ? { status: 'done', result: result.value } : { status: 'failed', error: result.error });
    await get().load();
  },
  async setEnabled(id, enabled) {
    set((state) => ({ busy: { ...state.busy, [id]: true } }));
    const result = await api.call(enabled ? 'schedule.resume' : 'schedule.pause', { id });
    set((state) => ({ busy: { ...state.busy, [id]: false }, error: result.ok ? null : result.error }));
    await get().load();
  },
  async remove(id) {
    const result = await api.call('schedule.remove', { id });
    set({ error: result.ok ? null : result.error });
    await get().load();
  },
  preview: (policy, profile, cadence) =>
    api.call('retention.preview', { policy, ...(profile ? { profile } : {}), type: cadence.type, ...(cadence.type === 'custom' ? { cron: cadence.cron } : {}), timeZone: cadence.timeZone }),
}));
