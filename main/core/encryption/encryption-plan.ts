// Who one backup is encrypted to. The first level that says wins: the backup's own --encrypt-to or
// --no-encrypt (a schedule's are its backups' own), then the profile's, then BACKUP_ENCRYPTION_KEY.
// Key names are looked up in the keyring: an X25519 key stands for its public recipient; a passphrase
// key for its passphrase, read from the keychain now — age allows a passphrase only alone, so a list
// that mixes one with anything else is refused rather than silently dropping a recipient.
import { HoldfastError } from '../model/errors.ts';
import type { AgeTarget } from './age-stream.ts';
import { X25519_RECIPIENT } from './encrypt-to.ts';
import type { HeldIdentity, KeyEntry } from './keyring.ts';
import { parseRecipient } from './recipients.ts';
import { chosenEncryption, type ChoiceLevels } from './precedence.ts';

export interface EncryptionPlan {
  /** What the backup records: age1… recipients, or passphrase:<key name>. */
  recipients: string[];
  target: AgeTarget;
  /** Which level chose it, for messages: "--encrypt-to", "the schedule", "profile …", "BACKUP_ENCRYPTION_KEY". */
  chosenBy: string;
}

/** The levels a plan chooses from (precedence.ts states the order). */
export type PlanLevels = ChoiceLevels;

export interface KeyLookup {
  entries(): Promise<KeyEntry[]>;
  identities(): Promise<HeldIdentity[]>;
}

/** The plan for one backup; undefined when it is not encrypted. */
export async function encryptionPlan(keys: KeyLookup, levels: PlanLevels): Promise<EncryptionPlan | undefined> {
  const chosen = chosenEncryption(levels);
  if (chosen.value === 'none') return undefined;
  const entries = await keys.entries();
  const recipients: string[] = [];
  const passphrases: KeyEntry[] = [];
  for (const item of chosen.value) {
    if (X25519_RECIPIENT.test(item)) {
      recipients.push(parseRecipient(item, chosen.chosenBy));
      continue;
    }
    const entry = entries.find((candidate) => candidate.name === item);
    if (!entry)
      throw new HoldfastError(
        'NOT_FOUND',
        `${chosen.chosenBy} encrypts to key "${item}", and this machine has no key of that name.`,
        'holdfast key list shows the keys here; generate one (holdfast key generate --name N), import one, or give its recipient (age1…) instead.',
      );
    if (entry.kind === 'passphrase') passphrases.push(entry);
    else recipients.push(entry.recipient);
  }
  if (passphrases.length > 0) {
    if (passphrases.length > 1 || recipients.length > 0)
      throw new HoldfastError(
        'BAD_INPUT',
        `${chosen.chosenBy} mixes passphrase key "${passphrases[0]!.name}" with ${passphrases.length > 1 ? 'another passphrase' : 'other recipients'}: age allows a passphrase only as the one recipient of a file.`,
        'Encrypt to the passphrase alone, or to X25519 keys alone (several keys are fine: any one of them opens the backup).',
      );
    const key = passphrases[0]!;
    const held = (await keys.identities()).find((identity) => identity.name === key.name);
    if (!held)
      throw new HoldfastError(
        'NO_KEY',
        `${chosen.chosenBy} encrypts to passphrase key "${key.name}", and its passphrase is not in this machine's keychain.`,
        `Add it again: holdfast key add-passphrase --name ${key.name} (it reads the passphrase from standard input).`,
      );
    return { recipients: [key.recipient], target: { passphrase: held.identity }, chosenBy: chosen.chosenBy };
  }
  const unique = [...new Set(recipients)];
  return { recipients: unique, target: { recipients: unique }, chosenBy: chosen.chosenBy };
}
