// A copy's life after its first upload: what the next start does with a copy a crash left
// 'uploading', what `holdfast copies retry` does with the copies that do not count, and what deleting
// a backup does to its copies on every destination.
//
// - Recovery takes only what is provably dead (destination.ts says why): rows whose owning process
//   (pid + process token) is gone. Their put leftovers are cleared (temp files beside the key, the
//   open multipart upload for that key), whatever the copy put under its final keys is removed (a
//   dump without its verified row does not count, and a sidecar must never announce it), and the row
//   becomes 'failed', saying so; `holdfast copies retry` uploads it again.
// - Deleting a backup removes its copies first; a copy that could not be removed is named, and the
//   backup's row stays (with its local file) until a later delete removes them all. Each copy's row
//   is taken before its objects are removed, so a copier uploading it at that moment (another
//   process, or a retry between tries) finds it gone and removes what it put (copies.ts).
import { toErrorInfo } from '../model/errors.ts';
import type { BackupCopy, BackupMetadata } from '../model/types.ts';
import { clearCopy, copyBackup, type CopyContext } from './copies.ts';
import type { Destination } from './destination.ts';

export interface RecoveredCopy {
  backup: string;
  destination: string;
  cleared: string[];
  problems: string[];
}

const INTERRUPTED = 'Holdfast stopped while this copy was uploading; nothing of it counts. Run holdfast copies retry to upload it again.';

/** Settles the copies left 'pending' or 'uploading' by a process that is gone. */
export async function recoverAbandonedCopies(context: CopyContext, backupOf: (id: string) => BackupMetadata | undefined): Promise<RecoveredCopy[]> {
  const recovered: RecoveredCopy[] = [];
  for (const copy of context.rows.abandoned()) {
    const backup = backupOf(copy.backupId);
    const outcome: RecoveredCopy = { backup: backup?.filename ?? copy.key, destination: copy.destination, cleared: [], problems: [] };
    await withDestination(context, copy.destination, async (destination) => {
      const leftovers = await destination.clearAbandonedPut(copy.key, copy.uploadId);
      outcome.cleared.push(...leftovers.cleared);
      outcome.problems.push(...leftovers.problems);
      if (backup) await clearCopy(destination, backup);
    }).catch((error: unknown) => outcome.problems.push(toErrorInfo(error).message));
    if (backup) context.rows.record(backup, copy.destination, 'failed', INTERRUPTED);
    else context.rows.forget(copy.backupId, copy.destination);
    recovered.push(outcome);
  }
  return recovered;
}

export interface RetryReport {
  /** Every copy that was retried, as it is now. */
  retried: Array<{ backup: string; copy: BackupCopy }>;
  /** Copies not retried, and why (their backup's local file is gone, or the backup was deleted). */
  skipped: Array<{ backup: string; destination: string; reason: string }>;
}

/** Uploads again every copy that does not count (failed, missing), or only the given backup's; each is read back and compared as the first time. */
export async function retryCopies(context: CopyContext, backupOf: (id: string) => BackupMetadata | undefined, only?: BackupMetadata): Promise<RetryReport> {
  const report: RetryReport = { retried: [], skipped: [] };
  const byBackup = new Map<string, string[]>();
  for (const copy of context.rows.unverified(only?.id)) byBackup.set(copy.backupId, [...(byBackup.get(copy.backupId) ?? []), copy.destination]);
  for (const [backupId, names] of byBackup) {
    const backup = backupOf(backupId);
    if (!backup || backup.status !== 'completed') {
      for (const destination of names)
        report.skipped.push({
          backup: backup?.filename ?? backupId,
          destination,
          reason: backup ? `the backup is ${backup.status}, so there is no local file to copy from` : 'the backup is not in the catalogue',
        });
      continue;
    }
    for (const copy of await copyBackup(context, backup, names, { replace: true })) report.retried.push({ backup: backup.filename, copy });
  }
  return report;
}

/** Removes the backup's copies from every destination; says which could not be removed (their rows stay). */
export async function removeCopies(context: CopyContext, backup: BackupMetadata): Promise<{ removed: string[]; failed: Array<{ destination: string; reason: string }> }> {
  const result = { removed: [] as string[], failed: [] as Array<{ destination: string; reason: string }> };
  for (const copy of context.rows.of(backup.id)) {
    // The row first: a copier still uploading this copy then settles nothing and removes what it put.
    const taken = context.rows.take(backup.id, copy.destination);
    if (!taken) continue;
    try {
      await withDestination(context, copy.destination, (destination) => clearCopy(destination, backup));
      result.removed.push(copy.destination);
    } catch (error) {
      context.rows.putBack(taken);
      result.failed.push({ destination: copy.destination, reason: toErrorInfo(error).message });
    }
  }
  return result;
}

async function withDestination<T>(context: CopyContext, name: string, use: (destination: Destination) => Promise<T>): Promise<T> {
  const destination = await context.destinations.open(name);
  try {
    return await use(destination);
  } finally {
    (destination as { destroy?: () => void }).destroy?.();
  }
}
