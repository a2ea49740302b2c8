// The one way restore and drills get a backup they can hand to pg_restore or psql: a readable local
// copy (core/storage), and for an encrypted backup its private decrypted copy (decrypted-copy.ts).
import type { HoldfastConfig } from '../config/config.ts';
import type { BackupMetadata } from '../model/types.ts';
import { backupStorage } from '../storage/storage.ts';
import { decryptedCopy } from './decrypted-copy.ts';
import type { IdentitySource } from './decrypt-file.ts';

export interface ReadableBackup<T extends BackupMetadata> {
  backup: T;
  /** Encrypted backups: the key that decrypted it. */
  keyName: string | undefined;
  release(): Promise<void>;
}

export async function readablePlaintext<T extends BackupMetadata>(context: IdentitySource & { config: HoldfastConfig }, backup: T): Promise<ReadableBackup<T>> {
  const storage = backupStorage(context.config);
  const copy = await storage.readable(backup);
  if (!backup.encrypted) return { backup: copy.backup, keyName: undefined, release: copy.release };
  const stored = storage.locate(backup);
  const globals = stored.globalsKey !== null && (await stored.destination.stat(stored.globalsKey)) ? await stored.destination.localFile(stored.globalsKey) : undefined;
  try {
    const plain = await decryptedCopy(context, context.config.home, copy.backup, globals?.path ?? null);
    return { backup: plain.backup, keyName: plain.keyName, release: plain.release };
  } finally {
    // The decrypted copy is independent of the stored file's local copy from here on.
    await copy.release();
    await globals?.release();
  }
}
