// Importing a dump made elsewhere (Backups › Import…): a file picked on this computer and uploaded to
// `holdfast serve` (a browser cannot name a path the server can read), or a path on the host Holdfast
// runs on (the desktop's own disk, or the server's). Either way the engine checks and catalogues it
// (backup.import); on success the list is refreshed and the new backup selected, so its details show
// what was imported. An upload can be cancelled; the server then removes what it received.
import { create } from 'zustand';
import { MAX_UPLOAD_BYTES } from '../../../main/core/model/upload.ts';
import { api } from '../api/client.ts';
import type { ChannelOutput, Envelope, ErrorInfo, UploadedFile } from '../api/types.ts';
import { formatBytes } from '../lib/format.ts';
import { useBackupPages } from './backup-pages.ts';
import { useBackups } from './backups.ts';

export type ImportedBackup = ChannelOutput<'backup.import'>;

type ImportState = { status: 'idle' } | { status: 'running'; uploading?: string } | { status: 'done'; backup: ImportedBackup } | { status: 'failed'; error: ErrorInfo };

interface ImportStore {
  state: ImportState;
  /** True where a picked file can be uploaded (a browser against holdfast serve). */
  canUpload: boolean;
  start(file: string, profile: string): Promise<void>;
  upload(file: UploadedFile, profile: string): Promise<void>;
  cancel(): void;
  reset(): void;
}

let inFlight: AbortController | undefined;

/** A file over the upload limit, refused before a byte is sent. */
export function uploadTooLarge(file: { size: number }): string | undefined {
  return file.size > MAX_UPLOAD_BYTES
    ? `This file is ${formatBytes(file.size)}; an upload may be at most ${formatBytes(MAX_UPLOAD_BYTES)}. Copy it to the server and import it by its path instead.`
    : undefined;
}

export const useImportDump = create<ImportStore>()((set) => {
  async function finish(result: Envelope<ImportedBackup>): Promise<void> {
    inFlight = undefined;
    if (!result.ok) {
      set({ state: result.error.code === 'CANCELLED' ? { status: 'idle' } : { status: 'failed', error: result.error } });
      return;
    }
    set({ state: { status: 'done', backup: result.value } });
    await useBackupPages.getState().refresh();
    useBackups.getState().select(result.value.id);
  }
  return {
    state: { status: 'idle' },
    canUpload: api.uploadDump !== undefined,
    async start(file, profile) {
      set({ state: { status: 'running' } });
      await finish(await api.call('backup.import', { file, profile }));
    },
    async upload(file, profile) {
      if (!api.uploadDump) return;
      inFlight = new AbortController();
      set({ state: { status: 'running', uploading: file.name } });
      await finish(await api.uploadDump(file, profile, { signal: inFlight.signal }));
    },
    cancel() {
      inFlight?.abort();
    },
    reset() {
      set({ state: { status: 'idle' } });
    },
  };
});
