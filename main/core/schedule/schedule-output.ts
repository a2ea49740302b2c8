// How a schedule's backups are written, as `schedule list`, its JSON and the Schedules page say it:
// pg_dump's format and the compression the backups get — the schedule's own (--compress), else the
// default (BACKUP_COMPRESSION, "Compress by default" in Settings), and for tar none, whatever is asked
// (pg_dump writes tar uncompressed), as effectiveCompression decides it for the backup itself.
import { compressionLabel, effectiveCompression, type BackupOptions, type DumpFormat } from '../backup/options.ts';

/** schedule: its own --compress; default: BACKUP_COMPRESSION's choice; format: tar, never compressed. */
export const COMPRESSION_SOURCES = ['schedule', 'default', 'format'] as const;

export interface ScheduleOutput {
  format: DumpFormat;
  /** "gzip", "zstd:3", "none": what the backups get, as backup's --compress spells it. */
  compression: string;
  compressionFrom: (typeof COMPRESSION_SOURCES)[number];
}

export function scheduleOutput(options: BackupOptions, compressionDefault: boolean): ScheduleOutput {
  const compressionFrom = options.format === 'tar' ? 'format' : options.compression ? 'schedule' : 'default';
  return { format: options.format, compression: compressionLabel(effectiveCompression(options, compressionDefault)), compressionFrom };
}

/** "custom format, gzip (the default)", "directory format, zstd:3", "tar format, uncompressed (tar always is)". */
export function describeOutput(output: ScheduleOutput): string {
  const compression = output.compression === 'none' ? 'uncompressed' : output.compression;
  const from = { schedule: '', default: ' (the default)', format: ' (tar always is)' }[output.compressionFrom];
  return `${output.format} format, ${compression}${from}`;
}
