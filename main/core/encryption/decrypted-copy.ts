// Restore, drills and the impact preview hand pg_restore and psql a path, and some steps read the
// archive more than once (the preview's pg_restore --list, then the restore with --jobs, which needs
// a seekable file: a custom archive written to a pipe has no data offsets). So an encrypted backup
// is decrypted once into a private copy: a 0600 file in a fresh 0700 directory under
// HOLDFAST_HOME/decrypted, named after this process. It is removed when the operation ends however
// it ends, and a Holdfast killed mid-restore leaves it for the next start (removeStaleDecryptedCopies),
// which removes every copy whose process is gone. The README says so (Security).
import { basename, join } from 'node:path';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { deadProcessDirs, processDirPrefix } from '../process/liveness.ts';
import { HoldfastError } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import { ENCRYPTED_SUFFIX } from '../backup/naming.ts';
import { decryptFile, identitiesFor, type DecryptPass, type IdentitySource } from './decrypt-file.ts';
import type { HeldIdentity } from './keyring.ts';
import { finished } from 'node:stream/promises';

const PREFIX = 'holdfast-decrypted-';

export function decryptedRoot(home: string): string {
  return join(home, 'decrypted');
}

export interface DecryptedCopy<T extends BackupMetadata> {
  /** The backup as its plaintext: path, size and checksums of the private copy, `encrypted` false. */
  backup: T;
  keyName: string;
  release(): Promise<void>;
}

/**
 * `backup` (with `path` and `globalsPath` naming local copies of the stored files) decrypted into a
 * private directory. Refuses — nothing decrypted is kept — when the key is missing or wrong, the file
 * is damaged or truncated, or the stored file or its plaintext does not have its recorded checksum.
 */
export async function decryptedCopy<T extends BackupMetadata>(source: IdentitySource, home: string, backup: T, globalsPath: string | null): Promise<DecryptedCopy<T>> {
  const identities = await identitiesFor(source, backup);
  const root = decryptedRoot(home);
  await mkdir(root, { recursive: true, mode: 0o700 });
  await chmod(root, 0o700);
  const dir = await mkdtemp(join(root, processDirPrefix(PREFIX)));
  await chmod(dir, 0o700);
  const release = () => rm(dir, { recursive: true, force: true });
  try {
    const plainName = backup.filename.endsWith(ENCRYPTED_SUFFIX) ? backup.filename.slice(0, -ENCRYPTED_SUFFIX.length) : `${backup.filename}.decrypted`;
    const path = join(dir, plainName);
    const pass = await decryptInto(path, backup.path, backup, identities);
    const recorded = backup.encryption;
    const wrong =
      pass.storedChecksum !== backup.checksum
        ? `the stored file has ${pass.storedChecksum}, not the recorded ${backup.checksum}`
        : recorded && pass.plaintextChecksum !== recorded.plaintextChecksum
          ? `its content has ${pass.plaintextChecksum}, not the recorded ${recorded.plaintextChecksum}`
          : undefined;
    if (wrong) throw new HoldfastError('DECRYPT_FAILED', `${backup.filename} decrypts, but ${wrong}.`, 'Restore an earlier backup (holdfast list); verify this one (holdfast verify).');
    let globals: BackupMetadata['globals'] = backup.globals;
    if (globalsPath && backup.globals.filename) {
      const plainGlobals = join(dir, basename(backup.globals.filename, ENCRYPTED_SUFFIX));
      try {
        const roles = await decryptInto(plainGlobals, globalsPath, { ...backup, filename: backup.globals.filename }, identities);
        globals = { filename: basename(plainGlobals), checksum: roles.plaintextChecksum, note: null };
        if (recorded?.globalsPlaintextChecksum && recorded.globalsPlaintextChecksum !== roles.plaintextChecksum)
          globals = { filename: null, checksum: null, note: 'The roles file decrypts but its content does not have its recorded checksum.' };
      } catch (error) {
        globals = { filename: null, checksum: null, note: `The roles file could not be decrypted: ${(error as Error).message}` };
      }
    }
    const { encryption: _encryption, ...rest } = backup;
    void _encryption;
    const view = { ...rest, path, location: undefined, size: pass.plaintextSize, checksum: pass.plaintextChecksum, encrypted: false, globals } as unknown as T;
    return { backup: view, keyName: pass.keyName, release };
  } catch (error) {
    await release();
    throw error;
  }
}

/** Decrypts `source` into a new private file at `target`, resolving once every byte is written (a failed write rejects). */
async function decryptInto(target: string, source: string, backup: Pick<BackupMetadata, 'filename' | 'encryption'>, identities: HeldIdentity[]): Promise<DecryptPass> {
  const out = createWriteStream(target, { flags: 'wx', mode: 0o600 });
  const written = finished(out);
  written.catch(() => undefined);
  const pass = await decryptFile(source, backup, identities, [out]);
  await written;
  return pass;
}

/** Private copies left by a Holdfast process that died mid-restore (SIGKILL skips every finally). */
export async function removeStaleDecryptedCopies(home: string): Promise<string[]> {
  const removed: string[] = [];
  for (const { path } of deadProcessDirs(decryptedRoot(home), PREFIX)) {
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}
