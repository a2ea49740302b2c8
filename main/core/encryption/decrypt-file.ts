// Reading an encrypted backup: the identities that can open it, and one decrypting pass over the
// stored file that checks, on the way, that the stored bytes have their recorded checksum and the
// plaintext its own. Every message about a missing or wrong key names the recipients the backup was
// made for, so the person knows which offline copy to fetch.
import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { readHashed } from '../fsutil/hashed-read.ts';
import { lend, letGo, letsGo, offer } from '../fsutil/lent-buffers.ts';
import { HoldfastError } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import { AgeError, AgeOpener } from './age-stream.ts';
import { ageSecret, type HeldIdentity } from './keyring.ts';
import { PASSPHRASE_RECIPIENT } from './encrypt-to.ts';
import { recipientLabel } from './recipients.ts';

/** What an engine context offers for decrypting: the identities whose secrets are on this machine. */
export interface IdentitySource {
  identities?(): Promise<HeldIdentity[]>;
}

export function recipientsOf(backup: Pick<BackupMetadata, 'encryption'>): string {
  const recipients = backup.encryption?.recipients ?? [];
  return recipients.length === 0 ? 'recipients it does not record' : recipients.join(', ');
}

/** The held identities for the backup's recipients; an error naming them when there is none. */
export async function identitiesFor(source: IdentitySource, backup: Pick<BackupMetadata, 'filename' | 'encryption'>): Promise<HeldIdentity[]> {
  const held = (await source.identities?.()) ?? [];
  const recipients = backup.encryption?.recipients;
  // A backup adopted without its recipients (or an age file made elsewhere): try every held key.
  let fitting = recipients && recipients.length > 0 ? held.filter((identity) => recipients.includes(identity.recipient)) : held;
  // A passphrase key's label is its name here; on another machine the same passphrase may be held under another name.
  if (fitting.length === 0 && recipients?.some((recipient) => recipient.startsWith(PASSPHRASE_RECIPIENT))) fitting = held.filter((identity) => identity.kind === 'passphrase');
  if (fitting.length === 0) {
    throw new HoldfastError(
      'NO_KEY',
      `Backup ${backup.filename} is encrypted to ${recipientsOf(backup)}, and this machine holds the secret of none of them${held.length > 0 ? ` (it holds ${held.map((identity) => `"${identity.name}" ${recipientLabel(identity.recipient)}`).join(', ')})` : ''}.`,
      'Import the identity from your offline copy (holdfast key import --name N < key.txt); holdfast key list shows which keys are here. Without it this backup cannot be restored on this machine.',
    );
  }
  return fitting;
}

export interface DecryptPass<Checksum extends string | undefined = string> {
  /** The identity that opened the file. */
  keyName: string;
  plaintextSize: number;
  plaintextChecksum: Checksum;
  storedChecksum: string;
}

/**
 * Decrypts the age file at `path` with the first fitting identity, handing the plaintext to `sinks`
 * (each ended at the end; one that closes early is skipped from then on). Throws a HoldfastError for
 * a file that does not decrypt: damaged, truncated, or for other keys.
 *
 * `hashPlaintext: false` skips the plaintext's SHA-256 (a third of the pass's CPU). Verify does: when
 * the stored file has its recorded checksum and every chunk authenticates, the plaintext is
 * necessarily the one recorded (decryption is deterministic), so a second hash proves nothing more.
 */
export async function decryptFile(path: string, backup: Pick<BackupMetadata, 'filename' | 'encryption'>, identities: readonly HeldIdentity[], sinks: readonly Writable[]): Promise<DecryptPass>;
export async function decryptFile(
  path: string,
  backup: Pick<BackupMetadata, 'filename' | 'encryption'>,
  identities: readonly HeldIdentity[],
  sinks: readonly Writable[],
  options: { hashPlaintext: false },
): Promise<DecryptPass<undefined>>;
export async function decryptFile(
  path: string,
  backup: Pick<BackupMetadata, 'filename' | 'encryption'>,
  identities: readonly HeldIdentity[],
  sinks: readonly Writable[],
  options: { hashPlaintext: boolean } = { hashPlaintext: true },
): Promise<DecryptPass<string | undefined>> {
  let keyName: string | undefined;
  // The stored file is read and hashed on a second thread; the decryption reads the same memory here
  // and lets go of each piece when done with it (it copies what it keeps), which frees it for the next read.
  const stored = readHashed(path);
  // When every sink lets go of what it is done with, each plaintext chunk is freed then rather than
  // at a garbage collection (see fsutil/lent-buffers.ts: most of a verify's CPU was that memory).
  const lending = sinks.length > 0 && sinks.every(letsGo);
  const hash = options.hashPlaintext ? createHash('sha256') : undefined;
  let plaintextSize = 0;
  // Each chunk goes straight to the sinks, waited for only when one of them is full.
  const deliver = (plain: Buffer): Promise<unknown> | undefined => {
    hash?.update(plain);
    plaintextSize += plain.length;
    if (lending) lend(plain, sinks.length);
    let full: Array<Promise<void>> | undefined;
    for (const sink of sinks) {
      const wait = offer(sink, plain);
      if (wait) (full ??= []).push(wait);
    }
    return full && Promise.all(full);
  };
  const opener = new AgeOpener(identities.map(ageSecret), ({ identityIndex }) => (keyName = identities[identityIndex]!.name));
  try {
    for (let piece; (piece = await stored.next()) !== null;) {
      await opener.take(piece, deliver);
      letGo(piece);
    }
    await opener.finish(deliver);
  } catch (error) {
    stored.stop();
    if (!(error instanceof AgeError)) throw error;
    throw new HoldfastError(
      'DECRYPT_FAILED',
      `${backup.filename} could not be decrypted: ${error.message}. It is encrypted to ${recipientsOf(backup)}; the keys tried were ${identities.map((held) => `"${held.name}"`).join(', ')}.`,
      /truncat|authenticate|damaged/.test(error.message)
        ? 'The stored file is damaged: restore an earlier backup (holdfast list), or a copy of this one from elsewhere.'
        : 'Import the identity this backup was encrypted to (holdfast key import --name N < key.txt).',
    );
  } finally {
    for (const sink of sinks) if (!sink.destroyed && !sink.writableEnded) sink.end();
  }
  const storedChecksum = `sha256:${await stored.sha256}`;
  return { keyName: keyName!, plaintextSize, plaintextChecksum: hash && `sha256:${hash.digest('hex')}`, storedChecksum };
}
