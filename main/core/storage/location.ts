// A backup's location: which destination holds it and under which key. The one rule that turns a
// local path into a location, used by new backups, adopt, and the catalogue's migration alike.
import { isAbsolute, relative, sep } from 'node:path';
import type { BackupMetadata } from '../model/types.ts';

export type BackupLocation = NonNullable<BackupMetadata['location']>;

/** The destination name of BACKUP_DIR. */
export const LOCAL_DESTINATION = 'local';

/**
 * A local file's location: its key relative to BACKUP_DIR when it lies under it; otherwise (adopted
 * in place, BACKUP_DIR changed since, or no BACKUP_DIR known) the 'local' destination with the
 * absolute path as the key, which storage.ts reads through a destination rooted at the file's folder.
 */
export function localLocation(path: string, backupDir: string | undefined): BackupLocation {
  const inside = backupDir === undefined ? path : (plainlyUnder(path, backupDir) ?? relative(backupDir, path));
  const under = backupDir !== undefined && inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
  return { destination: LOCAL_DESTINATION, key: (under ? inside : path).split(sep).join('/') };
}

/**
 * The rest of `path` after `dir` when it plainly lies under it (no `.` or `..` segment after it), which
 * is what `relative` answers, without resolving both paths: the start-up file check asks this of every
 * catalogued backup. Undefined when it is not that simple.
 */
function plainlyUnder(path: string, dir: string): string | undefined {
  const prefix = dir.endsWith(sep) ? dir : `${dir}${sep}`;
  if (!isAbsolute(dir) || !path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  return rest.split(sep).some((segment) => segment === '.' || segment === '..' || segment === '') ? undefined : rest;
}
