// A backup's last steps, in an order a crash cannot turn into a lie. Before anything is renamed, the
// run records the backup's full metadata (final paths and checksums included) as "sealing"; then the
// dump and the roles file are renamed into place, the sidecar written, their directory synced once,
// and the row inserted with the run finished in one transaction. Each step can be repeated, so the next start after a crash anywhere
// in between runs the same steps again from the record (finishSealedBackup) — or, when the file no
// longer matches its recorded checksum, removes what was renamed and says why.
import type { Catalogue } from '../catalogue/catalogue.ts';
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checksumTree, exists, fsyncPath, sha256File, writeFileDurably } from '../fsutil/durable.ts';
import { crashPoint } from '../process/crash-point.ts';
import type { BackupMetadata } from '../model/types.ts';
import { companionPaths, TEMP_SUFFIX } from './naming.ts';

/** sha256:<hex> of a backup as its metadata records it: the file, or a directory's sorted list of file checksums. */
export async function backupChecksum(path: string, format: BackupMetadata['format']): Promise<string> {
  return `sha256:${format === 'directory' ? (await checksumTree(path)).checksum : await sha256File(path)}`;
}

/** Renames the temp file into place unless an earlier attempt already did; completeSeal syncs the directory. */
async function moveIntoPlace(final: string): Promise<void> {
  const temp = `${final}${TEMP_SUFFIX}`;
  if (await exists(temp)) await rename(temp, final);
}

/**
 * The steps after the run recorded `metadata` as sealing: rename the dump and the roles file into
 * place, write the sidecar, then insert the row and finish the run together. The three renames land
 * in one directory, which is synced once before the row says the backup is complete: each step can be
 * repeated from the sealing record, so a rename lost by a power cut is done again at the next start,
 * and two directory fsyncs fewer per backup shorten its end (each waits for the file system's
 * journal, which on a busy disk takes tens of milliseconds: issue 12, item 22).
 */
export async function completeSeal(catalogue: Catalogue, runId: string, metadata: BackupMetadata, detail?: Record<string, unknown>): Promise<void> {
  const { sidecar, globals } = companionPaths(metadata.path);
  await moveIntoPlace(metadata.path);
  crashPoint('backup:renamed');
  if (metadata.globals.filename) await moveIntoPlace(globals);
  crashPoint('backup:globals-renamed');
  await writeFileDurably(sidecar, `${JSON.stringify(metadata, null, 2)}\n`, { syncDirectory: false });
  await fsyncPath(dirname(metadata.path));
  crashPoint('backup:sidecar-written');
  catalogue.db.transaction(() => {
    catalogue.insertBackup(metadata, runId);
    catalogue.finishRun(runId, 'completed', { backupId: metadata.id, ...(detail ? { detail } : {}) });
  })();
}

/** Whatever is under the backup's final names, gone: the dump, its roles file and its sidecar. */
export async function removeFinalFiles(metadata: Pick<BackupMetadata, 'path'>): Promise<void> {
  const { sidecar, globals } = companionPaths(metadata.path);
  for (const path of [metadata.path, globals, sidecar]) await rm(path, { recursive: true, force: true });
}

/** The first of the final name and the temp name that exists, and whether its checksum is the recorded one. */
async function sealedCopy(final: string, checksum: string | null, format: BackupMetadata['format']): Promise<'matches' | 'missing' | string> {
  const path = (await exists(final)) ? final : (await exists(`${final}${TEMP_SUFFIX}`)) ? `${final}${TEMP_SUFFIX}` : undefined;
  if (!path) return 'missing';
  const actual = await backupChecksum(path, format);
  return actual === checksum ? 'matches' : actual;
}

export type SealOutcome = { finished: true } | { finished: false; reason: string };

/**
 * At start, for a run a dead Holdfast left sealing (its children already ended): finish the backup
 * from the record when its dump still has the recorded checksum, else remove what the run had
 * renamed into place. Either way the run is finished, and its detail or error says what happened.
 */
export async function finishSealedBackup(catalogue: Catalogue, runId: string, recorded: BackupMetadata, detail: Record<string, unknown> | null): Promise<SealOutcome> {
  const dump = await sealedCopy(recorded.path, recorded.checksum, recorded.format);
  if (dump !== 'matches') {
    await removeFinalFiles(recorded);
    const why = dump === 'missing' ? `its file ${recorded.filename} is gone` : `${recorded.filename} no longer has the checksum recorded before its rename (${recorded.checksum}; it has ${dump})`;
    const reason = `Holdfast stopped while sealing this backup, and ${why}; nothing was kept under its name.`;
    catalogue.finishRun(runId, 'interrupted', { error: reason });
    return { finished: false, reason };
  }
  let metadata = recorded;
  if (recorded.globals.filename) {
    const { globals } = companionPaths(recorded.path);
    // The roles file is a companion: a lost or changed one costs the backup its roles, not the backup.
    if ((await sealedCopy(globals, recorded.globals.checksum, 'plain')) !== 'matches') {
      await rm(globals, { force: true });
      metadata = { ...recorded, globals: { filename: null, checksum: null, note: 'Roles and tablespaces were not kept: their file was lost when Holdfast stopped while sealing this backup.' } };
    }
  }
  const finishedAtStart = 'Holdfast stopped while sealing this backup; the next start finished it from the metadata and checksum recorded before the rename.';
  await completeSeal(catalogue, runId, metadata, { ...detail, finishedAtStart });
  return { finished: true };
}
