// The engine's offsite handle: the named destinations, each backup's copies on them (copies.ts,
// copy-recovery.ts) and BACKUP_DIR's storage, with the catalogue to find a copy's backup.
import type { Catalogue } from '../catalogue/catalogue.ts';
import type { BackupCopy, BackupMetadata, CheckedCopy } from '../model/types.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { copyBackup, readableCopy, type CopyContext } from './copies.ts';
import { recheckCopies } from './copy-recheck.ts';
import { recoverAbandonedCopies, removeCopies, retryCopies, type RecoveredCopy, type RetryReport } from './copy-recovery.ts';
import { CopyRows } from './copy-rows.ts';
import { retryDueCopies, type AutoRetryReport, type CopiedEvent } from './copy-auto-retry.ts';
import { Destinations } from './destinations.ts';
import { backupStorage, type BackupStorage } from './storage.ts';

export class Offsite implements CopyContext {
  readonly rows: CopyRows;
  readonly destinations: Destinations;
  /** The pauses between a copy's tries; undefined: COPY_RETRY_DELAYS_MS. */
  retryDelaysMs: readonly number[] | undefined;
  /** `config` may be live (a setting changed in the app moves BACKUP_DIR): it is read at each use, never kept. */
  constructor(
    private readonly catalogue: Catalogue,
    secrets: SecretStore,
    private readonly config: { readonly backupDir: string; readonly env: NodeJS.ProcessEnv },
  ) {
    this.rows = new CopyRows(catalogue.db);
    this.destinations = new Destinations(catalogue.db, secrets, config);
    // Suites shorten the pauses; a number list in ms, e.g. "50,50".
    const delays = config.env.HOLDFAST_TEST_COPY_RETRY_DELAYS_MS;
    const parsed = delays?.split(',').map(Number);
    this.retryDelaysMs = parsed?.every((ms) => Number.isFinite(ms) && ms >= 0) ? parsed : undefined;
  }
  /** BACKUP_DIR's storage, as the configuration says now. */
  get storage(): BackupStorage {
    return backupStorage(this.config);
  }
  copy(backup: BackupMetadata, names: readonly string[]): Promise<BackupCopy[]> {
    return copyBackup(this, backup, names);
  }
  recheck(backup: BackupMetadata): Promise<CheckedCopy[]> {
    return recheckCopies(this, backup);
  }
  readable(backup: BackupMetadata, name: string): Promise<{ backup: BackupMetadata; release: () => Promise<void> }> {
    return readableCopy(this, backup, name);
  }
  /** At start: copies a dead process left uploading are cleaned up after and marked failed. */
  recover(): Promise<RecoveredCopy[]> {
    return recoverAbandonedCopies(this, (id) => this.catalogue.findBackup(id));
  }
  /** Uploads again the copies that do not count (of one backup, or all). */
  retry(ref?: string): Promise<RetryReport> {
    return retryCopies(this, (id) => this.catalogue.findBackup(id), ref === undefined ? undefined : this.catalogue.requireBackup(ref));
  }
  /** The scheduler's tick: the copies whose automatic retry time has come, uploaded again. */
  retryDue(now: Date, emit: (event: CopiedEvent) => Promise<unknown>): Promise<AutoRetryReport> {
    return retryDueCopies(this, (id) => this.catalogue.findBackup(id), now, emit);
  }
  /** Removes a backup's copies from every destination (before its local file and row go). */
  removeAll(backup: BackupMetadata): ReturnType<typeof removeCopies> {
    return removeCopies(this, backup);
  }
  /** The first verified copy of the backup, when it has one (a restore's or drill's source once the local file is gone). */
  firstVerified(backup: Pick<BackupMetadata, 'id'>): string | undefined {
    return this.rows.of(backup.id).find((copy) => copy.state === 'verified')?.destination;
  }
  /**
   * Which copy a reader (restore, a drill) reads: the one asked for; else none (the local file) while
   * the local file is there; else the first verified copy, downloaded and checked before use.
   */
  async sourceFor(backup: BackupMetadata, asked?: string): Promise<string | undefined> {
    if (asked) return asked;
    if (await this.storage.isPresent(backup)) return undefined;
    return this.firstVerified(backup);
  }
  /** Listed backups with their copies, where they have any. */
  withCopies<T extends { id: string }>(backups: T[]): Array<T | (T & { copies: BackupCopy[] })> {
    const copies = this.rows.all();
    return backups.map((backup) => (copies.has(backup.id) ? { ...backup, copies: copies.get(backup.id)! } : backup));
  }
}
