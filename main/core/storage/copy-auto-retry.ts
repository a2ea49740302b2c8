// The copies that did not count, tried again by the scheduler's tick without anyone asking: each
// whose retry time has come (copy-retry-plan.ts) is claimed by one process, uploaded again after what
// its last try left is removed, and read back as the first time. A copy that verifies is told like any
// copy (backup.copied); one whose rounds are spent, or that cannot be mended, is told once as given up
// (a notification); the rounds in between stay quiet, each recorded on the copy as an attempt.
import type { BackupCopy, BackupMetadata } from '../model/types.ts';
import { copyBackup, type CopyContext } from './copies.ts';

export interface AutoRetryReport {
  verified: Array<{ backup: string; copy: BackupCopy }>;
  gaveUp: Array<{ backup: string; copy: BackupCopy }>;
  /** Tried and failed, with a later try planned (copy.retryAt). */
  again: Array<{ backup: string; copy: BackupCopy }>;
}

/** The engine's backup.copied event, stated here so this room does not import the events room (which imports the drill's types). */
export type CopiedEvent = { kind: 'backup.copied'; backup: BackupMetadata; copies: BackupCopy[]; gaveUp?: boolean };
type Emit = (event: CopiedEvent) => Promise<unknown>;

export async function retryDueCopies(context: CopyContext, backupOf: (id: string) => BackupMetadata | undefined, now: Date, emit: Emit): Promise<AutoRetryReport> {
  const report: AutoRetryReport = { verified: [], gaveUp: [], again: [] };
  for (const due of context.rows.dueRetries(now)) {
    if (!context.rows.claimRetry(due.backupId, due.destination, due.retryAt)) continue;
    const backup = backupOf(due.backupId);
    if (!backup) continue;
    let copy: BackupCopy | undefined;
    if (backup.status === 'completed') {
      [copy] = await copyBackup(context, backup, [due.destination], { replace: true });
    } else {
      // Its local file is gone: nothing to upload from, so no later round can do better.
      const reason = `the backup is ${backup.status}, so there is no local file to copy from`;
      if (!context.rows.update(backup, due.destination, 'failed', reason)) continue;
      copy = context.rows.of(backup.id).find((entry) => entry.destination === due.destination);
    }
    if (!copy) continue;
    const entry = { backup: backup.filename, copy };
    if (copy.state === 'verified') report.verified.push(entry);
    else if (copy.retryAt) report.again.push(entry);
    else report.gaveUp.push(entry);
    if (copy.state === 'verified' || !copy.retryAt) await emit({ kind: 'backup.copied', backup, copies: [copy], ...(copy.state === 'verified' ? {} : { gaveUp: true }) }).catch(() => undefined);
  }
  return report;
}
