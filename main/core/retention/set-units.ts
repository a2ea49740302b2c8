// Retention treats a whole-server backup set as one unit: its members are never weighed (or deleted)
// one by one. A set is one candidate — full only when the set is completed, failing a check when any
// member's last verify or drill failed, pinned when any member is — and its decision is every
// member's. Deleting a set deletes every member (as any backup), then its roles file and manifest.
import { rm } from 'node:fs/promises';
import type { Catalogue } from '../catalogue/catalogue.ts';
import { failedCheck } from '../catalogue/backup-rows.ts';
import type { BackupMetadata } from '../model/types.ts';
import { SetStore } from '../sets/set-rows.ts';
import type { RetentionCandidate, RetentionDecision } from './policy.ts';

export interface RetentionUnits {
  candidates: RetentionCandidate[];
  /** A set candidate's id → its member backups. */
  members: Map<string, BackupMetadata[]>;
}

export function retentionUnits(catalogue: Catalogue, backups: readonly BackupMetadata[], single: (backup: BackupMetadata) => RetentionCandidate): RetentionUnits {
  const members = new Map<string, BackupMetadata[]>();
  const candidates: RetentionCandidate[] = [];
  for (const backup of backups) {
    if (!backup.set) candidates.push(single(backup));
    else members.set(backup.set, [...(members.get(backup.set) ?? []), backup]);
  }
  const store = new SetStore(catalogue.db);
  for (const [setId, held] of members) {
    const set = store.find(setId);
    const failed = held.map(failedCheck).find((check) => check !== null) ?? null;
    candidates.push({
      id: setId,
      profile: held[0]!.profile,
      timestamp: set?.timestamp ?? held[0]!.timestamp,
      size: held.reduce((sum, backup) => sum + backup.size, 0),
      // A partial or interrupted set is not a copy of the server: it never fills a slot.
      scope: set?.status === 'completed' ? 'full' : 'partial',
      failedCheck: failed,
      pinned: held.some((backup) => backup.pinned === true),
    });
  }
  return { candidates, members };
}

/** A set's decision, as a decision per member (so every shell lists the files it removes). */
export function memberDecisions(decision: RetentionDecision, members: readonly BackupMetadata[]): Array<RetentionDecision & { filename: string; size: number }> {
  return members.map((member) => ({ ...decision, id: member.id, reasons: [...decision.reasons, `member of backup set ${decision.id}`], filename: member.filename, size: member.size }));
}

/** Once every member of a deleted set is gone: its row, its roles file and its manifest. */
export async function removeDeletedSets(catalogue: Catalogue, backupDir: string | undefined, setIds: Iterable<string>): Promise<void> {
  const store = new SetStore(catalogue.db);
  for (const id of setIds) {
    const set = store.find(id);
    if (!set || store.members(id).length > 0) continue;
    if (backupDir) for (const file of [set.globals.filename, set.manifest?.filename]) if (file) await rm(store.fileOf(id, file, backupDir), { force: true });
    store.setStatus(id, 'deleted');
  }
}
