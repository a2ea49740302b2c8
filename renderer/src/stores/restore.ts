// The restore wizard's state: choose a backup, a target, options; preview the impact with a dry run;
// type the database name; restore with progress; compare row counts.
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { ChannelInput, ChannelOutput, ErrorInfo } from '../api/types.ts';
import { useBackups } from './backups.ts';

export type RestoreResult = ChannelOutput<'backup.restore'>;
export type WizardStep = 'backup' | 'target' | 'options' | 'preview' | 'running' | 'result';
export const WIZARD_STEPS: ReadonlyArray<{ step: WizardStep; label: string }> = [
  { step: 'backup', label: 'Backup' },
  { step: 'target', label: 'Target' },
  { step: 'options', label: 'Options' },
  { step: 'preview', label: 'Review' },
  { step: 'running', label: 'Restore' },
  { step: 'result', label: 'Result' },
];

export interface RestoreChoices {
  backupId: string | null;
  targetProfile: string;
  mode: 'new' | 'existing';
  database: string;
  /** Replace what is there (engine: --clean, restored aside and swapped in, then the old one dropped). */
  dropExisting: boolean;
  noOwner: boolean;
  noAcl: boolean;
  jobs: number;
  terminateConnections: boolean;
}

const INITIAL: RestoreChoices = { backupId: null, targetProfile: '', mode: 'new', database: '', dropExisting: false, noOwner: false, noAcl: false, jobs: 1, terminateConnections: false };

interface RestoreState {
  step: WizardStep;
  choices: RestoreChoices;
  preview: RestoreResult | null;
  previewing: boolean;
  confirmText: string;
  phases: string[];
  result: RestoreResult | null;
  error: ErrorInfo | null;
  begin(backupId: string | null): void;
  choose(change: Partial<RestoreChoices>): void;
  goTo(step: WizardStep): void;
  runPreview(): Promise<boolean>;
  setConfirmText(text: string): void;
  runRestore(): Promise<void>;
  cancel(): void;
}

/** What the user must type: the engine's own confirmation when it asks for one, else the database name. */
export function expectedConfirmation(state: Pick<RestoreState, 'preview' | 'choices'>): string {
  return state.preview?.impact.confirmation ?? state.choices.database;
}

/**
 * The engine's refusals name CLI flags in their hints (--clean, --create, --dbname); in the wizard
 * those are a checkbox and a choice on an earlier step, so the hint says those instead.
 */
export function wizardError(error: ErrorInfo): ErrorInfo {
  if (error.code !== 'RESTORE_REFUSED') return error;
  if (/ is not empty \(/.test(error.message)) {
    return { ...error, hint: 'To replace it, tick "Replace what is in the database (drop existing)" above. To keep it, go back and choose "Create a new database".' };
  }
  if (/ does not exist on /.test(error.message)) {
    return { ...error, hint: 'Go back and choose "Create a new database", or name a database that exists on that server.' };
  }
  return error;
}

export function restoreInput(choices: RestoreChoices, dryRun: boolean, confirm?: string): ChannelInput<'backup.restore'> {
  return {
    ref: choices.backupId ?? '',
    to: choices.targetProfile,
    dbname: choices.database,
    create: choices.mode === 'new',
    clean: choices.mode === 'existing' && choices.dropExisting,
    noOwner: choices.noOwner,
    noAcl: choices.noAcl,
    ...(choices.jobs > 1 ? { jobs: choices.jobs } : {}),
    terminateConnections: choices.mode === 'existing' && choices.terminateConnections,
    dryRun,
    ...(confirm !== undefined ? { confirm } : {}),
  };
}

let controller: AbortController | null = null;

export const useRestore = create<RestoreState>()((set, get) => ({
  step: 'backup',
  choices: INITIAL,
  preview: null,
  previewing: false,
  confirmText: '',
  phases: [],
  result: null,
  error: null,
  begin(backupId) {
    if (get().step === 'running') return;
    set({ step: backupId ? 'target' : 'backup', choices: { ...INITIAL, backupId }, preview: null, previewing: false, confirmText: '', phases: [], result: null, error: null });
  },
  choose(change) {
    // Any change invalidates a preview taken with the old choices.
    set((state) => ({ choices: { ...state.choices, ...change }, preview: null, confirmText: '', error: null }));
  },
  goTo(step) {
    set({ step, error: null });
  },
  async runPreview() {
    set({ previewing: true, error: null, preview: null, confirmText: '' });
    const result = await api.call('backup.restore', restoreInput(get().choices, true));
    if (result.ok) {
      set({ previewing: false, preview: result.value, step: 'preview' });
      return true;
    }
    set({ previewing: false, error: wizardError(result.error) });
    return false;
  },
  setConfirmText(text) {
    set({ confirmText: text });
  },
  async runRestore() {
    const state = get();
    if (!state.preview || state.confirmText !== expectedConfirmation(state)) return;
    controller = new AbortController();
    set({ step: 'running', phases: [], error: null, result: null });
    const needsConfirm = state.preview.impact.confirmation !== null;
    const result = await api.call('backup.restore', restoreInput(state.choices, false, needsConfirm ? state.confirmText : undefined), {
      signal: controller.signal,
      onProgress: (event) => {
        if (event.operation === 'restore') set((s) => ({ phases: [...s.phases, event.phase] }));
      },
    });
    controller = null;
    if (result.ok) set({ step: 'result', result: result.value });
    else set({ step: 'result', error: result.error });
    await useBackups.getState().load();
  },
  cancel() {
    controller?.abort();
  },
}));
