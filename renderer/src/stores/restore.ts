// The restore wizard's state: choose a backup, a target, options; preview the impact with a dry run;
// type the database name; restore with progress; compare row counts.
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { BackupMetadata, ChannelInput, ChannelOutput, ErrorInfo } from '../api/types.ts';
import { HINT_ACTIONS, type HintAction } from '../../../main/core/model/hint-actions.ts';
import { useBackups } from './backups.ts';
import { plural } from '../lib/format.ts';

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
  /** The whole backup, or only the chosen tables or schemas (pg_restore -t / -n). */
  scope: 'all' | 'tables' | 'schemas';
  tables: string[];
  schemas: string[];
}

const INITIAL: RestoreChoices = {
  backupId: null,
  targetProfile: '',
  mode: 'new',
  database: '',
  dropExisting: false,
  noOwner: false,
  noAcl: false,
  jobs: 1,
  terminateConnections: false,
  scope: 'all',
  tables: [],
  schemas: [],
};

/** The databases on the chosen target's server (profile.databases), for the pick list and the new name. */
export type DatabaseList = { profile: string; status: 'loading' } | { profile: string; status: 'done'; names: string[] } | { profile: string; status: 'failed'; error: ErrorInfo };

/** `<db>_restored`, or `_restored_2`, `_3`… : never a database the server has; at most 63 bytes. */
export function unusedDatabaseName(database: string, taken: readonly string[]): string {
  const names = new Set(taken);
  const bytes = (text: string) => new TextEncoder().encode(text).length;
  for (let n = 1; ; n += 1) {
    const suffix = n === 1 ? '_restored' : `_restored_${n}`;
    let base = database;
    while (bytes(base + suffix) > 63) base = base.slice(0, -1);
    if (!names.has(base + suffix)) return base + suffix;
  }
}

/** What the engine's preview says will stop this restore, and the wizard's choices that lift it (when the wizard has them). */
export type Blocker = RestoreResult['impact']['blockers'][number] & { fix?: Partial<RestoreChoices> };

/** The wizard's own controls for the actions a blocker can name: what ticking them changes. */
const ACTION_CHOICES: Partial<Record<HintAction, Partial<RestoreChoices>>> = {
  'terminate-connections': { terminateConnections: true },
  'no-owner': { noOwner: true, noAcl: true },
  'skip-ownership': { noOwner: true },
  'skip-privileges': { noAcl: true },
};

/**
 * The wizard does not start what its own preview says will fail. The engine lists it (impact.blockers),
 * for the options the preview was taken with (a change of choices drops the preview).
 */
export function previewBlockers(preview: RestoreResult): Blocker[] {
  return preview.impact.blockers.map((blocker) => {
    const fix = blocker.action ? ACTION_CHOICES[blocker.action] : undefined;
    return fix ? { ...blocker, fix } : blocker;
  });
}

/** Beside a disabled Restore: why it cannot start and the controls that lift it, in words, not only a tooltip. */
export function startDisabledReason(blockers: readonly Blocker[]): string | undefined {
  if (!blockers.length) return undefined;
  const problems = `Can't start: ${plural(blockers.length, 'problem', 'problems')} above would make it fail.`;
  const actions = [...new Set(blockers.flatMap((blocker) => (blocker.fix && blocker.action ? [blocker.action] : [])))];
  if (!actions.length) return `${problems} No option in this wizard lifts ${blockers.length === 1 ? 'it' : 'them'}.`;
  const lifted = blockers.every((blocker) => blocker.fix) ? (blockers.length === 1 ? 'it' : 'them') : 'some';
  return `${problems} To lift ${lifted}: ${actions.map((action) => HINT_ACTIONS[action].app).join('; ')}, then preview again.`;
}

/** A blocker's fix as a button: the app's words for the action, then a fresh preview. */
export function fixLabel(action: HintAction): string {
  const words = HINT_ACTIONS[action].app;
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}, then preview again`;
}

interface RestoreState {
  step: WizardStep;
  choices: RestoreChoices;
  preview: RestoreResult | null;
  previewing: boolean;
  databases: DatabaseList | null;
  /** The chosen backup's full record: its tables and schemas for a partial restore. */
  backup: BackupMetadata | null;
  confirmText: string;
  phases: string[];
  result: RestoreResult | null;
  error: ErrorInfo | null;
  begin(backupId: string | null): void;
  loadDatabases(profile: string): Promise<void>;
  loadBackup(id: string): Promise<void>;
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
    ...(choices.scope === 'tables' ? { tables: choices.tables } : {}),
    ...(choices.scope === 'schemas' ? { schemas: choices.schemas } : {}),
    dryRun,
    ...(confirm !== undefined ? { confirm } : {}),
  };
}

let controller: AbortController | null = null;

/** A wizard with nothing chosen yet: where it starts, and where begin() puts it back. */
const FRESH: Pick<RestoreState, 'step' | 'choices' | 'preview' | 'previewing' | 'databases' | 'backup' | 'confirmText' | 'phases' | 'result' | 'error'> = {
  step: 'backup',
  choices: INITIAL,
  preview: null,
  previewing: false,
  databases: null,
  backup: null,
  confirmText: '',
  phases: [],
  result: null,
  error: null,
};

export const useRestore = create<RestoreState>()((set, get) => ({
  ...FRESH,
  begin(backupId) {
    if (get().step === 'running') return;
    set({ ...FRESH, step: backupId ? 'target' : 'backup', choices: { ...INITIAL, backupId } });
  },
  async loadDatabases(profile) {
    const current = get().databases;
    if (current?.profile === profile && current.status !== 'failed') return;
    set({ databases: { profile, status: 'loading' } });
    const result = await api.call('profile.databases', { name: profile });
    if (get().databases?.profile !== profile) return;
    set({ databases: result.ok ? { profile, status: 'done', names: result.value.map((db) => db.name) } : { profile, status: 'failed', error: result.error } });
  },
  async loadBackup(id) {
    if (get().backup?.id === id) return;
    const result = await api.call('backup.show', { ref: id });
    if (result.ok && get().choices.backupId === id) set({ backup: result.value });
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
    set({ previewing: false, error: result.error });
    return false;
  },
  setConfirmText(text) {
    set({ confirmText: text });
  },
  async runRestore() {
    const state = get();
    if (!state.preview || state.confirmText !== expectedConfirmation(state)) return;
    if (previewBlockers(state.preview).length > 0) return;
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
