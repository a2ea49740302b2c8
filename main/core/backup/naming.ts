// Backup file names: backup-<ISO time with - for : and .>-<profile>[-<suffix>].<ext>, as in the
// specification ("backup-2024-01-15T02-00-00-000Z-daily.sql.gz"), plus the profile.

/** A profile name made safe for a file name: anything but letters, digits, "." "_" "-" becomes "_". */
export function fileSafe(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.{2,}/g, '_');
  return safe.length > 0 ? safe.slice(0, 64) : '_';
}

export function fileTimestamp(at: Date): string {
  return at.toISOString().replace(/[:.]/g, '-');
}

export function backupFilename(at: Date, profile: string, suffix: string | undefined, extension: string): string {
  const parts = ['backup', fileTimestamp(at), fileSafe(profile)];
  if (suffix) parts.push(suffix);
  return `${parts.join('-')}.${extension}`;
}

export const TEMP_SUFFIX = '.tmp';
export const SIDECAR_SUFFIX = '.json';
export const GLOBALS_SUFFIX = '.globals.sql';

export const ENCRYPTED_SUFFIX = '.age';

/**
 * The sidecar and globals file sit beside the dump and share its name. An encrypted dump's roles file
 * is encrypted too and says so the same way: backup-….dump.age → backup-….dump.globals.sql.age.
 */
export function companionPaths(finalPath: string): { sidecar: string; globals: string } {
  const globals = finalPath.endsWith(ENCRYPTED_SUFFIX) ? `${finalPath.slice(0, -ENCRYPTED_SUFFIX.length)}${GLOBALS_SUFFIX}${ENCRYPTED_SUFFIX}` : `${finalPath}${GLOBALS_SUFFIX}`;
  return { sidecar: `${finalPath}${SIDECAR_SUFFIX}`, globals };
}
