// Where a catalogued backup's bytes are: its destination, its key, and its companions' keys (the
// sidecar and the roles file share the dump's name and folder). Every reader of a backup — verify,
// restore, drills, retention, reconcile, adopt — comes through here; see destination.ts for the room.
import { readdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute } from 'node:path';
import { SIDECAR_SUFFIX } from '../backup/naming.ts';
import { HoldfastError } from '../model/errors.ts';
import type { BackupMetadata, GlobalsInfo } from '../model/types.ts';
import { keyName, type Destination } from './destination.ts';
import { LocalDirectoryDestination } from './local-directory.ts';
import { LOCAL_DESTINATION, localLocation, type BackupLocation } from './location.ts';

/** What finding a backup's files takes: where it is stored and its roles file's name, not its whole record. */
export type StoredBackupRef = Pick<BackupMetadata, 'location' | 'path'> & { globals: Pick<GlobalsInfo, 'filename'> };

export interface StoredBackup {
  destination: Destination;
  key: string;
  sidecarKey: string;
  /** The roles file the backup records, beside it; null when it has none. */
  globalsKey: string | null;
}

/** Folder → its names (undefined: it could not be listed), as `presence` listed them. */
export type FolderListings = Map<string, Promise<Set<string> | undefined>>;

export class BackupStorage {
  private readonly local: LocalDirectoryDestination | undefined;

  /** backupDir undefined: a catalogue opened on its own, whose rows are keyed by absolute path. */
  constructor(readonly backupDir: string | undefined) {
    this.local = backupDir === undefined ? undefined : new LocalDirectoryDestination(LOCAL_DESTINATION, backupDir);
  }

  destination(name: string): Destination {
    if (name === LOCAL_DESTINATION && this.local) return this.local;
    if (name === LOCAL_DESTINATION)
      throw new HoldfastError(
        'INTERNAL',
        'A backup is keyed relative to BACKUP_DIR, but this catalogue was opened without one.',
        'Open the catalogue through Holdfast (it knows BACKUP_DIR), not on its own.',
      );
    throw new HoldfastError(
      'NOT_FOUND',
      `No storage destination named "${name}".`,
      `This Holdfast stores backups in "${LOCAL_DESTINATION}" (BACKUP_DIR) only; a catalogue written by a newer Holdfast may name others: upgrade Holdfast.`,
    );
  }

  /**
   * A local backup is where its absolute path says, keyed against this process's BACKUP_DIR: BACKUP_DIR
   * is each process's own setting (the CLI run with another one beside the desktop app, or changed
   * since), so a key made against another would name the wrong file here. The path is written with
   * every local backup, so reading by it changes nothing for them; other destinations go by location.
   */
  locationOf(backup: Pick<BackupMetadata, 'location' | 'path'>): BackupLocation {
    const local = backup.location === undefined || backup.location.destination === LOCAL_DESTINATION;
    return local && isAbsolute(backup.path) ? localLocation(backup.path, this.backupDir) : (backup.location ?? localLocation(backup.path, this.backupDir));
  }

  locate(backup: StoredBackupRef): StoredBackup {
    const location = this.locationOf(backup);
    const outside = location.destination === LOCAL_DESTINATION && isAbsoluteKey(location.key);
    // Outside BACKUP_DIR: its own folder is the destination, so it and its companions are reachable and nothing beyond.
    const destination = outside ? new LocalDirectoryDestination(LOCAL_DESTINATION, dirname(location.key)) : this.destination(location.destination);
    const key = outside ? keyName(location.key) : location.key;
    const folder = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
    return {
      destination,
      key,
      sidecarKey: `${key}${SIDECAR_SUFFIX}`,
      globalsKey: backup.globals.filename === null ? null : `${folder}${backup.globals.filename}`,
    };
  }

  /**
   * Whether each backup is stored, for many at once (reconcile at every start): local ones by one
   * listing of their folder, not a stat per backup — on a 10,000-backup home that was most of
   * `holdfast serve`'s time to its first answer. A folder that cannot be listed falls back to isPresent.
   */
  async presence<T extends StoredBackupRef>(backups: readonly T[], listings: FolderListings = new Map()): Promise<Map<T, boolean>> {
    const present = new Map<T, boolean>();
    const local: Array<{ backup: T; folder: string; name: string }> = [];
    for (const backup of backups) {
      const stored = this.locate(backup);
      if (!(stored.destination instanceof LocalDirectoryDestination)) {
        present.set(backup, await this.isPresent(backup));
        continue;
      }
      const path = stored.destination.describe(stored.key);
      local.push({ backup, folder: dirname(path), name: basename(path) });
    }
    // Each folder listed once, all at the same time (once per check, when it passes `listings` from
    // batch to batch); a folder that cannot be listed asks per file.
    for (const folder of new Set(local.map((entry) => entry.folder))) {
      if (!listings.has(folder))
        listings.set(
          folder,
          readdir(folder).then(
            (names) => new Set(names),
            () => undefined,
          ),
        );
    }
    for (const { backup, folder, name } of local) {
      const names = await listings.get(folder);
      present.set(backup, names ? names.has(name) : await this.isPresent(backup));
    }
    return present;
  }

  /** Whether anything is stored under the backup's key (reconcile's missing / found again). */
  async isPresent(backup: StoredBackupRef): Promise<boolean> {
    const stored = this.locate(backup);
    return (await stored.destination.stat(stored.key)) !== undefined;
  }

  /**
   * The backup with `path` naming a readable local copy, for the tools that take a path (pg_restore,
   * psql's input); release() when done. For the local destination the copy is the stored file itself.
   */
  async readable<T extends StoredBackupRef>(backup: T): Promise<{ backup: T; release: () => Promise<void> }> {
    const stored = this.locate(backup);
    const copy = await stored.destination.localFile(stored.key);
    return { backup: { ...backup, path: copy.path }, release: copy.release };
  }
}

function isAbsoluteKey(key: string): boolean {
  return key.startsWith('/') || /^[A-Za-z]:\//.test(key);
}

/** The storage of a configuration (or of a catalogue, which is opened with BACKUP_DIR): BACKUP_DIR as 'local'. */
export function backupStorage(source: { backupDir: string | undefined }): BackupStorage {
  return new BackupStorage(source.backupDir);
}
