// A drill of an encrypted backup restores its private decrypted copy (encryption/decrypted-copy.ts),
// so the checks it ran name that copy: a path under HOLDFAST_HOME/decrypted that is gone by the time
// anyone reads the result, the plaintext's size and checksum. decryptedCopy refused the copy unless
// the stored file had its recorded checksum and its content its recorded plaintext checksum, so the
// stored file's own facts hold: they are what the drill reports, in verify's words.
import type { EngineContext } from '../backup/backup.ts';
import type { BackupMetadata } from '../model/types.ts';
import { backupStorage } from '../storage/storage.ts';
import type { VerifyCheck } from '../verify/check-types.ts';
import { decryptedDetail } from '../verify/encrypted-contents.ts';

/**
 * `checks` (run on the decrypted copy) with its exists, size and checksum checks said of `stored`,
 * followed by the decrypt check; `from` names the destination whose copy was read when there is no
 * local file. Failed checks are kept as they are: they say what was wrong with the copy read.
 */
export function checksOfStoredFile(context: Pick<EngineContext, 'config'>, stored: BackupMetadata, checks: VerifyCheck[], keyName: string, from: string | undefined): VerifyCheck[] {
  const location = backupStorage(context.config).locate(stored);
  const stated: Partial<Record<VerifyCheck['name'], string>> = {
    exists: from ? `its copy on "${from}" (no local file)` : location.destination.describe(location.key),
    size: `${stored.size} bytes`,
    checksum: `${stored.checksum} (the encrypted file)`,
  };
  const restated = checks.map((check) => {
    const detail = stated[check.name];
    return check.status === 'ok' && detail !== undefined ? { ...check, detail } : check;
  });
  const afterChecksum = restated.findIndex((check) => check.name === 'checksum') + 1;
  const decrypt: VerifyCheck = { name: 'decrypt', status: 'ok', detail: decryptedDetail(keyName, stored, true) };
  return afterChecksum > 0 ? [...restated.slice(0, afterChecksum), decrypt, ...restated.slice(afterChecksum)] : restated;
}
