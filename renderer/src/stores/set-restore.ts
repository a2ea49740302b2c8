// Restoring a whole-server set: a target server, the databases to restore (--only), new databases
// (create) or replacing what is there (clean); a dry run previews every chosen database before
// anything changes, then the set's id typed (profile/id on a production target, as the engine asks).
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { ChannelInput, ChannelOutput, ErrorInfo } from '../api/types.ts';
import { useBackups } from './backups.ts';

export type SetRestoreResult = Extract<ChannelOutput<'restore.start'>, { kind: 'set' }>;

export interface SetRestoreChoices {
  setId: string;
  targetProfile: string;
  /** The databases to restore; all the set holds when every one is chosen. */
  only: string[];
  mode: 'create' | 'clean';
  terminateConnections: boolean;
}

type Step = 'choose' | 'preview' | 'running' | 'result';

interface SetRestoreState {
  step: Step;
  choices: SetRestoreChoices | null;
  preview: SetRestoreResult | null;
  busy: boolean;
  confirmText: string;
  result: SetRestoreResult | null;
  error: ErrorInfo | null;
  begin(choices: SetRestoreChoices): void;
  choose(change: Partial<SetRestoreChoices>): void;
  runPreview(): Promise<void>;
  setConfirmText(text: string): void;
  runRestore(production: boolean): Promise<void>;
  back(): void;
  cancel(): void;
}

/** What the user types: the set's id, or profile/id on a production target (the engine's own --confirm). */
export function setConfirmation(choices: Pick<SetRestoreChoices, 'setId' | 'targetProfile'>, production: boolean): string {
  return production ? `${choices.targetProfile}/${choices.setId}` : choices.setId;
}

export function setRestoreInput(choices: SetRestoreChoices, dryRun: boolean, confirm?: string): ChannelInput<'restore.start'> {
  return {
    ref: choices.setId,
    to: choices.targetProfile,
    only: choices.only,
    create: choices.mode === 'create',
    clean: choices.mode === 'clean',
    terminateConnections: choices.mode === 'clean' && choices.terminateConnections,
    dryRun,
    ...(confirm !== undefined ? { confirm } : {}),
  };
}

const asSetResult = (value: ChannelOutput<'restore.start'>): SetRestoreResult | null => ('kind' in value && value.kind === 'set' ? value : null);

let controller: AbortController | null = null;

export const useSetRestore = create<SetRestoreState>()((set, get) => ({
  step: 'choose',
  choices: null,
  preview: null,
  busy: false,
  confirmText: '',
  result: null,
  error: null,
  begin(choices) {
    if (get().step === 'running') return;
    set({ step: 'choose', choices, preview: null, busy: false, confirmText: '', result: null, error: null });
  },
  choose(change) {
    // A preview speaks for the choices it was taken with.
    set((state) => (state.choices ? { choices: { ...state.choices, ...change }, preview: null, confirmText: '', error: null } : {}));
  },
  async runPreview() {
    const { choices } = get();
    if (!choices) return;
    set({ busy: true, error: null, preview: null, confirmText: '' });
    const result = await api.call('restore.start', setRestoreInput(choices, true));
    if (result.ok && asSetResult(result.value)) set({ busy: false, preview: asSetResult(result.value), step: 'preview' });
    else set({ busy: false, error: result.ok ? { code: 'INTERNAL', message: `${choices.setId} was previewed as one backup, not as a set.` } : result.error });
  },
  setConfirmText(text) {
    set({ confirmText: text });
  },
  async runRestore(production) {
    const { choices, preview, confirmText } = get();
    if (!choices || !preview?.ok || confirmText !== setConfirmation(choices, production)) return;
    controller = new AbortController();
    set({ step: 'running', error: null, result: null });
    const result = await api.call('restore.start', setRestoreInput(choices, false, choices.mode === 'clean' ? confirmText : undefined), { signal: controller.signal });
    controller = null;
    if (result.ok) set({ step: 'result', result: asSetResult(result.value) });
    else set({ step: 'result', error: result.error });
    await useBackups.getState().load();
  },
  back() {
    set({ step: 'choose', error: null });
  },
  cancel() {
    controller?.abort();
  },
}));
