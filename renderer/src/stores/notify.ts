// The notification channels added in the app: listed, added, removed and tested through the contract.
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { ChannelInput, ChannelOutput, ErrorInfo } from '../api/types.ts';

export type NotifyChannel = ChannelOutput<'notify.list'>[number];
export type NewNotifyChannel = ChannelInput<'notify.add'>;

interface NotifyState {
  channels: NotifyChannel[] | null;
  error: ErrorInfo | null;
  /** The channel whose "Send test" is on its way. */
  testing: string | null;
  load(): Promise<void>;
  add(input: NewNotifyChannel): Promise<ErrorInfo | null>;
  remove(name: string): Promise<void>;
  test(name: string): Promise<void>;
}

export const useNotify = create<NotifyState>()((set, get) => ({
  channels: null,
  error: null,
  testing: null,
  async load() {
    const result = await api.call('notify.list', {});
    set(result.ok ? { channels: result.value, error: null } : { error: result.error });
  },
  async add(input) {
    const result = await api.call('notify.add', input);
    if (result.ok) await get().load();
    return result.ok ? null : result.error;
  },
  async remove(name) {
    const result = await api.call('notify.remove', { name });
    if (!result.ok) set({ error: result.error });
    await get().load();
  },
  async test(name) {
    set({ testing: name });
    const result = await api.call('notify.test', { name });
    set({ testing: null, ...(result.ok ? {} : { error: result.error }) });
    await get().load();
  },
}));
