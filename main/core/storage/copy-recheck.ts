// verify --copies: every copy of a backup read back from its destination again. Only the destination's
// own answer changes what the catalogue records: "nothing under that key" makes the copy missing,
// other bytes make it failed, the backup's bytes make it verified. A destination that cannot be asked
// (the service down, a share unmounted, a login refused, the connection dropped mid-read) leaves the
// copy's recorded state as it was and says so: a backup kept on its destinations only must not lose
// its one counting copy, and then show as missing, because a server was down for an hour. A row a
// delete took meanwhile is not brought back (CopyRows.update).
import { checksumTree } from '../fsutil/durable.ts';
import { toErrorInfo } from '../model/errors.ts';
import type { BackupMetadata, CheckedCopy, CopyCheckOutcome } from '../model/types.ts';
import { checkCopy, CopyMismatch, type CopyContext } from './copies.ts';
import type { Destination } from './destination.ts';

/** Re-reads every copy of the backup; each in the answer says what this read found (`checked`) beside what is recorded (`state`). */
export async function recheckCopies(context: CopyContext, backup: BackupMetadata): Promise<CheckedCopy[]> {
  const found = new Map<string, { checked: CopyCheckOutcome; problem: string | null }>();
  for (const copy of context.rows.of(backup.id)) found.set(copy.destination, await recheckCopy(context, backup, copy.destination));
  return context.rows.of(backup.id).map((copy) => ({ ...copy, ...(found.get(copy.destination) ?? { checked: 'unreachable', problem: 'recorded while this check ran' }) }));
}

async function recheckCopy(context: CopyContext, backup: BackupMetadata, name: string): Promise<{ checked: CopyCheckOutcome; problem: string | null }> {
  let destination: Destination | undefined;
  try {
    destination = await context.destinations.open(name);
    await destination.requireReachable?.();
    if ((await destination.stat(backup.filename)) === undefined) {
      const problem = `${destination.describe(backup.filename)} is gone`;
      context.rows.update(backup, name, 'missing', problem);
      return { checked: 'missing', problem };
    }
    if (backup.format === 'directory') await checkTreeCopy(destination, backup);
    else await checkCopy(destination, backup);
    context.rows.update(backup, name, 'verified');
    return { checked: 'verified', problem: null };
  } catch (error) {
    const problem = toErrorInfo(error).message;
    if (!(error instanceof CopyMismatch)) return { checked: 'unreachable', problem };
    context.rows.update(backup, name, 'failed', problem);
    return { checked: 'failed', problem };
  } finally {
    (destination as { destroy?: () => void } | undefined)?.destroy?.();
  }
}

/** A directory-format copy (only a directory destination takes one): its tree's checksum must be the backup's. */
async function checkTreeCopy(destination: Destination, backup: Pick<BackupMetadata, 'filename' | 'checksum'>): Promise<void> {
  const local = await destination.localFile(backup.filename);
  try {
    const found = `sha256:${(await checksumTree(local.path)).checksum}`;
    if (found !== backup.checksum) throw new CopyMismatch(`${destination.describe(backup.filename)} holds a tree with ${found}, not the backup's ${backup.checksum}`);
  } finally {
    await local.release();
  }
}
