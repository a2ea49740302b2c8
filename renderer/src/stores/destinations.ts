// Destinations: the named places beyond the backup directory where copies go (list, add, edit, test,
// remove), and a backup's copies re-read on demand. Only through the contract client.
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { ChannelInput, ChannelOutput, Envelope, ErrorInfo } from '../api/types.ts';

export type Destination = ChannelOutput<'destination.list'>[number];
export type DestinationTest = ChannelOutput<'destination.test'>;
export type CopiesCheck = ChannelOutput<'backup.verifyCopies'>;

interface DestinationsState {
  destinations: Destination[];
  loaded: boolean;
  error: ErrorInfo | null;
  /** The last test of each destination, by name: passed, or its error. */
  tests: Record<string, { ok: true; report: DestinationTest } | { ok: false; error: ErrorInfo } | 'running'>;
  load(): Promise<void>;
  add(input: ChannelInput<'destination.add'>): Promise<Envelope<Destination>>;
  /** Changes a destination (its retention, from the Destinations page); the list is reloaded on success. */
  edit(input: ChannelInput<'destination.edit'>): Promise<Envelope<Destination>>;
  test(name: string): Promise<void>;
  remove(name: string): Promise<void>;
  /** Re-reads every copy of a backup and compares it with the backup's checksum. */
  recheckCopies(ref: string): Promise<Envelope<CopiesCheck>>;
}

export const useDestinations = create<DestinationsState>()((set, get) => ({
  destinations: [],
  loaded: false,
  error: null,
  tests: {},
  async load() {
    const result = await api.call('destination.list', {});
    if (result.ok) set({ destinations: result.value, loaded: true, error: null });
    else set({ error: result.error, loaded: true });
  },
  async add(input) {
    const result = await api.call('destination.add', input);
    if (result.ok) await get().load();
    return result;
  },
  async edit(input) {
    const result = await api.call('destination.edit', input);
    if (result.ok) await get().load();
    return result;
  },
  async test(name) {
    set((state) => ({ tests: { ...state.tests, [name]: 'running' } }));
    const result = await api.call('destination.test', { name });
    set((state) => ({ tests: { ...state.tests, [name]: result.ok ? { ok: true, report: result.value } : { ok: false, error: result.error } } }));
    // The catalogue keeps it as the destination's last test: the list says so from now on.
    await get().load();
  },
  async remove(name) {
    const result = await api.call('destination.remove', { name });
    set({ error: result.ok ? null : result.error });
    await get().load();
  },
  recheckCopies: (ref) => api.call('backup.verifyCopies', { ref }),
}));
