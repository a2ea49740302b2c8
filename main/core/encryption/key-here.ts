// Whether this machine can open an encrypted backup: one of the recipients it was encrypted to has its
// secret in this machine's secret store. Lists mark each encrypted backup with it (keyHere), so the
// Backups table, the details panel and `holdfast list` say "key not here" before anyone tries a restore.
import { PASSPHRASE_RECIPIENT } from './passphrase-recipient.ts';
import type { KeyEntry, Keyring } from './keyring.ts';

export type HeldKey = Pick<KeyEntry, 'recipient' | 'kind'> & { secretHere: boolean };

export function opensHere(recipients: readonly string[], keys: readonly HeldKey[]): boolean {
  const here = keys.filter((key) => key.secretHere);
  if (recipients.some((recipient) => here.some((key) => key.recipient === recipient))) return true;
  // A passphrase backup opens with its passphrase, whatever name the key holding it has here.
  return recipients.some((recipient) => recipient.startsWith(PASSPHRASE_RECIPIENT)) && here.some((key) => key.kind === 'passphrase');
}

/** Who a listed entry was encrypted to: a full record's encryption, a summary's encryptedTo; null when not encrypted (or an attempt). */
function recipientsOf(entry: object): readonly string[] | null {
  if ('encryption' in entry) return (entry.encryption as { recipients: string[] } | undefined)?.recipients ?? null;
  if ('encryptedTo' in entry) return entry.encryptedTo as string[] | null;
  return null;
}

type Marked<T> = T extends { members: Array<infer M> } ? T & { members: Array<M & { keyHere?: boolean }> } : T & { keyHere?: boolean };

/** The entries with keyHere on each encrypted backup (a set's members included); the secret store is read only when one is encrypted. */
export async function markKeyHere<T extends object>(keyring: Pick<Keyring, 'withSecrets'>, entries: readonly T[]): Promise<Array<Marked<T>>> {
  const all = entries.flatMap((entry) => ['members' in entry && Array.isArray(entry.members) ? (entry.members as object[]) : [], [entry]].flat());
  const keys = all.some((entry) => recipientsOf(entry) !== null) ? await keyring.withSecrets() : [];
  const mark = <E extends object>(entry: E): E & { keyHere?: boolean } => {
    const recipients = recipientsOf(entry);
    return recipients === null ? entry : { ...entry, keyHere: opensHere(recipients, keys) };
  };
  return entries.map((entry) => ('members' in entry && Array.isArray(entry.members) ? { ...entry, members: entry.members.map((m: object) => mark(m)) } : mark(entry))) as Array<Marked<T>>;
}
