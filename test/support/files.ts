// Every regular file under a directory, for suites that scan what Holdfast left on disk (a secret or
// plaintext that must not be there). Symlinks are not followed.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every regular file under `dir`; throws if `dir` is not there (a scan of nothing must not pass). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** As filesUnder, or none while `dir` does not exist yet (a temp or decrypted directory made on demand). */
export function filesUnderIfAny(dir: string): string[] {
  return existsSync(dir) ? filesUnder(dir) : [];
}
