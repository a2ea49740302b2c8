// A backup's run in the catalogue: claimed for its profile in one IMMEDIATE transaction (so two
// Holdfast processes cannot both back up a profile), and its failure recorded, or said when the
// catalogue cannot take it. Backups and backup sets share both.
import type { Catalogue } from '../catalogue/catalogue.ts';
import { DISK_FULL_HINT, HoldfastError, isDiskFull, type ErrorInfo } from '../model/errors.ts';

/**
 * Where a backup's (or an import's) run keeps the name of the file it will write, from its start. Not
 * the run's `filename`: a list of attempts shows that as the attempt's file (catalogue/backup-page.ts),
 * and a run that failed or was interrupted wrote none; a backup once written is listed from its own row.
 * The next start's clean-up goes by the run's temp_path, not this. (Sets: set-record.ts MANIFEST_DETAIL.)
 */
export const PLANNED_FILE_DETAIL = 'plannedFilename';

function failure(message: string, hint?: string): HoldfastError {
  return new HoldfastError('BACKUP_FAILED', message, hint);
}

/** The run claimed, unless a backup of the profile is running in a live Holdfast or as its orphaned pg_dump. */
export function claimRun(catalogue: Catalogue, profile: string, start: () => string): string {
  try {
    return catalogue.db
      .transaction(() => {
        const running = catalogue.runningBackupOf(profile);
        if (running?.orphanPid !== undefined) {
          throw new HoldfastError(
            'CONFLICT',
            `A backup of profile "${profile}" is still running: pg_dump (pid ${running.orphanPid}) of run ${running.id}, whose Holdfast stopped, is still dumping.`,
            `The next start of Holdfast (any holdfast command, the app or the daemon) ends it and cleans up; or end it yourself (kill -KILL -${running.orphanPid}), then try again.`,
          );
        }
        if (running) {
          throw new HoldfastError(
            'CONFLICT',
            `A backup of profile "${profile}" is already running (run ${running.id}, started ${running.startedAt}).`,
            'Wait for it to finish (holdfast list --all shows it), then try again.',
          );
        }
        return start();
      })
      .immediate();
  } catch (error) {
    if (error instanceof HoldfastError) throw error;
    throw failure(`The backup could not start: the catalogue could not record its run: ${(error as Error).message}.`, isDiskFull(error) ? DISK_FULL_HINT : undefined);
  }
}

/**
 * The run's end, recorded: a cancel is an interruption the user chose (listed as cancelled, not a
 * failure), anything else a failure. When the catalogue cannot take it (its disk is full), the error
 * says so instead of the run silently turning "interrupted" at the next start.
 */
/**
 * A failed run's detail with the failure's hint beside what the run started with (undefined: no hint,
 * the detail stays): a list of attempts, or a run's details, says what to do as the failure did.
 */
export function detailWithHint(catalogue: Catalogue, runId: string, info: Pick<ErrorInfo, 'hint' | 'appHint'>): { detail?: Record<string, unknown> } {
  if (info.hint === undefined) return {};
  return { detail: { ...catalogue.getRun(runId)?.detail, hint: info.hint, ...(info.appHint === undefined ? {} : { appHint: info.appHint }) } };
}

export function recordFailure(catalogue: Catalogue, runId: string, info: Pick<ErrorInfo, 'code' | 'message' | 'hint' | 'appHint'>, home: string): void {
  const message = info.message;
  const cancelled = info.code === 'CANCELLED';
  try {
    catalogue.finishRun(runId, cancelled ? 'interrupted' : 'failed', { error: message, cancelled, ...detailWithHint(catalogue, runId, info) });
  } catch (error) {
    throw failure(
      `${message}${/[.!?]$/.test(message) ? '' : '.'} The failure could not be recorded in the catalogue either (${(error as Error).message}), so the next start will list this run as interrupted.`,
      isDiskFull(error) ? `Free space in HOLDFAST_HOME (${home}) and the backup directory, then run the backup again.` : `Check that HOLDFAST_HOME (${home}) is writable, then run the backup again.`,
    );
  }
}
