// Connection profiles: the list, add/edit/remove, and each profile's latest connection test.
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { ChannelInput, ChannelOutput, Envelope, ErrorInfo } from '../api/types.ts';

export type Profile = ChannelOutput<'profile.list'>[number];
export type ProfileTestReport = ChannelOutput<'profile.test'>;
export type NewProfile = ChannelInput<'profile.add'>;

const CONNECTION_FIELDS = ['name', 'host', 'port', 'user', 'dbname', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'service', 'pgBinDir'] as const;

export type TestState = { status: 'running' } | { status: 'passed'; report: ProfileTestReport } | { status: 'failed'; error: ErrorInfo };

interface ProfilesState {
  profiles: Profile[];
  loaded: boolean;
  error: ErrorInfo | null;
  tests: Record<string, TestState>;
  /** The add/edit form, open from anywhere ("Add a connection" on an empty dashboard). */
  form: { mode: 'add' } | { mode: 'edit'; name: string } | null;
  openForm(name?: string): void;
  closeForm(): void;
  load(): Promise<void>;
  add(input: NewProfile): Promise<Envelope<Profile>>;
  edit(name: string, changes: ChannelInput<'profile.edit'>['changes'], password?: string): Promise<Envelope<Profile>>;
  remove(name: string, backups: 'keep' | 'delete'): Promise<Envelope<ChannelOutput<'profile.remove'>>>;
  test(name: string): Promise<void>;
  /** The form's "Test connection": the connection as typed, nothing saved (the typed password is used once). */
  testDraft(input: ChannelInput<'profile.testDraft'>): Promise<Envelope<ProfileTestReport>>;
  /** Edit's "Forget password": removes the stored password from the keychain (audited by the engine). */
  forgetPassword(name: string): Promise<Envelope<Profile>>;
}

export const useProfiles = create<ProfilesState>()((set, get) => ({
  profiles: [],
  loaded: false,
  error: null,
  tests: {},
  form: null,
  openForm: (name) => set({ form: name === undefined ? { mode: 'add' } : { mode: 'edit', name } }),
  closeForm: () => set({ form: null }),
  async load() {
    const result = await api.call('profile.list', {});
    if (result.ok) set({ profiles: result.value, loaded: true, error: null });
    else set({ error: result.error, loaded: true });
  },
  async add(input) {
    const result = await api.call('profile.add', input);
    if (result.ok) await get().load();
    return result;
  },
  async edit(name, changes, password) {
    const result = await api.call('profile.edit', { name, changes, ...(password ? { password } : {}) });
    if (result.ok) {
      // A test result speaks for the connection as it was tested; notes or tags do not change that.
      const connectionChanged = password !== undefined || CONNECTION_FIELDS.some((field) => field in changes);
      if (connectionChanged) {
        const { [name]: _dropped, ...tests } = get().tests;
        set({ tests });
      }
      await get().load();
    }
    return result;
  },
  testDraft(input) {
    return api.call('profile.testDraft', input);
  },
  async forgetPassword(name) {
    const result = await api.call('profile.edit', { name, changes: {}, forgetPassword: true });
    if (result.ok) {
      const { [name]: _dropped, ...tests } = get().tests;
      set({ tests });
      await get().load();
    }
    return result;
  },
  async remove(name, backups) {
    const result = await api.call('profile.remove', { name, backups });
    if (result.ok) await get().load();
    return result;
  },
  async test(name) {
    set((state) => ({ tests: { ...state.tests, [name]: { status: 'running' } } }));
    const result = await api.call('profile.test', { name });
    set((state) => ({ tests: { ...state.tests, [name]: result.ok ? { status: 'passed', report: result.value } : { status: 'failed', error: result.error } } }));
  },
}));
