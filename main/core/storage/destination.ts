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
//   parts are invisible, but billed, until aborted). Start-up cleanup takes only what is provably
//   dead: another Holdfast process (the desktop app beside the CLI, the daemon) may be putting to
//   the same destination right now. So the sweep is per copy: a backup_copies row left 'uploading'
//   whose owner (pid + process token) is gone has its own keys' leftovers cleared by
//   clearAbandonedPut (copy-recovery.ts): that key's put temp files, or the multipart uploads open
//   under that exact object key (the recorded upload id, and any the service lists). On S3, an
//   AbortIncompleteMultipartUpload lifecycle rule on the bucket remains the backstop.
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

/** What a put tells while it runs, so a crash can be cleaned up after by the next start. */
export interface PutHooks {
  /** An S3 multipart upload was opened under the key (its id), or closed (null). */
  onMultipartUpload?(uploadId: string | null): void;
}

export interface Destination {
  /** The destination's name as a location records it ('local' for BACKUP_DIR). */
  readonly name: string;
  /** Where a key is, in words a DBA recognises (for the local medium: its absolute path). */
  describe(key: string): string;
  /**
   * true: put itself reads the stored object back from the medium and compares its SHA-256 and size
   * (remote media, through remote-object.ts), so a copier need not read it a second time. false: put
   * checks the bytes as it writes them, and a copier that must have read the stored copy reads it.
   */
  readonly putReadsBack: boolean;
  /** Stores a file from a stream; refused (nothing under `key`) unless its SHA-256 (hex) and size match. Refused when `key` is taken. */
  put(key: string, source: Readable, expected: { sha256: string; size: number }, hooks?: PutHooks): Promise<void>;
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
  /**
   * After a crash: removes what an interrupted put of `key` may have left that is not under the key
   * itself (the local medium's temp files beside it, S3's open multipart uploads for that key, the
   * recorded one first). Says what it removed and what it could not.
   */
  clearAbandonedPut(key: string, uploadId: string | null): Promise<{ cleared: string[]; problems: string[] }>;
  /**
   * Throws (CONNECTION_FAILED) when the medium itself is not there, where a lookup would otherwise
   * answer "nothing under that key": a directory destination whose share is unmounted. Remote media
   * leave it out; their lookups already fail when the service cannot be reached.
   */
  requireReachable?(): Promise<void>;
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
