// Importing a dump made elsewhere (Backups › Import…): a path on the host Holdfast runs on, and the
// profile it is listed under. The engine copies, checks and catalogues it (backup.import); on
// success the list is refreshed and the new backup selected, so its details show what was imported.
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { ChannelOutput, ErrorInfo } from '../api/types.ts';
import { useBackupPages } from './backup-pages.ts';
import { useBackups } from './backups.ts';

export type ImportedBackup = ChannelOutput<'backup.import'>;

type ImportState = { status: 'idle' } | { status: 'running' } | { status: 'done'; backup: ImportedBackup } | { status: 'failed'; error: ErrorInfo };

interface ImportStore {
  state: ImportState;
  start(file: string, profile: string): Promise<void>;
  reset(): void;
}

export const useImportDump = create<ImportStore>()((set) => ({
  state: { status: 'idle' },
  async start(file, profile) {
    set({ state: { status: 'running' } });
    const result = await api.call('backup.import', { file, profile });
    if (!result.ok) {
      set({ state: { status: 'failed', error: result.error } });
      return;
    }
    set({ state: { status: 'done', backup: result.value } });
    await useBackupPages.getState().refresh();
    useBackups.getState().select(result.value.id);
  },
  reset() {
    set({ state: { status: 'idle' } });
  },
}));
