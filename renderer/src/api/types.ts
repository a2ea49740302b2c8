// The renderer's view of the contract: types only, from main/bridge.ts (which re-exports the
// contract's), so nothing from main is bundled into the page.
import type { Channel, ChannelInput, ChannelOutput, Envelope, HoldfastBridge, ProgressEvent } from '../../../main/bridge.ts';
import type { ErrorInfo } from '../../../main/core/model/errors.ts';
import type { BackupMetadata, BackupSummary } from '../../../main/core/model/types.ts';
import type { OperationView } from '../../../main/serve/operations.ts';
import type { BackupSortKey, BackupStatusFilter } from '../../../main/core/model/backup-page.ts';

export type { BackupMetadata, BackupSortKey, BackupStatusFilter, BackupSummary, Channel, ChannelInput, ChannelOutput, Envelope, ErrorInfo, HoldfastBridge, OperationView, ProgressEvent };

export interface CallOptions {
  /** Aborting ends the call: the engine cancels the operation and the result is a CANCELLED error. */
  signal?: AbortSignal;
  /** Progress of long operations (backup, verify, restore drill, restore). */
  onProgress?: (event: ProgressEvent) => void;
}

/** How calls reach the engine: Electron IPC, or HTTP to `holdfast serve`. */
export interface Transport {
  readonly kind: 'ipc' | 'http';
  call<C extends Channel>(channel: C, input: ChannelInput<C>, options?: CallOptions): Promise<Envelope<ChannelOutput<C>>>;
  /**
   * Backups, verifies, drills and restores this user started that are running in `holdfast serve`,
   * which outlive the page that started them. The desktop app's window owns its calls: none there.
   */
  operations(): Promise<Envelope<OperationView[]>>;
  /** Follows one of those to its end, as call() would have: its progress, then its result; aborting cancels it. */
  attach<O extends OperationView>(operation: O, options?: CallOptions): Promise<Envelope<ChannelOutput<O['channel']>>>;
  /**
   * backup.import of a file picked in the browser, its bytes streamed to `holdfast serve` (the server
   * cannot read the browser's disk). Only the HTTP transport has it: the desktop app imports by path.
   */
  uploadDump?(file: UploadedFile, profile: string, options?: CallOptions): Promise<Envelope<ChannelOutput<'backup.import'>>>;
}

/** What an upload needs of a browser's File. */
export interface UploadedFile extends Blob {
  readonly name: string;
  readonly lastModified: number;
}

export const cancelled = (): { ok: false; error: ErrorInfo } => ({ ok: false, error: { code: 'CANCELLED', message: 'Cancelled.' } });

export function failure(message: string, hint?: string): { ok: false; error: ErrorInfo } {
  return { ok: false, error: hint === undefined ? { code: 'INTERNAL', message } : { code: 'INTERNAL', message, hint } };
}
export type { BackupSet } from '../../../main/core/sets/set-record.ts';
export type { SetListEntry } from '../../../main/core/sets/backup-sets.ts';
