// What `holdfast key list` shows: each key, whether its secret is on this machine, and how many
// catalogued backups were encrypted to it (the backups that cannot be restored here without it).
import type { BackupMetadata } from '../model/types.ts';
import type { KeyEntry, Keyring } from './keyring.ts';

export interface KeyView extends KeyEntry {
  secretHere: boolean;
  /** Catalogued backups (any status) encrypted to this key's recipient. */
  backups: number;
}

export async function listKeys(keyring: Keyring, backups: readonly Pick<BackupMetadata, 'encryption'>[]): Promise<KeyView[]> {
  return (await keyring.withSecrets()).map((key) => ({ ...key, backups: backups.filter((backup) => backup.encryption?.recipients.includes(key.recipient)).length }));
}

/** An identity file as `age-keygen` writes it, for an offline copy. */
export function identityFileText(entry: KeyEntry, identity: string): string {
  return `# created: ${entry.createdAt}\n# holdfast key: ${entry.name}\n# public key: ${entry.recipient}\n${identity}\n`;
}
