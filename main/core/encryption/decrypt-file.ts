// Reading an encrypted backup: the identities that can open it, and one decrypting pass over the
// stored file that checks, on the way, that the stored bytes have their recorded checksum and the
// plaintext its own. Every message about a missing or wrong key names the recipients the backup was
// made for, so the person knows which offline copy to fetch.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readHashed } from '../fsutil/hashed-read.ts';
import { lend, letsGo, offer } from '../fsutil/lent-buffers.ts';
import { HoldfastError } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import { AgeDecryptStream, AgeError } from './age-stream.ts';
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
      `Backup ${backup.filename} is encrypted to ${recipientsOf(backup)}, and this machine ${(recipients?.length ?? 0) === 1 ? 'does not hold its secret' : 'holds the secret of none of them'}${held.length > 0 ? ` (it holds ${held.map((identity) => `"${identity.name}" ${recipientLabel(identity.recipient)}`).join(', ')})` : ''}.`,
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

/** Hashes and counts the plaintext and hands each chunk to the sinks; it passes nothing on. */
function digestTap(onChunk: (chunk: Buffer) => Promise<void>, hashing = true): { tap: Writable; result: () => { size: number; checksum: string | undefined } } {
  const hash = hashing ? createHash('sha256') : undefined;
  let size = 0;
  const tap = new Writable({
    write(chunk: Buffer, _encoding, done) {
      hash?.update(chunk);
      size += chunk.length;
      onChunk(chunk).then(() => done(), done);
    },
  });
  return { tap, result: () => ({ size, checksum: hash && `sha256:${hash.digest('hex')}` }) };
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
  const plain = digestTap(async (chunk) => {
    if (lending) lend(chunk, sinks.length);
    await Promise.all(sinks.map((sink) => offer(sink, chunk)));
  }, options.hashPlaintext);
  try {
    await pipeline(stored.bytes, new AgeDecryptStream(identities.map(ageSecret), ({ identityIndex }) => (keyName = identities[identityIndex]!.name)), plain.tap);
  } catch (error) {
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
  const plaintext = plain.result();
  return { keyName: keyName!, plaintextSize: plaintext.size, plaintextChecksum: plaintext.checksum, storedChecksum };
}
