// Applies a retention plan: removes the backups the policy lets go, with their sidecar and globals
// file, and marks their rows deleted so history (runs, audit, the row itself) stays. Only completed
// rows are candidates; 'missing' rows are neither counted as kept copies nor touched. What the
// policy is told of each backup (scope, failed checks, pin) is read here, once, for cleanup and
// its preview alike.
import { isAbsolute } from 'node:path';
import { companionPaths } from '../backup/naming.ts';
import { backupScope } from '../backup/options.ts';
import { failedCheck, type Catalogue } from '../catalogue/catalogue.ts';
import type { BackupMetadata } from '../model/types.ts';
import { backupStorage, type BackupStorage } from '../storage/storage.ts';
import { formatRetentionPolicy, planRetention, type RetentionCandidate, type RetentionDecision, type RetentionPolicy } from './policy.ts';
import { memberDecisions, removeDeletedSets, retentionUnits } from './set-units.ts';

/** A decision with the file it concerns, so a plan lists what would go, not just how many. */
export type CleanupDecision = RetentionDecision & { filename: string; size: number };

export interface CleanupReport {
  dryRun: boolean;
  /** The policy in its text form, e.g. "gfs:7d,4w,12m,3y". */
  policy: string;
  decisions: CleanupDecision[];
  /** Ids removed; on a dry run, the ids a real run would remove. */
  deleted: string[];
  /** Catalogue sizes of the removed backups; on a dry run, what a real run would free. */
  freedBytes: number;
  errors: Array<{ id: string; message: string }>;
}

export interface CleanupOptions {
  profile?: string;
  policy: RetentionPolicy;
  now: Date;
  dryRun: boolean;
  timeZone?: string;
  actor?: string;
  /** Removes a deleted backup's offsite copies too. */
  copies?: CopyRemover;
  /**
   * A preview someone confirmed ("Run cleanup now"): of the plan's deletions, only these. A backup the
   * plan would delete now but the person was not shown stays for the next run; one shown that the plan
   * now keeps is kept.
   */
  onlyIds?: readonly string[];
}

/**
 * Retires one backup's files, unless another listed backup's row names the same file (a copied
 * catalogue, an adopt, a fixture): then the file stays until the last such row goes. Every deleter —
 * retention, delete, profile removal — goes through here, so none can take a file another row needs.
 */
export async function removeUnsharedBackupFiles(catalogue: Catalogue, backup: BackupMetadata, copies?: CopyRemover): Promise<{ removed: boolean; sharedWith: string[] }> {
  const sharedWith = catalogue.backupsSharingPath(backup.id, backup.path);
  if (sharedWith.length > 0) return { removed: false, sharedWith };
  // Its copies first: a copy that cannot be removed keeps the whole backup (file and row), named, for a later run.
  const offsite = copies ? await copies.removeAll(backup) : { failed: [] };
  if (offsite.failed.length)
    throw new Error(
      `its copies on ${offsite.failed.map((copy) => `"${copy.destination}" (${copy.reason})`).join(', ')} could not be removed, so the backup was kept; try again once the destination answers`,
    );
  await removeBackupFiles(backupStorage(catalogue), backup);
  return { removed: true, sharedWith };
}

/** The offsite copies of a backup, removed from every destination (storage/offsite.ts). */
export interface CopyRemover {
  removeAll(backup: BackupMetadata): Promise<{ failed: Array<{ destination: string; reason: string }> }>;
}

/**
 * The dump first: once it is gone the backup is unusable, so stopping there on a failure would only
 * strand its companions; a later run finishes the job, since an already-absent file counts as removed.
 * If the dump itself cannot go, the companions stay so the backup is still whole.
 */
