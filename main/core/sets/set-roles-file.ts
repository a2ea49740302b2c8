// A whole-server set's roles file (pg_dumpall --globals-only) as text, for a set restore or a set
// drill: checked against the checksum recorded when it was written, and — for an encrypted set, whose
// roles file is an age file — decrypted in memory with a key whose secret is here. It is a few
// kilobytes of SQL, so its plaintext never needs, and never reaches, a disk. Without the key the
// refusal names the recipients the set was encrypted to and how to bring the key here.
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { ENCRYPTED_SUFFIX } from '../backup/naming.ts';
import { decodeRolesFile } from '../drill/roles-file.ts';
import { decryptFile, identitiesFor, type IdentitySource } from '../encryption/decrypt-file.ts';
import { sha256File } from '../fsutil/durable.ts';
import { HoldfastError } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import type { BackupSet } from './set-record.ts';

export interface SetRolesText {
  text: string;
  /** The key that decrypted an encrypted roles file. */
  keyName: string | undefined;
}

/**
 * `path` is where the set's roles file lies; `members` the set's member backups, whose recorded
 * recipients are the set's (one encryption plan is made for a whole set).
 */
export async function readSetRolesFile(source: IdentitySource, set: Pick<BackupSet, 'id' | 'globals'>, path: string, members: readonly BackupMetadata[]): Promise<SetRolesText> {
  if (`sha256:${await sha256File(path)}` !== set.globals.checksum)
    throw new HoldfastError('VERIFY_FAILED', `The set's roles file ${path} no longer has its recorded checksum.`, `Run \`holdfast verify ${set.id}\`; restore the roles from an earlier set.`);
  if (!path.endsWith(ENCRYPTED_SUFFIX)) return { text: decodeRolesFile(await readFile(path)), keyName: undefined };
  const encryption = members.find((member) => member.encrypted)?.encryption;
  const file = { filename: set.globals.filename ?? path, ...(encryption ? { encryption } : {}) };
  const identities = await identitiesFor(source, file);
  const chunks: Buffer[] = [];
  const memory = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const pass = await decryptFile(path, file, identities, [memory]);
  return { text: decodeRolesFile(Buffer.concat(chunks)), keyName: pass.keyName };
}
