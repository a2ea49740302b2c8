// Where a copy read from a destination lands while a restore, drill or verify uses it: a fresh 0700
// directory in the system temp dir, named for this process (process/liveness.ts). The reader removes
// it when done; a Holdfast killed meanwhile (SIGKILL skips every finally) would leave a whole dump in
// /tmp — plaintext when the backup is not encrypted — so the next start removes those of dead processes.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processDirPrefix, removeDeadProcessDirs } from '../process/liveness.ts';

const PREFIX = { download: 'holdfast-download-', copy: 'holdfast-copy-' } as const;

export const DOWNLOAD_PREFIXES = Object.values(PREFIX);

/** download: one object for a tool that needs a path (localFile); copy: a backup and its roles file read for a restore. */
export function makeDownloadDir(kind: keyof typeof PREFIX): Promise<string> {
  return mkdtemp(join(tmpdir(), processDirPrefix(PREFIX[kind])));
}

/** Download directories left by a Holdfast process that died. */
export async function removeStaleDownloads(): Promise<string[]> {
  const removed: string[] = [];
  for (const prefix of DOWNLOAD_PREFIXES) removed.push(...(await removeDeadProcessDirs(tmpdir(), prefix)));
  return removed;
}
