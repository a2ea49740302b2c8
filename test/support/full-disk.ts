// A disk that is really full, for ENOSPC cases: a small tmpfs mounted over a directory (mounting needs
// root; `asRoot` says whether the cases can run) and a ballast file taking all of it but what a test
// leaves free.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const asRoot = process.getuid?.() === 0;

/**
 * Mounts a tmpfs of `size` (e.g. "1m") over `dir`; the returned function unmounts it. Private (0700),
 * as the directory it covers was: a tmpfs's root is 1777 by default, and a HOLDFAST_HOME anyone may
 * write in is refused (core/fsutil/dir-ownership.ts).
 */
export function mountTmpfs(dir: string, size: string): () => void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  return () => execFileSync('umount', [dir]);
}

/** Fills the file system holding `dir` until ENOSPC, then gives back `freeBytes`; returns the ballast's path. */
export function fillUp(dir: string, freeBytes = 0): string {
  const ballast = join(dir, 'ballast');
  const fd = openSync(ballast, 'w');
  try {
    for (;;) writeSync(fd, Buffer.alloc(4096));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  if (freeBytes > 0) execFileSync('truncate', ['-s', `-${freeBytes}`, ballast]);
  return ballast;
}
