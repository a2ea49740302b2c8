// A set whose Holdfast stopped while taking it (killed, power lost), settled at the next start once its
// runs are (recovery/reconcile.ts: member runs interrupted, their temps and the roles file's temp
// removed). The set's row was written at its start and is rewritten here from what is actually held:
// - It is interrupted, never completed or partial: its own end never came, so nothing vouches for it
//   as a whole-server copy.
// - Each member backup that finished is in the catalogue (with its file, sidecar and checksum) and is
//   listed with the set as completed; every other expected database is listed as interrupted.
// - A roles file is kept only when the set recorded it (name and SHA-256, take-set.ts, before renaming
//   it into place) and the file under that name holds those bytes; any other file under the name is
//   not the set's, and is neither adopted nor removed. A manifest written just before the kill is
//   removed, as it would say the set ended when the catalogue says it did not (only one carrying this
//   set's id: the name was chosen at the start, and a file under it that is not this set's manifest is
//   not ours to remove).
import { readFile, rm, stat } from 'node:fs/promises';
import type { Catalogue } from '../catalogue/catalogue.ts';
import { exists, sha256File } from '../fsutil/durable.ts';
import type { BackupMetadata } from '../model/types.ts';
import { MANIFEST_DETAIL, SET_EXTENSION, setStatusOf, type BackupSet, type SetMember } from './set-record.ts';
import { SetStore } from './set-rows.ts';

export const STOPPED_PROBLEM = 'Holdfast stopped while this set was being taken; the member backups it finished are kept.';

function membersHeld(set: BackupSet, backups: BackupMetadata[]): SetMember[] {
  return set.expected.map((database): SetMember => {
    const backup = backups.find((b) => b.database === database);
    if (backup) return { database, id: backup.id, filename: backup.filename, checksum: backup.checksum, status: 'completed', error: null, rowCounts: backup.rowCounts, size: backup.size };
    return { database, id: null, filename: null, checksum: null, status: 'interrupted', error: 'Holdfast stopped before this database was backed up', rowCounts: {}, size: 0 };
  });
}

export const ROLES_NOT_IN_PLACE = 'Holdfast stopped before the roles file was in place';

/** Whether the roles file the set recorded is under its name with the bytes recorded. */
async function holdsRecordedRoles(globals: BackupSet['globals'], fileOf: (filename: string) => string): Promise<boolean> {
  if (!globals.filename || !globals.checksum || globals.filename.includes('/')) return false;
  const path = fileOf(globals.filename);
  return (await exists(path)) && `sha256:${await sha256File(path)}` === globals.checksum;
}

/** A manifest the set wrote under its final name before it was stopped. */
async function removeUnrecordedManifest(set: BackupSet, manifestPath: string): Promise<void> {
  if (!set.manifest && (await isManifestOf(manifestPath, set.id))) await rm(manifestPath, { force: true });
}

/** A set's manifest is far smaller: a file beyond this under the name is not one, and is not read whole. */
const MANIFEST_LIMIT = 64 * 1024 * 1024;

/**
 * Whether the file is the manifest this set wrote (it carries the set's id): the name was chosen at the
 * run's start, so a file found under it may be another's (a BACKUP_DIR two homes share) and stays.
 */
async function isManifestOf(path: string, setId: string): Promise<boolean> {
  try {
    if ((await stat(path)).size > MANIFEST_LIMIT) return false;
    const manifest: unknown = JSON.parse(await readFile(path, 'utf8'));
    return typeof manifest === 'object' && manifest !== null && (manifest as { id?: unknown }).id === setId;
  } catch {
    return false;
  }
}

/** Sets left running by a Holdfast that is gone: each made interrupted, with its members as held. Their ids. */
export async function settleInterruptedSets(catalogue: Catalogue, backupDir: string): Promise<string[]> {
  const store = new SetStore(catalogue.db);
  const settled: string[] = [];
  for (const { id, runId } of store.abandoned()) {
    const set = store.find(id)!;
    // Where the set wrote (beside its members), which BACKUP_DIR now need not be.
    const fileOf = (filename: string) => store.fileOf(id, filename, backupDir);
    const detail = catalogue.getRun(runId)?.detail;
    // `filename`: a run started by a Holdfast from before MANIFEST_DETAIL.
    const manifestName = detail?.[MANIFEST_DETAIL] ?? detail?.filename;
    if (typeof manifestName === 'string' && manifestName.endsWith(`.${SET_EXTENSION}`) && !manifestName.includes('/')) await removeUnrecordedManifest(set, fileOf(manifestName));
    if (set.globals.filename && !(await holdsRecordedRoles(set.globals, fileOf))) set.globals = { filename: null, checksum: null, note: ROLES_NOT_IN_PLACE };
    set.databases = membersHeld(set, store.members(id));
    set.status = 'interrupted';
    set.problems = [STOPPED_PROBLEM, ...setStatusOf(set).problems];
    store.finish(set);
    settled.push(id);
  }
  return settled;
}
