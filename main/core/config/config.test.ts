import { describe, expect, test } from 'vitest';
import { defaultHome, loadConfig } from './config.ts';

describe('configuration from the environment', () => {
  test('defaults follow the specification', () => {
    const config = loadConfig({ HOLDFAST_HOME: '/h' });
    expect(config).toMatchObject({ home: '/h', backupDir: '/h/backups', compressionDefault: true, maxSizeBytes: 0, timeoutMs: 3_600_000, retentionDays: 30 });
  });

  test('BACKUP_DIR and the limits are honoured', () => {
    const config = loadConfig({ HOLDFAST_HOME: '/h', BACKUP_DIR: '/data/b', BACKUP_COMPRESSION: 'false', BACKUP_MAX_SIZE_MB: '1000', BACKUP_TIMEOUT_SECONDS: '60' });
    expect(config).toMatchObject({ backupDir: '/data/b', compressionDefault: false, maxSizeBytes: 1000 * 1024 * 1024, timeoutMs: 60_000 });
  });

  test('a bad value fails at start, naming the variable', () => {
    expect(() => loadConfig({ BACKUP_TIMEOUT_SECONDS: 'soon' })).toThrow(/BACKUP_TIMEOUT_SECONDS="soon"/);
    expect(() => loadConfig({ BACKUP_COMPRESSION: 'maybe' })).toThrow(/BACKUP_COMPRESSION/);
  });

  test('issue 12 D: stored backups are re-verified weekly unless HOLDFAST_VERIFY_SCHEDULE says otherwise, and a bad cron fails at start', () => {
    expect(loadConfig({ HOLDFAST_HOME: '/h' }).verifySchedule).toBe('0 6 * * 0');
    expect(loadConfig({ HOLDFAST_HOME: '/h', HOLDFAST_VERIFY_SCHEDULE: '30 4 * * 3' }).verifySchedule).toBe('30 4 * * 3');
    expect(loadConfig({ HOLDFAST_HOME: '/h', HOLDFAST_VERIFY_SCHEDULE: 'off' }).verifySchedule).toBeNull();
    expect(() => loadConfig({ HOLDFAST_VERIFY_SCHEDULE: '0 25 * * *' })).toThrow(/HOLDFAST_VERIFY_SCHEDULE="0 25 \* \* \*"/);
    expect(() => loadConfig({ HOLDFAST_VERIFY_SCHEDULE: 'weekly' })).toThrow(/HOLDFAST_VERIFY_SCHEDULE/);
  });

  test('BACKUP_CLEANUP_SCHEDULE is read with the rest of the configuration: 05:00 daily by default, a bad cron fails at start for every host', () => {
    expect(loadConfig({ HOLDFAST_HOME: '/h' }).cleanupSchedule).toBe('0 5 * * *');
    expect(loadConfig({ HOLDFAST_HOME: '/h', BACKUP_CLEANUP_SCHEDULE: '15 1 * * *' }).cleanupSchedule).toBe('15 1 * * *');
    expect(() => loadConfig({ BACKUP_CLEANUP_SCHEDULE: 'nightly' })).toThrow(/BACKUP_CLEANUP_SCHEDULE="nightly"/);
  });

  test("the home directory is the platform's app-data directory", () => {
    expect(defaultHome({ XDG_DATA_HOME: '/x' }, 'linux')).toBe('/x/holdfast');
    expect(defaultHome({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toContain('Holdfast');
  });
});
