// The storage room: where a backup's bytes live, behind one interface, so the engine never knows
// which medium it reads from (pgBackRest's storage/ shape: one folder per medium behind one interface).
//
// - A destination is named ('local' is BACKUP_DIR) and holds objects under keys: POSIX paths relative
//   to its root. A key that climbs out ("..") or starts at a root ("/x", "C:/x") is refused, whatever
//   the medium, so a catalogue row or a sidecar can never point a destination outside itself.
// - An object is a file (custom, tar, plain dumps, sidecars, roles files) or a tree (a directory-format
//   dump: its files under the key as a prefix). put/putTree/list/remove/stat take either.
// - put is all or nothing: the bytes are checked against the SHA-256 and size the caller expects
//   (a remote medium reads its copy back and compares) and only a match appears under the key.
// - Readers stream with open(), or ask localFile() when a tool (pg_restore, psql) needs a path: the
//   local medium hands back the stored file itself; a remote one will hand back a private temporary
//   download, which release() removes. Readers always release.
// - durableRename exists where the medium has one (a POSIX directory); remote media leave it out.
// - A crash mid-put leaves nothing under the final key: the local medium's hidden
//   ".<name>.put-<random>.tmp" beside it, or an S3 multipart upload that was never completed (its
//   parts are invisible, but billed, until aborted). Start-up cleanup caveat: another Holdfast
//   process (the desktop app beside the CLI, the daemon) may be in the middle of a put to the same
//   destination right now, so a start-up sweep must not remove every put temp file or abort every
//   open multipart upload it finds. It may only take what is provably dead: a temp or upload whose
//   owner (a run row with its pid and start token, as reconcile does for BACKUP_DIR's .tmp files)
//   is gone, or one older than any put could last. Until that bookkeeping exists, no sweep runs on
//   named destinations (and a copy row a crash left 'uploading' stays so; the copy is not counted).
//   On S3, an AbortIncompleteMultipartUpload lifecycle rule on the bucket is the safe backstop.
// Which destination and key a catalogued backup has, and how companions are named, is storage.ts.
import type { Readable } from 'node:stream';
import { HoldfastError } from '../model/errors.ts';

export type ObjectKind = 'file' | 'tree';

/** A tree's file as put records it: the path is relative to the tree's key, with POSIX separators. */
export interface TreeEntry {
  path: string;
  size: number;
  sha256: string;
}

export interface ObjectInfo {
  kind: ObjectKind;
  /** Bytes: the file's, or the total of a tree's files. */
  size: number;
}

/** A readable local file for a tool that needs a path; release() once done (a no-op for the local medium). */
export interface LocalCopy {
  path: string;
  release(): Promise<void>;
}

export interface Destination {
  /** The destination's name as a location records it ('local' for BACKUP_DIR). */
  readonly name: string;
  /** Where a key is, in words a DBA recognises (for the local medium: its absolute path). */
  describe(key: string): string;
  /** Stores a file from a stream; refused (nothing under `key`) unless its SHA-256 (hex) and size match. Refused when `key` is taken. */
  put(key: string, source: Readable, expected: { sha256: string; size: number }): Promise<void>;
  /** Stores a local directory as a tree under `key`, every file checked against `expected`; all or nothing. */
  putTree(key: string, sourceDir: string, expected: readonly TreeEntry[]): Promise<void>;
  open(key: string): Promise<Readable>;
  localFile(key: string): Promise<LocalCopy>;
  /** undefined when nothing is under `key`. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** What is directly under a prefix ('' for the root), one level deep, sorted by key: files and trees. */
  list(prefix: string): Promise<Array<{ key: string; kind: ObjectKind }>>;
  /** Removes a file or a whole tree; nothing under `key` counts as removed. */
  remove(key: string): Promise<void>;
  /** Renames and makes the rename durable (fsync of the directory); only on media that have one. */
  durableRename?(from: string, to: string): Promise<void>;
}

/**
 * A key as every destination accepts it: relative, POSIX separators, no "." or ".." or empty segment,
 * no backslash or NUL. '' (the root) only where `allowRoot` says so (list).
 */
export function checkKey(key: string, options: { allowRoot?: boolean } = {}): string {
  if (key === '' && options.allowRoot) return key;
  const segments = key.split('/');
  const bad =
    key === ''
      ? 'it is empty'
      : key.startsWith('/') || /^[A-Za-z]:/.test(key)
        ? 'it is absolute'
        : key.includes('\\') || key.includes('\0')
          ? 'it holds a backslash or NUL'
          : segments.some((segment) => segment === '..')
            ? 'it climbs out of the destination with ".."'
            : segments.some((segment) => segment === '' || segment === '.')
              ? 'it has an empty or "." segment'
              : undefined;
  if (bad) {
    throw new HoldfastError(
      'BAD_INPUT',
      `Storage key ${JSON.stringify(key)} is refused: ${bad}.`,
      'A key is a path relative to its destination, with "/" between parts; check the catalogue row or sidecar that named it.',
    );
  }
  return key;
}

/** The key's last segment: a file name. */
export function keyName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
