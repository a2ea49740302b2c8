// Adopt: re-catalogue backups from their sidecars, e.g. after a reinstall. A backup is adopted only
// when its file is there and matches the sidecar's checksum; it is recorded where it lies now. The
// sidecars are read through a destination, so adopting another destination's backups is the same walk.
import { join, resolve } from 'node:path';
import { text } from 'node:stream/consumers';
import { companionPaths, SIDECAR_SUFFIX } from '../backup/naming.ts';
import { backupChecksum } from '../backup/seal.ts';
import type { Catalogue } from '../catalogue/catalogue.ts';
import { exists } from '../fsutil/durable.ts';
import { SidecarSchema } from '../model/backup-metadata.ts';
import { HoldfastError } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import { checkKey, keyName, type Destination } from './destination.ts';
import { LocalDirectoryDestination } from './local-directory.ts';
import type { CopyRows } from './copy-rows.ts';
import type { Destinations } from './destinations.ts';
import { LOCAL_DESTINATION, localLocation } from './location.ts';

/** A sidecar of a directory-format dump of 100,000 tables is about 30 MB; a bigger one is not Holdfast's and would be read whole into memory. */
const MAX_SIDECAR_BYTES = 256 * 1024 * 1024;

/** The one skip that is no failure: adopting the same directory twice. */
export const ALREADY_CATALOGUED = 'already in the catalogue';

/** A skipped file that was refused (damaged, missing, not a sidecar), not merely catalogued already. */
export function refusedFiles(report: AdoptReport): AdoptReport['skipped'] {
  return report.skipped.filter((skip) => skip.reason !== ALREADY_CATALOGUED);
}

export interface AdoptReport {
  adopted: string[];
  skipped: Array<{ file: string; reason: string }>;
}

/** A local directory's backups: read through a destination rooted there, recorded under BACKUP_DIR's keys where they lie in it. */
export async function adoptDirectory(catalogue: Catalogue, dir: string, backupDir: string): Promise<{ root: string; report: AdoptReport }> {
  const root = resolve(dir);
  if (!(await exists(root))) throw new HoldfastError('NOT_FOUND', `${root} does not exist.`, 'Give the directory that holds the backup files and their .json sidecars.');
  const source = new LocalDirectoryDestination(LOCAL_DESTINATION, root);
  const report = await adoptFrom(catalogue, source, (key) => {
    const path = source.describe(key);
    return { path, location: localLocation(path, backupDir) };
  });
  return { root, report };
}

/**
 * Each `backup-*.json` sidecar directly under the destination's root, adopted when it parses, names
 * its own file, is not catalogued yet, and its file is there with the sidecar's checksum.
 * `recordAs` says what the catalogue records for a key: its location, and the local path beside it.
 */
export async function adoptFrom(
  catalogue: Catalogue,
  source: Destination,
  recordAs: (key: string) => Pick<BackupMetadata, 'path' | 'location'> & { status?: BackupMetadata['status'] },
  onAdopted?: (backup: BackupMetadata) => void,
): Promise<AdoptReport> {
  const report: AdoptReport = { adopted: [], skipped: [] };
  for (const { key: sidecarKey, kind } of await source.list('')) {
    const name = keyName(sidecarKey);
    if (kind !== 'file' || !name.startsWith('backup-') || !name.endsWith(SIDECAR_SUFFIX)) continue;
    // A listing is the destination's word (a bucket anyone with write access fills, an SFTP server's
    // readdir): one name no key may have is skipped, not the end of a disaster recovery.
    try {
      checkKey(sidecarKey);
    } catch (error) {
      report.skipped.push({ file: name, reason: (error as Error).message });
      continue;
    }
    const sidecarSize = (await source.stat(sidecarKey))?.size ?? 0;
    if (sidecarSize > MAX_SIDECAR_BYTES) {
      report.skipped.push({ file: name, reason: `not a Holdfast sidecar: ${sidecarSize} bytes, more than any sidecar holds (${MAX_SIDECAR_BYTES})` });
      continue;
    }
    let metadata: BackupMetadata;
    try {
      metadata = SidecarSchema.parse(JSON.parse(await text(await source.open(sidecarKey)))) as unknown as BackupMetadata;
    } catch (error) {
      report.skipped.push({ file: name, reason: `not a Holdfast sidecar: ${(error as Error).message.split('\n')[0]}` });
      continue;
    }
    if (`${metadata.filename}${SIDECAR_SUFFIX}` !== name) {
      report.skipped.push({ file: name, reason: 'the sidecar names another file' });
      continue;
    }
    // Holdfast writes the roles file beside the dump under the dump's name; a sidecar naming any other
    // (a folder, another backup's dump) would have that removed with this backup.
    // (An encrypted dump's is encrypted too: backup-….dump.age → backup-….dump.globals.sql.age.)
    const rolesFile = companionPaths(metadata.filename).globals;
    if (metadata.globals.filename !== null && metadata.globals.filename !== rolesFile) {
      report.skipped.push({ file: metadata.filename, reason: `the sidecar names ${JSON.stringify(metadata.globals.filename)} as its roles file, not ${rolesFile}` });
      continue;
    }
    if (catalogue.findBackup(metadata.id) || catalogue.findBackup(metadata.filename)) {
      report.skipped.push({ file: metadata.filename, reason: ALREADY_CATALOGUED });
      continue;
    }
    const key = sidecarKey.slice(0, -SIDECAR_SUFFIX.length);
    if (!(await source.stat(key))) {
      report.skipped.push({ file: metadata.filename, reason: 'the backup file is missing' });
      continue;
    }
    const copy = await source.localFile(key);
    let actual: string;
    try {
      actual = await backupChecksum(copy.path, metadata.format);
    } finally {
      await copy.release();
    }
    if (actual !== metadata.checksum) {
      report.skipped.push({ file: metadata.filename, reason: `checksum ${actual} does not match the sidecar's ${metadata.checksum}` });
      continue;
    }
    const adoptedFrom = source.describe(sidecarKey);
    const runId = catalogue.startRun({ kind: 'backup', profile: metadata.profile, detail: { adoptedFrom } });
    catalogue.db.transaction(() => {
      const adopted: BackupMetadata = { ...metadata, status: 'completed', ...recordAs(key) };
      catalogue.insertBackup(adopted, runId);
      catalogue.finishRun(runId, 'completed', { backupId: metadata.id, detail: { adoptedFrom } });
      onAdopted?.(adopted);
    })();
    report.adopted.push(metadata.filename);
  }
  return report;
}

/**
 * The disaster-recovery path: a named destination's backups (a new machine, only the destination's
 * credentials) catalogued from their sidecars, each checked against its sidecar's checksum as it is
 * read. Each is recorded at its BACKUP_DIR path, 'missing' there until a file appears, with a
 * verified copy on the destination: restore and drills read that copy (downloaded, checked, removed).
 */
export async function adoptDestination(
  catalogue: Catalogue,
  offsite: { destinations: Pick<Destinations, 'open'>; rows: Pick<CopyRows, 'record'> },
  name: string,
  backupDir: string,
): Promise<AdoptReport> {
  const source = await offsite.destinations.open(name);
  try {
    return await adoptFrom(
      catalogue,
      source,
      (key) => {
        const path = join(backupDir, ...key.split('/'));
        return { path, location: localLocation(path, backupDir), status: 'missing' };
      },
      (backup) => offsite.rows.record(backup, name, 'verified'),
    );
  } finally {
    (source as { destroy?: () => void }).destroy?.();
  }
}
