// A file's identity for "is this still the very same file?" caches: device, inode, size, mtime and
// ctime. A replaced file (an upgrade, a copy put in place) has another inode or ctime, and ctime
// cannot be set back by touch, so a write by anything moves it even when the mtime is restored.
import { statSync } from 'node:fs';

/** The identity of the file at `path` (symlinks followed), or undefined when it cannot be stat'ed. */
export function fileIdentity(path: string): string | undefined {
  try {
    const info = statSync(path, { bigint: true });
    return [info.dev, info.ino, info.size, info.mtimeNs, info.ctimeNs].join(':');
  } catch {
    return undefined;
  }
}
