import { describe, expect, test } from 'vitest';
import { BackupOptionsSchema, type BackupOptions } from '../backup/options.ts';
import { describeOutput, scheduleOutput as outputOf } from './schedule-output.ts';

const scheduleOutput = (options: Partial<BackupOptions>, compressionDefault: boolean) => outputOf(BackupOptionsSchema.parse(options), compressionDefault);

describe("a schedule's output: the format and compression its backups get", () => {
  test('left unset, the compression is the default, and says so', () => {
    expect(scheduleOutput({ format: 'custom' }, true)).toEqual({ format: 'custom', compression: 'gzip', compressionFrom: 'default' });
    expect(describeOutput(scheduleOutput({ format: 'custom' }, true))).toBe('custom format, gzip (the default)');
    expect(describeOutput(scheduleOutput({ format: 'plain' }, false))).toBe('plain format, uncompressed (the default)');
  });

  test("the schedule's own --compress, with its level", () => {
    expect(describeOutput(scheduleOutput({ format: 'directory', compression: { method: 'zstd', level: 3 } }, true))).toBe('directory format, zstd:3');
    expect(describeOutput(scheduleOutput({ format: 'custom', compression: { method: 'none' } }, true))).toBe('custom format, uncompressed');
  });

  test('tar is never compressed by pg_dump, whatever the default', () => {
    expect(scheduleOutput({ format: 'tar' }, true)).toEqual({ format: 'tar', compression: 'none', compressionFrom: 'format' });
    expect(describeOutput(scheduleOutput({ format: 'tar' }, true))).toBe('tar format, uncompressed (tar always is)');
  });
});
