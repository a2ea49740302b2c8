// The one way restore and drills get a backup they can hand to pg_restore or psql: a readable local
// copy (core/storage) — or a copy downloaded from a destination and checked against the recorded
// checksum (restore --from) — and for an encrypted backup its private decrypted copy (decrypted-copy.ts),
// decrypted from that local copy, which is released as soon as the decrypted one exists.
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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

/** A local copy of the stored files: `path` names the dump, the roles file (when copied) lies beside it. */
type LocalCopy<T> = (backup: T) => Promise<{ backup: T; release(): Promise<void> }>;

export async function readablePlaintext<T extends BackupMetadata>(context: IdentitySource & { config: HoldfastConfig }, backup: T, fromCopy?: LocalCopy<T>): Promise<ReadableBackup<T>> {
  if (fromCopy) return decryptedFromCopy(context, backup, fromCopy);
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

/** A downloaded copy (already checked against the recorded checksum), decrypted like a local file. */
async function decryptedFromCopy<T extends BackupMetadata>(context: IdentitySource & { config: HoldfastConfig }, backup: T, fromCopy: LocalCopy<T>): Promise<ReadableBackup<T>> {
  const copy = await fromCopy(backup);
  if (!backup.encrypted) return { backup: copy.backup, keyName: undefined, release: copy.release };
  try {
    const roles = backup.globals.filename ? join(dirname(copy.backup.path), backup.globals.filename) : null;
    const rolesCopied =
      roles !== null &&
      (await access(roles).then(
        () => true,
        () => false,
      ));
    const plain = await decryptedCopy(context, context.config.home, copy.backup, rolesCopied ? roles : null);
    return { backup: plain.backup, keyName: plain.keyName, release: plain.release };
  } finally {
    await copy.release();
  }
}
