// The "Back up now" form as text, and the backup options it becomes. The checks mirror the
// engine's (it checks again): a mistake shows on its field before anything runs.
import type { BackupOptions } from '../stores/backup-job.ts';

export interface BackupDraft {
  profile: string;
  format: 'custom' | 'plain' | 'directory' | 'tar';
  compression: '' | 'gzip' | 'lz4' | 'zstd' | 'none';
  level: string;
  jobs: string;
  content: 'all' | 'schema' | 'data';
  tables: string;
  excludeTables: string;
  schemas: string;
  excludeSchemas: string;
  suffix: string;
}

export type BackupDraftErrors = Partial<Record<keyof BackupDraft, string>>;

export const DEFAULT_BACKUP_DRAFT: BackupDraft = {
  profile: '',
  format: 'custom',
  compression: '',
  level: '',
  jobs: '2',
  content: 'all',
  tables: '',
  excludeTables: '',
  schemas: '',
  excludeSchemas: '',
  suffix: '',
};

export const FORMAT_LABELS: Record<BackupDraft['format'], string> = {
  custom: 'Custom archive (.dump) — recommended',
  directory: 'Directory (.dir) — parallel dump and restore',
  plain: 'Plain SQL (.sql.gz)',
  tar: 'Tar archive (.tar)',
};

/** One pattern a line (or comma-separated); pg_dump's own pattern rules apply to each. */
export function patternList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * The draft with another format. A compression the new format's field cannot show is dropped
 * (tar hides the field; plain lists no lz4 or zstd), with its level: kept, it failed validation
 * under a hidden or mislabelled field and "Start backup" did nothing.
 */
export function withFormat(draft: BackupDraft, format: BackupDraft['format']): BackupDraft {
  const unsupported = format === 'tar' ? draft.compression !== '' : format === 'plain' && (draft.compression === 'lz4' || draft.compression === 'zstd');
  return unsupported ? { ...draft, format, compression: '', level: '' } : { ...draft, format };
}

export function validateBackupDraft(draft: BackupDraft): BackupDraftErrors {
  const errors: BackupDraftErrors = {};
  if (!draft.profile) errors.profile = 'Choose the connection to back up.';
  if (draft.suffix && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/.test(draft.suffix))
    errors.suffix = 'A suffix is 1–40 letters, digits, "_" or "-", starting with a letter or digit (it becomes part of the file name).';
  if (draft.format === 'tar' && draft.compression && draft.compression !== 'none') errors.compression = 'pg_dump cannot compress the tar format: choose none, or the custom or directory format.';
  if (draft.format === 'plain' && (draft.compression === 'lz4' || draft.compression === 'zstd'))
    errors.compression = 'Plain backups are gzip or uncompressed; lz4 and zstd need the custom or directory format.';
  if (draft.level) {
    const level = Number(draft.level);
    const max = draft.compression === 'gzip' || draft.compression === '' ? 9 : 22;
    if (!/^\d+$/.test(draft.level) || level < 1 || level > max) errors.level = `The level is 1–${max}.`;
    if (draft.compression === 'none') errors.level = 'No level without compression.';
  }
  if (draft.format === 'directory' && draft.jobs && (!/^\d+$/.test(draft.jobs) || Number(draft.jobs) < 1 || Number(draft.jobs) > 64)) errors.jobs = 'Jobs is 1–64.';
  return errors;
}

export function draftToOptions(draft: BackupDraft): BackupOptions {
  const method = draft.format === 'tar' ? undefined : draft.compression || undefined;
  const compression = method
    ? { method, ...(draft.level && method !== 'none' ? { level: Number(draft.level) } : {}) }
    : draft.level
      ? { method: 'gzip' as const, level: Number(draft.level) }
      : undefined;
  return {
    format: draft.format,
    ...(compression ? { compression } : {}),
    ...(draft.format === 'directory' && Number(draft.jobs) > 1 ? { jobs: Number(draft.jobs) } : {}),
    schemaOnly: draft.content === 'schema',
    dataOnly: draft.content === 'data',
    tables: patternList(draft.tables),
    excludeTables: patternList(draft.excludeTables),
    schemas: patternList(draft.schemas),
    excludeSchemas: patternList(draft.excludeSchemas),
    ...(draft.suffix ? { suffix: draft.suffix } : {}),
  };
}

export const PHASES: Array<{ phase: string; label: string }> = [
  { phase: 'connecting', label: 'Connect' },
  { phase: 'dumping', label: 'Dump' },
  { phase: 'checking', label: 'Check' },
  { phase: 'counting', label: 'Count rows' },
  { phase: 'globals', label: 'Roles' },
  { phase: 'checksumming', label: 'Checksum' },
  { phase: 'done', label: 'Done' },
];
