// Which page is showing (kept in the URL hash, so a reload stays put and Back works), and the two
// app-wide dialogs: "Back up now" and the restore wizard.
import { create } from 'zustand';
import { pageFromHash, type Page } from '../lib/pages.ts';

interface NavState {
  page: Page;
  navigate(page: Page): void;
  /** Follows the address bar (Back/Forward, a typed hash). */
  syncFromHash(hash: string): void;
  backupDialog: { open: boolean; profile: string | null };
  openBackupDialog(profile?: string): void;
  closeBackupDialog(): void;
  restoreWizard: { open: boolean; backupId: string | null };
  openRestoreWizard(backupId?: string): void;
  closeRestoreWizard(): void;
}

export const useNav = create<NavState>()((set) => ({
  page: typeof location === 'undefined' ? 'dashboard' : pageFromHash(location.hash),
  navigate(page) {
    if (typeof location !== 'undefined' && pageFromHash(location.hash) !== page) location.hash = `#/${page}`;
    set({ page });
  },
  syncFromHash(hash) {
    set({ page: pageFromHash(hash) });
  },
  backupDialog: { open: false, profile: null },
  openBackupDialog: (profile) => set({ backupDialog: { open: true, profile: profile ?? null } }),
  closeBackupDialog: () => set((state) => ({ backupDialog: { ...state.backupDialog, open: false } })),
  restoreWizard: { open: false, backupId: null },
  openRestoreWizard: (backupId) => set({ restoreWizard: { open: true, backupId: backupId ?? null } }),
  closeRestoreWizard: () => set((state) => ({ restoreWizard: { ...state.restoreWizard, open: false } })),
}));
