// Who a backup is encrypted to, as a profile, a schedule or one backup may say it: "none" (not
// encrypted, whatever the default), or a list of age recipients (age1…) and key names from the
// keyring (an X25519 key stands for its recipient, a passphrase key for its passphrase). Left out, the
// next level decides: backup flag > schedule > profile > BACKUP_ENCRYPTION_KEY (encryption-plan.ts).
import * as z from 'zod';
import { lazySchema } from '../model/lazy-schema.ts';
import { decodeBech32 } from './bech32.ts';
import { PASSPHRASE_RECIPIENT } from './passphrase-recipient.ts';

export { PASSPHRASE_RECIPIENT, passphraseRecipient } from './passphrase-recipient.ts';

export const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const X25519_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

const RecipientOrKeyName = lazySchema(() =>
  z
    .string()
    .trim()
    .refine((text) => !text.startsWith('AGE-SECRET-KEY-'), 'that is an identity (AGE-SECRET-KEY-1…), a secret: give its public recipient (age1…) or the key name (holdfast key list)')
    // Checked here, at the boundary, so a mistyped recipient is refused before anything is stored or
    // run, rather than read as a key name (age1… is a valid name) or failing the backup it is given to.
    .refine((text) => !text.startsWith('age1') || X25519_RECIPIENT.test(text), 'that starts like an age recipient but is not one: an X25519 age recipient is age1 and 58 characters')
    .refine(
      (text) => !X25519_RECIPIENT.test(text) || decodeBech32(text)?.bytes.length === 32,
      'that age recipient cannot be decoded (its bech32 checksum is wrong: a character was mistyped or lost in copying)',
    )
    .refine((text) => X25519_RECIPIENT.test(text) || KEY_NAME.test(text), 'give an X25519 age recipient (age1 and 58 characters) or the name of a key (holdfast key list)'),
);

export const EncryptToSchema = lazySchema(() =>
  z.union([
    z.literal('none'),
    z
      .array(RecipientOrKeyName)
      .min(1, 'give at least one recipient or key name, or "none"')
      .max(32, 'at most 32 recipients')
      .transform((list) => [...new Set(list)]),
  ]),
);
export type EncryptTo = z.output<typeof EncryptToSchema>;
