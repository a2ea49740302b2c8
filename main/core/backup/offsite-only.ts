// Backups kept on their destinations only (--no-local-copy). The rule: the local files are the
// backup until a copy is proven, so they go only after EVERY named copy was read back and matched its
// SHA-256; if any copy did not verify they stay, and the backup says why. One verified copy out of two
// is not enough: a later `holdfast copies retry` needs the local file to upload the other from.
import { HoldfastError } from '../model/errors.ts';
import type { BackupCopy, BackupMetadata } from '../model/types.ts';
import { removeFinalFiles } from './seal.ts';
import type { BackupOptions } from './options.ts';

/** What became of the local files of a backup asked to be kept on its destinations only. */
export interface LocalFileOutcome {
  kept: boolean;
  /** Why they were kept; null when they were removed. */
  reason: string | null;
}

/** Whether this backup is to be kept on its destinations only: its own choice, else the profile's. */
export function keepsNoLocalCopy(options: Pick<BackupOptions, 'noLocalCopy'>, profile: { noLocalCopy?: boolean }): boolean {
  return options.noLocalCopy ?? profile.noLocalCopy ?? false;
}

/** Refused before the dump starts: a backup with nowhere to go, or one no copy could be read back from. */
export function refuseNoLocalCopy(options: Pick<BackupOptions, 'format'>, copyTo: readonly string[]): void {
  if (copyTo.length === 0)
    throw new HoldfastError(
      'BAD_INPUT',
      '--no-local-copy needs at least one destination to copy the backup to; with none, the local file would be its only copy.',
      "Name one with --copy-to, or set the profile's default destinations (holdfast profile edit <name> --copy-to <destination>).",
    );
  if (options.format === 'directory')
    throw new HoldfastError(
      'BAD_INPUT',
      'A directory-format backup cannot be kept on destinations only: restoring one from a copy is not supported yet.',
      'Use --format custom (the default), or leave out --no-local-copy.',
    );
}

/** Removes the local dump, roles file and sidecar when every named copy verified; otherwise keeps them and says which did not. */
export async function releaseLocalFiles(backup: Pick<BackupMetadata, 'path'>, named: readonly string[], copies: readonly BackupCopy[]): Promise<LocalFileOutcome> {
  // Never on an empty list: with no destination named, the local file is the backup's only copy.
  if (named.length === 0) return { kept: true, reason: 'no destination was named, so the local files are its only copy' };
  const unverified = named.filter((name) => copies.find((copy) => copy.destination === name)?.state !== 'verified');
  if (unverified.length > 0) {
    const which = unverified.map((name) => `"${name}"`).join(', ');
    return { kept: true, reason: `the ${unverified.length === 1 ? 'copy' : 'copies'} on ${which} ${unverified.length === 1 ? 'was' : 'were'} not verified` };
  }
  try {
    await removeFinalFiles(backup);
  } catch (error) {
    // Still whole on every destination; what could not be removed stays, and the answer says so.
    return { kept: true, reason: `removing the local files failed: ${(error as Error).message}` };
  }
  return { kept: false, reason: null };
}
