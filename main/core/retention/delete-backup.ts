// Deleting one backup by hand (holdfast delete, the app's Delete): refused for a member of a set (a
// set is kept or deleted whole) and without its file name typed as the confirmation; its copies and
// files go first, then its row is marked deleted with its audit entry, in one transaction. Another
// listed backup's row naming the same file keeps that file.
import type { Catalogue } from '../catalogue/catalogue.ts';
import { commitAudited } from '../events/audited-change.ts';
import type { EventBus } from '../events/bus.ts';
import { HoldfastError } from '../model/errors.ts';
import type { DeleteReport } from '../model/reports.ts';
import type { BackupSets } from '../sets/backup-sets.ts';
import { removeUnsharedBackupFiles, type CopyRemover } from './cleanup.ts';

export interface DeleteContext {
  catalogue: Catalogue;
  events: EventBus;
  sets: Pick<BackupSets, 'find'>;
  offsite: CopyRemover;
}

/** One backup and its companions; `confirm` must repeat its file name, as a restore's --confirm does. */
export async function deleteBackup(engine: DeleteContext, ref: string, confirm: string): Promise<DeleteReport> {
  const { catalogue, events } = engine;
  const backup = catalogue.requireBackup(ref);
  // A set says which databases it holds; without one of them it would still say so, and its restore would fail.
  const set = backup.set === undefined ? undefined : engine.sets.find(backup.set);
  if (set && (set.status === 'completed' || set.status === 'partial')) {
    throw new HoldfastError(
      'CONFLICT',
      `${backup.filename} is the ${backup.database} database of backup set ${set.id}: a set is kept or deleted whole, so one of its databases is not deleted on its own.`,
      'Retention deletes the whole set when its time comes; pinning any one of its backups keeps the whole set.',
    );
  }
  if (confirm !== backup.filename) {
    throw new HoldfastError('BAD_INPUT', `Deleting ${backup.filename} needs its file name typed as the confirmation.`, `Confirm with exactly "${backup.filename}".`);
  }
  // Another listed backup's row naming the same file would lose its file unnoticed: only this row goes.
  let sharing: string[];
  try {
    sharing = (await removeUnsharedBackupFiles(catalogue, backup, engine.offsite)).sharedWith;
  } catch (error) {
    throw new HoldfastError('CONFLICT', `Cannot delete ${backup.filename}: ${(error as Error).message}`, 'Check the file and its directory permissions, then try again.');
  }
  const freedBytes = sharing.length === 0 ? backup.size : 0;
  // Status and its audit row in one transaction (the audit subscriber is synchronous), as retention does: the row stays as history.
  commitAudited(catalogue.db, events, () => catalogue.setBackupStatus(backup.id, 'deleted'), { kind: 'backup.deleted', backup, freedBytes, sharedWith: sharing }, `Deleting ${backup.filename}`);
  if (sharing.length === 0) return { deleted: backup.filename, freedBytes };
  return { deleted: backup.filename, freedBytes, filesKept: `${backup.path} was kept: the catalogue lists it for ${sharing.join(', ')} too, so only this entry was removed.` };
}
