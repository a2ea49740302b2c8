// A finished dump's last reads: its structure checked (archive/inspect.ts) and its checksum taken,
// with the file made private and synced. A custom archive, the default, gives both from one read of
// the file (archive/hashing-source.ts): after pg_dump exits, every read of a 99 MB archive is CPU
// the backup waits for on a 2-core machine (issue 12, item 22). A custom archive walked while pg_dump
// wrote it (follow-output.ts) was hashed behind the walk as well, so nothing is left to read. Other formats are read twice, in parallel.
import { inspectArchive, inspectCustomWithChecksum, type ArchiveInspection, type InspectOptions } from '../archive/inspect.ts';
import { checksumTree, sealFile, sealTree, sha256File } from '../fsutil/durable.ts';
import type { BackupMetadata } from '../model/types.ts';
import type { OutputFollower } from './follow-output.ts';

export interface SealedOutput {
  checksum: string;
  files: BackupMetadata['files'];
}

export async function sealAndChecksum(path: string, format: BackupMetadata['format']): Promise<SealedOutput> {
  if (format === 'directory') {
    await sealTree(path);
    const tree = await checksumTree(path);
    return { checksum: tree.checksum, files: tree.files };
  }
  await sealFile(path);
  return { checksum: await sha256File(path), files: undefined };
}

/** The check and the sealed checksum of a fresh, unencrypted dump; the checksum is only meaningful when the check is ok. */
export async function inspectAndChecksum(path: string, format: BackupMetadata['format'], options: InspectOptions, follower?: OutputFollower): Promise<[ArchiveInspection, SealedOutput]> {
  if (follower) {
    const sealed = sealFile(path);
    const followed = await follower.finish().finally(() => sealed.catch(() => undefined));
    if (followed) {
      const [checksum] = await Promise.all([followed.checksum ?? sha256File(path), sealed]);
      return [followed.inspection, { checksum, files: undefined }];
    }
    await sealed;
  }
  if (format !== 'custom') return Promise.all([inspectArchive(path, format, options), sealAndChecksum(path, format)]);
  const [inspection] = await Promise.all([inspectCustomWithChecksum(path), sealFile(path)]);
  return [inspection, { checksum: inspection.sha256 ?? '', files: undefined }];
}
