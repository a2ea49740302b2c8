// BACKUP_ENCRYPTION_KEY: the age recipients every new backup is encrypted to. Either the recipients
// themselves (age1…, comma-separated) or the path of a recipients file (one per line, # comments, as
// `age -R` reads). Only public keys: the host that writes backups never needs a secret.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { decodeBech32 } from './bech32.ts';
import { HoldfastError } from '../model/errors.ts';
import { X25519_RECIPIENT } from './encrypt-to.ts';

function badKey(message: string): HoldfastError {
  return new HoldfastError(
    'BAD_INPUT',
    `BACKUP_ENCRYPTION_KEY is not valid: ${message}`,
    'Set it to one or more age recipients (age1…, comma-separated; `holdfast key generate` makes one) or to the path of a file with one recipient per line; unset it to write unencrypted backups.',
  );
}

/** One recipient, checked: an X25519 age recipient the age library accepts. */
export function parseRecipient(text: string, where = 'BACKUP_ENCRYPTION_KEY'): string {
  const recipient = text.trim();
  if (recipient.startsWith('AGE-SECRET-KEY-')) {
    throw badKey(`${where} holds an identity (AGE-SECRET-KEY-1…), a secret; it needs the public recipient (age1…). \`holdfast key import\` stores the identity and prints its recipient`);
  }
  if (!X25519_RECIPIENT.test(recipient)) throw badKey(`${JSON.stringify(recipient.slice(0, 70))} in ${where} is not an X25519 age recipient (age1 and 58 characters)`);
  const decoded = decodeBech32(recipient);
  if (decoded?.prefix !== 'age' || decoded.bytes.length !== 32) throw badKey(`${recipient} in ${where} cannot be decoded (its bech32 checksum is wrong: a character was mistyped or lost in copying)`);
  return recipient;
}

/** The recipients BACKUP_ENCRYPTION_KEY names; an empty list when it is unset. */
export function parseEncryptionKeySetting(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const text = value.trim();
  if (text.startsWith('age1') || text.startsWith('AGE-SECRET-KEY-')) return unique(text.split(',').map((part) => parseRecipient(part)));
  let content: string;
  try {
    content = readFileSync(text, 'utf8');
  } catch (error) {
    throw badKey(`it is neither an age recipient (age1…) nor a readable recipients file: ${text}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const lines = content
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length === 0) throw badKey(`the recipients file ${text} lists no recipient`);
  return unique(lines.map((line) => parseRecipient(line, `the recipients file ${text}`)));
}

function unique(recipients: string[]): string[] {
  return [...new Set(recipients)];
}

/** A short, stable name for a recipient in messages: its first and last characters. */
export function recipientLabel(recipient: string): string {
  return `${recipient.slice(0, 12)}…${recipient.slice(-6)}`;
}

/** sha256 of the recipient text, 16 hex: what the metadata records beside each recipient. */
export function recipientFingerprint(recipient: string): string {
  return createHash('sha256').update(recipient).digest('hex').slice(0, 16);
}
