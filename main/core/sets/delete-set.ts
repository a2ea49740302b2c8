// A backup set deleted by hand, whole: every member (its files and copies, as any deleted backup),
// then the roles file and the manifest, as retention deletes a set (retention/set-units.ts). The
// confirmation is the set's id, as a set restore's --clean is. A member that cannot be removed stays,
// with the set (the set row goes only once no member is left), and the error names it.
import type { EngineContext } from '../backup/backup.ts';
import { commitAudited } from '../events/audited-change.ts';
import type { EventBus } from '../events/bus.ts';
import { HoldfastError } from '../model/errors.ts';
import { removeUnsharedBackupFiles, type CopyRemover } from '../retention/cleanup.ts';
import { removeDeletedSets } from '../retention/set-units.ts';
import type { BackupSet } from './set-record.ts';
import { SetStore } from './set-rows.ts';

export interface SetDeleteReport {
  deleted: string;
  kind: 'set';
  /** The members' file names, deleted with the set. */
  members: string[];
  freedBytes: number;
}

export async function deleteSet(engine: EngineContext & { events: Pick<EventBus, 'emit'>; offsite: CopyRemover }, set: BackupSet, confirm: string): Promise<SetDeleteReport> {
  if (confirm !== set.id) {
    throw new HoldfastError(
      'BAD_INPUT',
      `Deleting backup set ${set.id} deletes all ${set.databases.length} of its databases' backups; it needs the set's id typed as the confirmation.`,
      `Confirm with exactly "${set.id}".`,
    );
  }
  const { catalogue } = engine;
  const report: SetDeleteReport = { deleted: set.manifest?.filename ?? set.id, kind: 'set', members: [], freedBytes: 0 };
  for (const backup of new SetStore(catalogue.db).members(set.id)) {
    let sharing: string[];
    try {
      sharing = (await removeUnsharedBackupFiles(catalogue, backup, engine.offsite)).sharedWith;
    } catch (error) {
      throw new HoldfastError(
        'CONFLICT',
        `Backup set ${set.id} was not deleted whole: ${backup.filename} (${backup.database}) could not be removed: ${(error as Error).message}`,
        `Members deleted so far: ${report.members.join(', ') || 'none'}. Fix the cause, then delete the set again; the rest of it is kept.`,
      );
    }
    commitAudited(
      catalogue.db,
      engine.events,
      () => catalogue.setBackupStatus(backup.id, 'deleted'),
      { kind: 'backup.deleted', backup, freedBytes: sharing.length === 0 ? backup.size : 0, sharedWith: sharing },
      `Deleting ${backup.filename}`,
    );
    report.members.push(backup.filename);
    if (sharing.length === 0) report.freedBytes += backup.size;
  }
  await removeDeletedSets(catalogue, engine.config.backupDir, [set.id]);
  return report;
}
