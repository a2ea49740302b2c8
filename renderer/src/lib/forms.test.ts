import { describe, expect, test } from 'vitest';
import { DEFAULT_BACKUP_DRAFT, draftToOptions, validateBackupDraft, withFormat } from './backup-form.ts';
import { profileHealth } from './health.ts';
import { draftToInput, EMPTY_DRAFT, fieldErrorsFromMessage, validateDraft } from './profile-form.ts';

describe('connection form', () => {
  test('each bad field gets its own message', () => {
    const errors = validateDraft({ ...EMPTY_DRAFT, name: '', host: '', port: '70000', user: '', dbname: '', tags: 'ok, not ok!' });
    expect(Object.keys(errors).sort()).toEqual(['dbname', 'host', 'name', 'port', 'tags', 'user']);
    expect(errors.port).toContain('1 to 65535');
    expect(validateDraft({ ...EMPTY_DRAFT, name: 'shop', dbname: 'shop' })).toEqual({});
  });

  test('the input sent: port a number, tags a list, no empty password', () => {
    expect(draftToInput({ ...EMPTY_DRAFT, name: ' shop ', dbname: 'shop', tags: 'production, eu', port: '5433' })).toEqual({
      name: 'shop',
      host: 'localhost',
      port: 5433,
      user: 'postgres',
      dbname: 'shop',
      sslmode: null,
      tags: ['production', 'eu'],
      notes: null,
      wholeServer: null,
    });
  });

  test('a whole-server connection: its patterns, its parallel databases, and the maintenance database when none is named', () => {
    const draft = { ...EMPTY_DRAFT, name: 'all', allDatabases: true, excludeDatabases: 'scratch_*\n tmp, test?', parallelDatabases: '3' };
    expect(validateDraft(draft)).toEqual({});
    expect(draftToInput(draft)).toMatchObject({ dbname: 'postgres', wholeServer: { excludeDatabases: ['scratch_*', 'tmp', 'test?'], parallelDatabases: 3 } });
    expect(draftToInput({ ...draft, parallelDatabases: '' }).wholeServer).toEqual({ excludeDatabases: ['scratch_*', 'tmp', 'test?'], parallelDatabases: null });
    expect(validateDraft({ ...draft, parallelDatabases: '17' }).parallelDatabases).toMatch(/1 to 16/);
    // In a DBA's words, not "the core count" (issue 27).
    expect(validateDraft({ ...draft, parallelDatabases: '17' }).parallelDatabases).toBe(
      'Parallel databases is 1 to 16; leave it empty for one per processor of the machine Holdfast runs on, up to 8.',
    );
    expect(validateDraft({ ...draft, allDatabases: false }).dbname).toBe('The database is required.');
  });

  test("the engine's field errors map back onto the form", () => {
    expect(fieldErrorsFromMessage('Invalid input for profile.add: port: port is 1–65535; name: a profile name cannot be empty; zzz: x')).toEqual({
      port: 'port is 1–65535',
      name: 'a profile name cannot be empty',
    });
    expect(fieldErrorsFromMessage('Invalid input for profile.edit: changes.host: host is required')).toEqual({ host: 'host is required' });
  });
});

describe('backup form', () => {
  test('switching format drops a compression the new format cannot take, so the form can still start', () => {
    const zstd = { ...DEFAULT_BACKUP_DRAFT, profile: 'shop', compression: 'zstd' as const, level: '19' };
    const tar = withFormat(zstd, 'tar');
    expect(tar).toMatchObject({ format: 'tar', compression: '', level: '' });
    expect(validateBackupDraft(tar)).toEqual({});
    const plain = withFormat(zstd, 'plain');
    expect(plain).toMatchObject({ format: 'plain', compression: '', level: '' });
    expect(validateBackupDraft(plain)).toEqual({});
    // What the new format can take is kept.
    expect(withFormat(zstd, 'directory')).toMatchObject({ format: 'directory', compression: 'zstd', level: '19' });
    expect(withFormat({ ...zstd, compression: 'gzip', level: '9' }, 'plain')).toMatchObject({ compression: 'gzip', level: '9' });
  });

  test('combinations pg_dump refuses are caught on their field', () => {
    expect(validateBackupDraft({ ...DEFAULT_BACKUP_DRAFT, profile: 'shop', format: 'tar', compression: 'gzip' }).compression).toBeDefined();
    expect(validateBackupDraft({ ...DEFAULT_BACKUP_DRAFT, profile: 'shop', format: 'plain', compression: 'zstd' }).compression).toBeDefined();
    expect(validateBackupDraft({ ...DEFAULT_BACKUP_DRAFT, profile: 'shop', suffix: '../x' }).suffix).toBeDefined();
    expect(validateBackupDraft({ ...DEFAULT_BACKUP_DRAFT, profile: 'shop', compression: 'gzip', level: '12' }).level).toBe('The level is 1–9.');
    expect(validateBackupDraft({ ...DEFAULT_BACKUP_DRAFT })).toEqual({ profile: 'Choose the connection to back up.' });
  });

  test('options: filters one a line, jobs only for directory, content switches', () => {
    expect(
      draftToOptions({ ...DEFAULT_BACKUP_DRAFT, profile: 'shop', format: 'directory', jobs: '4', compression: 'zstd', level: '3', content: 'schema', tables: 'public.a\n\n public.b ', suffix: 'pre' }),
    ).toEqual({
      format: 'directory',
      compression: { method: 'zstd', level: 3 },
      jobs: 4,
      schemaOnly: true,
      dataOnly: false,
      tables: ['public.a', 'public.b'],
      excludeTables: [],
      schemas: [],
      excludeSchemas: [],
      suffix: 'pre',
    });
    expect(draftToOptions({ ...DEFAULT_BACKUP_DRAFT, profile: 'shop', format: 'custom', jobs: '4' })).not.toHaveProperty('jobs');
  });
});

describe('profile health', () => {
  test("each profile's badge is the engine's verdict for it, with its own reasons", () => {
    const stats = {
      profiles: [
        { profile: 'a', totalBackups: 3, totalSize: 30, newestBackup: '2026-01-01T00:00:00Z', lastRunStatus: 'failed', failedBackups: 1 },
        { profile: 'b', totalBackups: 0, totalSize: 0, newestBackup: null, lastRunStatus: null, failedBackups: 0 },
      ],
    } as never;
    const health = {
      status: 'unhealthy',
      profiles: [
        { profile: 'a', status: 'unhealthy' },
        { profile: 'b', status: 'degraded' },
        { profile: 'c', status: 'healthy' },
      ],
      reasons: [
        { code: 'LAST_RUN_FAILED', severity: 'unhealthy', profile: 'a', message: 'The last backup of profile "a" failed' },
        { code: 'NO_RECENT_BACKUP', severity: 'degraded', profile: 'b', message: 'Profile "b" has never been backed up.' },
        { code: 'LOW_DISK_SPACE', severity: 'degraded', message: 'Only 0.5 GiB free' },
      ],
    } as never;
    expect(profileHealth(['a', 'b', 'c'], stats, health).map((p) => [p.profile, p.status, p.totalBackups])).toEqual([
      ['a', 'unhealthy', 3],
      ['b', 'degraded', 0],
      ['c', 'healthy', 0],
    ]);
  });
});
