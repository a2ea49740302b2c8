// A catalogued backup's stored bytes (or its roles file's) as a stream, for `holdfast serve` to hand
// to a browser: read from wherever the backup is stored, never buffered whole. The bytes are the
// stored file's as they are, so their SHA-256 is the one the catalogue records (for an encrypted
// backup, the age file's).
import type { Readable } from 'node:stream';
import { HoldfastError } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import { keyName } from './destination.ts';
import type { BackupStorage } from './storage.ts';

export type DownloadPart = 'backup' | 'roles';

export interface BackupDownload {
  /** The file's own name, as the catalogue has it. */
  filename: string;
  size: number;
  /** sha256:<hex> from the catalogue. */
  checksum: string | null;
  stream: Readable;
}

/** attachment; an ASCII fallback name (quotes, backslashes and controls replaced) and the exact name (RFC 6266, 5987). */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

export async function openBackupDownload(storage: BackupStorage, backup: BackupMetadata, part: DownloadPart): Promise<BackupDownload> {
  if (backup.status !== 'completed') {
    throw new HoldfastError('CONFLICT', `${backup.filename} is ${backup.status}: there is no file to download.`, 'Download a completed backup.');
  }
  if (part === 'backup' && backup.format === 'directory') {
    throw new HoldfastError(
      'BAD_INPUT',
      `${backup.filename} is a directory-format backup: a folder of files, not one file to download.`,
      'Copy the folder from the backup directory on the host, or back up with the Custom format for one-file downloads.',
    );
  }
  const stored = storage.locate(backup);
  const key = part === 'backup' ? stored.key : stored.globalsKey;
  if (key === null) throw new HoldfastError('NOT_FOUND', `${backup.filename} has no roles file${backup.globals.note ? `: ${backup.globals.note}` : ''}.`);
  const info = await stored.destination.stat(key);
  if (!info) {
    throw new HoldfastError('NOT_FOUND', `The file of ${backup.filename} is missing from ${stored.destination.describe(key)}.`, 'Verify the backup to record it as missing; restore an earlier one.');
  }
  return {
    filename: keyName(key),
    size: info.size,
    checksum: part === 'backup' ? backup.checksum : backup.globals.checksum,
    stream: await stored.destination.open(key),
  };
}
