// The backup catalogue as the Backups table shows it, plus the per-backup actions (verify, restore
// drill, delete) and their latest results.
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { BackupMetadata, ChannelOutput, Envelope, ErrorInfo } from '../api/types.ts';
import type { BackupRow } from '../lib/backup-rows.ts';
import { findRow, listToRows, type SetListItem } from '../lib/set-rows.ts';
import { findRow as findPageRow, useBackupPages } from './backup-pages.ts';

export type VerifyResult = ChannelOutput<'backup.verify'>;
export type DrillResult = ChannelOutput<'backup.testRestore'>;

export type ActionState =
  | { kind: 'verify' | 'testRestore'; status: 'running'; controller: AbortController }
  | { kind: 'verify'; status: 'done'; result: VerifyResult }
  | { kind: 'testRestore'; status: 'done'; result: DrillResult }
  | { kind: 'verify' | 'testRestore'; status: 'failed'; error: ErrorInfo };

export type PinState = { status: 'running' } | { status: 'failed'; error: ErrorInfo };

/** The selected backup's full record (tables, row counts, options…), which the list leaves out. */
export type DetailState = { id: string; status: 'loading' } | { id: string; status: 'done'; backup: ChannelOutput<'backup.show'> } | { id: string; status: 'failed'; error: ErrorInfo };

interface BackupsState {
  /**
   * The whole list, for the pages that need all of it (Overview, Activity, the restore wizard, the
   * last-usable check before a delete). The Backups table does not: it reads backup-pages.ts.
   */
  rows: BackupRow[];
  loaded: boolean;
  error: ErrorInfo | null;
  selectedId: string | null;
  /** Whole-server sets shown with their members under them. */
  expanded: ReadonlySet<string>;
  detail: DetailState | null;
  actions: Record<string, ActionState>;
  /** A pin or unpin on its way, or the error it came back with. */
  pinning: Record<string, PinState>;
  /**
   * Asks for the catalogue now: after a change (a backup, a delete, a verify), so the answer includes it:
   * the Backups table's pages, and the whole list when a page has asked for it (loadOrJoin) before.
   * Summaries only (fields: 'summary'): with 10,000 backups the full records were ~13 MB of JSON the
   * table never shows; the details panel asks for its one backup.
   */
  load(): Promise<void>;
  /**
   * What a page does when it opens: joins a load already in flight, else starts one. At start-up the
   * app and the first page both ask; with 10,000 backups each answer is ~13 MB of JSON that the
   * server builds on its one thread, so a second copy delayed the first rows by 0.3–0.8 s (`npm run bench`, row 7).
   */
  loadOrJoin(): Promise<void>;
  select(id: string | null): void;
  toggleExpanded(setId: string, open?: boolean): void;
  /** Asks for one backup's full record (backup.show) for the details panel, unless it is here or on its way. */
  loadDetail(id: string): void;
  verify(id: string): Promise<void>;
  testRestore(id: string): Promise<void>;
  cancelAction(id: string): void;
  /** Pins (kept whatever the retention policy) or unpins; the row shows the answer at once. */
  setPinned(id: string, pinned: boolean): Promise<void>;
  remove(id: string, confirm: string): Promise<Envelope<ChannelOutput<'backup.delete'>>>;
}

