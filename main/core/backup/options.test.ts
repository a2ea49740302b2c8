import { describe, expect, test } from 'vitest';
import { BackupOptionsPatchSchema, BackupOptionsSchema, compressionArgs, compressionMethodsFor, effectiveCompression, fileExtension, parseCompression, pgDumpArgs } from './options.ts';

const parse = (input: unknown) => BackupOptionsSchema.parse(input);

describe('backup options', () => {
  test('defaults: custom format, gzip unless BACKUP_COMPRESSION=false', () => {
    const options = parse({});
    expect(options.format).toBe('custom');
    expect(effectiveCompression(options, true)).toEqual({ method: 'gzip' });
    expect(effectiveCompression(options, false)).toEqual({ method: 'none' });
    expect(fileExtension('plain', { method: 'gzip' })).toBe('sql.gz');
    expect(fileExtension('plain', { method: 'none' })).toBe('sql');
  });

  test('user patterns become --flag=value so none can pass for an option', () => {
    const args = pgDumpArgs({
      options: parse({ tables: ['-fx', 'public.*'], excludeSchemas: ['x; $(touch /tmp/p)'] }),
      compression: { method: 'gzip', level: 5 },
      clientMajor: 15,
      output: { file: '/b/x.dump.tmp' },
      snapshot: '00000003-0000001B-1',
      dbnameConninfo: "dbname='-fx'",
    });
    expect(args).toEqual([
      '--format=c',
      '--file=/b/x.dump.tmp',
      '--no-password',
      "--dbname=dbname='-fx'",
      '--compress=5',
      '--snapshot=00000003-0000001B-1',
      '--table=-fx',
      '--table=public.*',
      '--exclude-schema=x; $(touch /tmp/p)',
      '--strict-names',
    ]);
  });

  test('pg_dump writing a FIFO is told --no-sync (its fsync of the --file would fail the dump); to a file it syncs as usual, and to stdout it has no --file', () => {
    const base = { options: parse({}), compression: { method: 'gzip' as const }, clientMajor: 15, snapshot: undefined, dbnameConninfo: "dbname='d'" };
    const fifo = pgDumpArgs({ ...base, output: { fifo: '/tmp/holdfast-pipe-1/pg_dump.out' } });
    expect(fifo).toContain('--file=/tmp/holdfast-pipe-1/pg_dump.out');
    expect(fifo).toContain('--no-sync');
    expect(pgDumpArgs({ ...base, output: { file: '/b/x.dump.tmp' } })).not.toContain('--no-sync');
    expect(pgDumpArgs({ ...base, output: 'stdout' }).some((arg) => arg.startsWith('--file') || arg === '--no-sync')).toBe(false);
  });

  test('compression syntax follows the client version', () => {
    expect(compressionArgs({ method: 'zstd', level: 3 }, 16)).toEqual(['--compress=zstd:3']);
    expect(compressionArgs({ method: 'gzip' }, 15)).toEqual(['--compress=6']);
    expect(() => compressionArgs({ method: 'lz4' }, 15)).toThrow(/needs pg_dump 16/);
    expect(parseCompression('gzip:9')).toEqual({ method: 'gzip', level: 9 });
    expect(() => parseCompression('brotli')).toThrow(/not understood/);
  });

  test("pg_dump's own spelling of a level alone is understood: 0 is none, 1-9 is gzip at that level", () => {
    expect(parseCompression('0')).toEqual({ method: 'none' });
    expect(parseCompression('9')).toEqual({ method: 'gzip', level: 9 });
    expect(() => parseCompression('10')).toThrow(/not understood/);
    expect(() => parseCompression('-1')).toThrow(/not understood/);
  });

  test('contradictions and unsafe suffixes are refused with the field named', () => {
    expect(() => parse({ schemaOnly: true, dataOnly: true })).toThrow(/cannot be combined/);
    expect(() => parse({ format: 'custom', jobs: 4 })).toThrow(/directory/);
    expect(() => parse({ suffix: '../etc' })).toThrow(/suffix/);
    expect(() => parse({ suffix: '-rf' })).toThrow(/suffix/);
    expect(() => parse({ format: 'plain', compression: { method: 'zstd' } })).toThrow(/plain/);
    expect(() => parse({ bogus: 1 })).toThrow();
    expect(parse({ suffix: 'daily' }).suffix).toBe('daily');
  });
});

describe('compression a pg_dump can write', () => {
  test('lz4 and zstd only from pg_dump 16; the argument builder refuses what the list leaves out', () => {
    expect(compressionMethodsFor(15)).toEqual(['gzip', 'none']);
    expect(compressionMethodsFor(16)).toEqual(['gzip', 'lz4', 'zstd', 'none']);
    expect(() => compressionArgs({ method: 'zstd' }, 15)).toThrow(/needs pg_dump 16/);
    expect(compressionArgs({ method: 'gzip', level: 3 }, 15)).toEqual(['--compress=3']);
  });
});

describe('BackupOptionsPatchSchema', () => {
  test('has a field for every option, so a new option can be changed by an edit too', () => {
    expect(Object.keys(BackupOptionsPatchSchema.shape).sort()).toEqual(Object.keys(BackupOptionsSchema.shape).sort());
  });
});
