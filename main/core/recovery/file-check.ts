// Which catalogued backups still have their file: a row whose file vanished is flagged missing, one
// whose file came back is completed again. Every start runs it; `holdfast serve` runs it after it
// listens (reading 10,000 rows and their folder took most of its first second), so until it has
// finished a "completed" row only says what the catalogue last knew: the Backups list says "checking".
import { selectFileCheckRows, type FileCheckCursor } from '../catalogue/backup-rows.ts';
import type { Catalogue } from '../catalogue/catalogue.ts';
import type { HoldfastConfig } from '../config/config.ts';
import { toErrorInfo, type ErrorInfo } from '../model/errors.ts';
import type { Offsite } from '../storage/offsite.ts';
import { backupStorage, type FolderListings } from '../storage/storage.ts';

export interface FileCheckReport {
  missingBackups: string[];
  foundAgain: string[];
}

export interface FileCheckingEngine {
  readonly config: HoldfastConfig;
  readonly catalogue: Catalogue;
  readonly offsite: Pick<Offsite, 'firstVerified'>;
}

/**
 * Rows are read and settled BATCH at a time, with a turn of the event loop between batches: in serve
 * the check runs beside requests, and reading all 10,000 rows (or 100,000) and locating each in one go
 * held serve's first answer behind it. Each row is read lean (selectFileCheckRows), each folder listed
 * once per check.
 */
const BATCH = 500;

export async function checkBackupFiles(engine: FileCheckingEngine): Promise<FileCheckReport> {
  const { catalogue } = engine;
  const report: FileCheckReport = { missingBackups: [], foundAgain: [] };
  const storage = backupStorage(engine.config);
  const listings: FolderListings = new Map();
  let after: FileCheckCursor | undefined;
  for (;;) {
    const rows = selectFileCheckRows(catalogue.db, { ...(after ? { after } : {}), limit: BATCH });
    if (rows.length === 0) break;
    const presence = await storage.presence(rows, listings);
    for (const backup of rows) {
      const present = presence.get(backup)!;
      // Kept on its destinations only (--no-local-copy): no local file is what it should have.
      const offsiteOnly = backup.noLocalCopy && engine.offsite.firstVerified(backup) !== undefined;
      // Conditional: in serve this runs beside deletes and retention, whose 'deleted' must stand.
      if (!present && !offsiteOnly && backup.status === 'completed') {
        catalogue.setBackupStatus(backup.id, 'missing', 'completed');
        report.missingBackups.push(backup.filename);
      } else if (present && backup.status === 'missing') {
        catalogue.setBackupStatus(backup.id, 'completed', 'missing');
        report.foundAgain.push(backup.filename);
      }
    }
    if (rows.length < BATCH) break;
    after = rows.at(-1)!.cursor;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return report;
}

/** The file check of one engine: at start, now or in the background, and whether one has finished. */
export class FileCheck {
  private inFlight: Promise<FileCheckReport> | undefined;
  private finished = false;
  private failure: ErrorInfo | undefined;

  constructor(private readonly engine: FileCheckingEngine) {}

  /** Looks for every backup's file; a call while a check runs joins it. A check that failed leaves `done` as it was. */
  run(): Promise<FileCheckReport> {
    if (this.inFlight) return this.inFlight;
    const running = checkBackupFiles(this.engine).then(
      (report) => {
        this.finished = true;
        this.failure = undefined;
        return report;
      },
      (error: unknown) => {
        this.failure = toErrorInfo(error);
        throw error;
      },
    );
    this.inFlight = running;
    const forget = () => {
      if (this.inFlight === running) this.inFlight = undefined;
    };
    running.then(forget, forget);
    return running;
  }

  /** True once every row's file was looked for: until then "completed" is the last known state. */
  get done(): boolean {
    return this.finished;
  }

  /** Why the last check did not finish, if it failed. */
  get error(): ErrorInfo | undefined {
    return this.failure;
  }
}
