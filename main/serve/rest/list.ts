// GET /api/backup/list's filters and pages over the catalogue's list: newest first, with the
// total count and size of everything that matched, not only the page.
import type { BackupMetadata } from '../../core/model/types.ts';

export interface ListFilter {
  status?: 'completed' | 'missing' | undefined;
  since?: string | undefined;
  limit: number;
  offset: number;
}

export interface Page {
  backups: BackupMetadata[];
  total: number;
  totalSize: number;
  limit: number;
  offset: number;
}

export function pageOf(backups: readonly BackupMetadata[], filter: ListFilter): Page {
  const sinceMs = filter.since === undefined ? undefined : Date.parse(filter.since);
  const matching = backups
    .filter((backup) => (filter.status === undefined || backup.status === filter.status) && (sinceMs === undefined || Date.parse(backup.timestamp) >= sinceMs))
    .sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp));
  return {
    backups: matching.slice(filter.offset, filter.offset + filter.limit),
    total: matching.length,
    totalSize: matching.reduce((sum, backup) => sum + backup.size, 0),
    limit: filter.limit,
    offset: filter.offset,
  };
}
