// The roles file beside a backup: roles and tablespaces from `pg_dumpall --globals-only`, without
// passwords. For an encrypted backup it is encrypted to the same recipients, straight from
// pg_dumpall's stdout, like the dump itself.
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { createPrivateFile, sealFile, sha256File } from '../fsutil/durable.ts';
import type { GlobalsInfo, Profile } from '../model/types.ts';
import { startChild, stderrTail, type ChildRecord } from '../process/child.ts';
import type { ClientToolSet } from '../tools/discover.ts';
import { writeEncrypted } from './encrypted-output.ts';
import type { AgeTarget } from '../encryption/age-stream.ts';
import { TEMP_SUFFIX } from './naming.ts';

export interface SavedGlobals extends GlobalsInfo {
  /** Encrypted roles files: the plaintext's checksum, for the decrypted copy a restore reads. */
  plaintextChecksum?: string;
}

/** Roles and tablespaces, without passwords; a role that may not read them gets a note instead. */
export async function dumpGlobals(
  tools: ClientToolSet,
  profile: Profile,
  env: NodeJS.ProcessEnv,
  tempPath: string,
  run: { signal: AbortSignal | undefined; timeoutMs: number; onStart: (child: ChildRecord) => void; encryptTo: AgeTarget | undefined; onStderr?: (stderr: string) => void },
): Promise<SavedGlobals> {
  await createPrivateFile(tempPath);
  const encrypt = run.encryptTo !== undefined;
  const child = startChild(
    tools.paths.pg_dumpall,
    // -l takes a plain name; one with "=" would be read as a connection string, so such a database
    // falls back to pg_dumpall's default (postgres, then template1).
    ['--globals-only', '--no-role-passwords', '--no-password', ...(encrypt ? [] : [`--file=${tempPath}`]), ...(profile.dbname.includes('=') ? [] : [`--database=${profile.dbname}`])],
    { env, signal: run.signal, timeoutMs: run.timeoutMs, onStart: run.onStart, streamStdout: encrypt },
  );
  const written = encrypt ? writeEncrypted(child.child.stdout!, tempPath, run.encryptTo!).catch((error: Error) => error) : undefined;
  const result = await child.done;
  run.onStderr?.(result.stderr);
  const encrypted = await written;
  if (result.exitCode !== 0 || encrypted instanceof Error) {
    await rm(tempPath, { force: true });
    const why = result.exitCode !== 0 ? `pg_dumpall failed: ${stderrTail(result.stderr, 2) || `exit ${result.exitCode}`}` : `encrypting them failed: ${(encrypted as Error).message}`;
    return { filename: null, checksum: null, note: `Roles and tablespaces were not saved: ${why}` };
  }
  await sealFile(tempPath);
  const checksum = encrypted ? encrypted.checksum : `sha256:${await sha256File(tempPath)}`;
  return { filename: basename(tempPath.slice(0, -TEMP_SUFFIX.length)), checksum, note: null, ...(encrypted ? { plaintextChecksum: encrypted.plaintextChecksum } : {}) };
}