export async function removeBackupFiles(storage: BackupStorage, backup: BackupMetadata): Promise<void> {
  if (!backup.location && (!backup.path || !isAbsolute(backup.path))) {
    throw new Error(`the catalogue row has no location and no absolute path (${JSON.stringify(backup.path)}); nothing was removed`);
  }
  const { destination, key, sidecarKey } = storage.locate(backup);
  // A directory where a single-file dump should be is not ours to delete recursively.
  if (backup.format !== 'directory' && (await destination.stat(key))?.kind === 'tree') {
    throw new Error(`${destination.describe(key)} is a directory, but a ${backup.format} backup is a single file; nothing was removed`);
  }
  await destination.remove(key);
  // The companions by the dump's own name only: the row's globals filename came from a sidecar (adopt)
  // and could name a folder or another backup's dump, which would go with this one.
  // (naming.companionPaths: an encrypted dump's roles file is <stem>.globals.sql.age.)
  for (const companion of [sidecarKey, companionPaths(key).globals]) await destination.remove(companion);
}

/** What retention weighs of a catalogued backup. */
export function retentionCandidate(backup: BackupMetadata): RetentionCandidate {
  return {
    id: backup.id,
    profile: backup.profile,
    timestamp: backup.timestamp,
    size: backup.size,
    scope: backupScope(backup.options),
    failedCheck: failedCheck(backup),
    pinned: backup.pinned === true,
    imported: backup.imported !== undefined,
  };
}

/** The plan for the completed backups (of one profile, or all), each decision with its file; changes nothing. */
export function planCleanup(catalogue: Catalogue, options: Pick<CleanupOptions, 'profile' | 'policy' | 'now' | 'timeZone'>): { decisions: CleanupDecision[]; backups: Map<string, BackupMetadata> } {
  const backups = new Map(catalogue.listBackups({ profile: options.profile, statuses: ['completed'] }).map((backup) => [backup.id, backup]));
  // A whole-server set is one candidate; its decision is each of its members' (set-units.ts).
  const units = retentionUnits(catalogue, [...backups.values()], retentionCandidate);
  const decisions = planRetention(units.candidates, options.policy, options.now, options.timeZone).flatMap((decision) => {
    const members = units.members.get(decision.id);
    if (members) return memberDecisions(decision, members);
    const { filename, size } = backups.get(decision.id)!;
    return [{ ...decision, filename, size }];
  });
  return { decisions, backups };
}

export async function runCleanup(catalogue: Catalogue, options: CleanupOptions): Promise<CleanupReport> {
  const { decisions, backups: byId } = planCleanup(catalogue, options);
  const policy = formatRetentionPolicy(options.policy);
  const report: CleanupReport = { dryRun: options.dryRun, policy, decisions, deleted: [], freedBytes: 0, errors: [] };
  const actor = options.actor ?? 'retention';
  // A Set: the list confirmed in the app can hold 100,000 ids, each looked up once per decision.
  const onlyIds = options.onlyIds ? new Set(options.onlyIds) : undefined;

  for (const decision of decisions) {
    if (decision.action !== 'delete') continue;
    if (onlyIds && !onlyIds.has(decision.id)) continue;
    const backup = byId.get(decision.id)!;
    if (options.dryRun) {
      report.deleted.push(backup.id);
      report.freedBytes += backup.size;
      continue;
    }
    let removal;
    try {
      removal = await removeUnsharedBackupFiles(catalogue, backup, options.copies);
    } catch (error) {
      report.errors.push({ id: backup.id, message: `Cannot remove ${backup.filename}: ${(error as Error).message}` });
      continue;
    }
    // Status and audit together: a deletion is never recorded without its reason, nor the reverse.
    catalogue.db.transaction(() => {
      catalogue.setBackupStatus(backup.id, 'deleted');
      catalogue.audit(actor, 'retention.delete', backup.filename, {
        id: backup.id,
        profile: backup.profile,
        timestamp: backup.timestamp,
        path: backup.path,
        size: backup.size,
        policy,
        rule: decision.reasons.join('; '),
        ...(removal.removed ? {} : { filesKeptFor: removal.sharedWith }),
      });
    })();
    report.deleted.push(backup.id);
    if (removal.removed) report.freedBytes += backup.size;
  }
  if (!options.dryRun) await removeDeletedSets(catalogue, catalogue.backupDir, new Set(report.deleted.map((id) => byId.get(id)!.set).filter((id): id is string => id !== undefined)));
  return report;
}