export const useBackups = create<BackupsState>()((set, get) => {
  let inFlight: Promise<void> | null = null;

  function loadAll(): Promise<void> {
    const loading = (async () => {
      // Each whole-server set is one entry with its members nested (lib/set-rows.ts).
      const result = await api.call('set.list', { all: true, fields: 'summary' });
      // The contract's output type covers both fields; 'summary' never answers full records.
      if (result.ok) set({ rows: listToRows(result.value as SetListItem[]), loaded: true, error: null });
      else set({ error: result.error, loaded: true });
    })();
    inFlight = loading;
    const forget = () => {
      if (inFlight === loading) inFlight = null;
    };
    loading.then(forget, forget);
    return loading;
  }

  async function run(id: string, kind: 'verify' | 'testRestore') {
    const controller = new AbortController();
    set((state) => ({ actions: { ...state.actions, [id]: { kind, status: 'running', controller } } }));
    const options = { signal: controller.signal };
    const result = kind === 'verify' ? await api.call('backup.verify', { ref: id }, options) : await api.call('backup.testRestore', { ref: id }, options);
    const next: ActionState = result.ok
      ? kind === 'verify'
        ? { kind, status: 'done', result: result.value as VerifyResult }
        : { kind, status: 'done', result: result.value as DrillResult }
      : { kind, status: 'failed', error: result.error };
    set((state) => ({ actions: { ...state.actions, [id]: next } }));
    // The catalogue records the outcome on the backup (lastVerified, restoreTest).
    await get().load();
  }

  return {
    rows: [],
    loaded: false,
    error: null,
    selectedId: null,
    expanded: new Set(),
    detail: null,
    actions: {},
    pinning: {},
    load() {
      const wholeList = get().loaded || inFlight ? loadAll() : Promise.resolve();
      return Promise.all([wholeList, useBackupPages.getState().refresh()]).then(() => undefined);
    },
    loadOrJoin() {
      return inFlight ?? loadAll();
    },
    select(id) {
      set({ selectedId: id });
    },
    toggleExpanded(setId, open) {
      set((state) => {
        const expanded = new Set(state.expanded);
        if (open ?? !expanded.has(setId)) expanded.add(setId);
        else expanded.delete(setId);
        return { expanded };
      });
    },
    loadDetail(id) {
      const { detail } = get();
      if (detail?.id === id && detail.status !== 'failed') return;
      set({ detail: { id, status: 'loading' } });
      void api.call('backup.show', { ref: id }).then((result) => {
        // A later selection has its own request; this answer is for a row no longer shown.
        if (get().detail?.id !== id) return;
        set({ detail: result.ok ? { id, status: 'done', backup: result.value } : { id, status: 'failed', error: result.error } });
      });
    },
    verify: (id) => run(id, 'verify'),
    testRestore: (id) => run(id, 'testRestore'),
    cancelAction(id) {
      const action = get().actions[id];
      if (action?.status === 'running') action.controller.abort();
    },
    async setPinned(id, pinned) {
      set((state) => ({ pinning: { ...state.pinning, [id]: { status: 'running' } } }));
      const result = await api.call('backup.pin', { ref: id, pinned });
      set((state) => {
        const { [id]: _done, ...pinning } = state.pinning;
        if (!result.ok) return { pinning: { ...pinning, [id]: { status: 'failed', error: result.error } } };
        const value = result.value.pinned === true;
        useBackupPages.setState((pages) => ({ pages: Object.fromEntries(Object.entries(pages.pages).map(([page, rows]) => [page, rows.map((row) => withPin(row, id, value))])) }));
        return {
          pinning,
          rows: state.rows.map((row) => withPin(row, id, value)),
          detail: state.detail?.id === id && state.detail.status === 'done' ? { ...state.detail, backup: { ...state.detail.backup, ...result.value } } : state.detail,
        };
      });
      // A set member's pin keeps its whole set: the set's row says so once the list is read again.
      if (result.ok && (findRow(get().rows, id) ?? findPageRow(useBackupPages.getState().pages, id))?.memberOf) await get().load();
    },
    async remove(id, confirm) {
      const result = await api.call('backup.delete', { ref: id, confirm });
      if (result.ok) {
        set((state) => (state.selectedId === id ? { selectedId: null, detail: null } : {}));
        await get().load();
      }
      return result;
    },
  };
});

function withPin(row: BackupRow, id: string, pinned: boolean): BackupRow {
  return row.id === id && row.backup ? { ...row, pinned, backup: { ...row.backup, pinned } } : row;
}
