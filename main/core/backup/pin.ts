// Pinning: a pinned backup is kept whatever the retention policy; unpinning hands it back to the policy.
import type { Catalogue } from '../catalogue/catalogue.ts';
import { commitAudited } from '../events/audited-change.ts';
import type { EventBus } from '../events/bus.ts';
import type { BackupMetadata } from '../model/types.ts';

export function pinBackup(engine: { catalogue: Catalogue; events: Pick<EventBus, 'emit'> }, ref: string, pinned: boolean): BackupMetadata {
  const { catalogue } = engine;
  const backup = catalogue.requireBackup(ref);
  if (backup.pinned !== pinned) {
    // The flag and its audit row in one transaction (the audit subscriber is synchronous).
    commitAudited(catalogue.db, engine.events, () => catalogue.setBackupPinned(backup.id, pinned), { kind: 'backup.pinned', backup, pinned }, `${pinned ? 'Pinning' : 'Unpinning'} ${backup.filename}`);
  }
  return catalogue.findBackup(backup.id) ?? backup;
}
