import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BackupOptionsSchema } from '../backup/options.ts';
import { Catalogue, newId } from '../catalogue/catalogue.ts';
import type { BackupMetadata } from '../model/types.ts';
import { computeHealth } from './health.ts';
import { computeStats } from './stats.ts';
import { startingSet } from '../sets/set-record.ts';
import { SetStore } from '../sets/set-rows.ts';
import { newProfileRecord } from '../../../test/support/profile-record.ts';

const now = new Date('2024-01-15T10:30:00.000Z');
const hoursAgo = (hours: number): string => new Date(now.getTime() - hours * 3_600_000).toISOString();

let dir: string;
let backupDir: string;
let catalogue: Catalogue;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-stats-'));
  backupDir = mkdtempSync(join(dir, 'backups-'));
  catalogue = new Catalogue(join(dir, 'catalogue.db'));
});

afterEach(() => {
  catalogue.close();
  rmSync(dir, { recursive: true, force: true });
});

function addProfile(name: string): void {
  catalogue.addProfile(newProfileRecord(name));
}

function metadata(fields: { profile: string; timestamp: string; size: number; compressed?: boolean; durationMs?: number; options?: Record<string, unknown> }): BackupMetadata {
  const id = newId();
  const compressed = fields.compressed ?? true;
  const filename = `${fields.profile}-${fields.timestamp.replace(/[:.]/g, '-')}-${id}.dump`;
  return {
    id,
    filename,
    timestamp: fields.timestamp,
    size: fields.size,
    compressed,
    encrypted: false,
    checksum: `sha256:${'0'.repeat(64)}`,
    databaseSize: fields.size * 4,
    tables: ['public.orders'],
    version: 'PostgreSQL 15.18',
    duration: fields.durationMs ?? 1000,
    profile: fields.profile,
    database: fields.profile,
    path: join(backupDir, filename),
    format: 'custom',
    compression: compressed ? 'gzip' : 'none',
    status: 'completed',
    rowCounts: { 'public.orders': 10 },
    serverMajor: 15,
    clientVersion: 'pg_dump 15.18',
    options: BackupOptionsSchema.parse(fields.options ?? {}),
    globals: { filename: null, checksum: null, note: 'not requested' },
  };
}

// Runs are stamped with the wall clock and listed in start order; a short pause keeps that order
// unambiguous when a test records several runs in a row.
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 3));

async function backup(fields: Parameters<typeof metadata>[0], extra: { adopted?: boolean } = {}): Promise<BackupMetadata> {
  await tick();
  const meta = metadata(fields);
  const runId = catalogue.startRun({ kind: 'backup', profile: fields.profile, ...(extra.adopted ? { detail: { adoptedFrom: `${meta.filename}.json` } } : {}) });
  catalogue.insertBackup(meta, runId);
  catalogue.finishRun(runId, 'completed', { backupId: meta.id });
  return meta;
}

/**
 * A whole-server set of profile "server" that came out partial: its failed member started first and a
 * completed one last, so the set, not its newest member, must stand for the profile's last run.
 */
function partialSetWithFailedMemberFirst(): void {
  const setRun = catalogue.startRun({ kind: 'backup', profile: 'server', detail: { filename: 'set.set.json', wholeServerSet: true } });
  for (const [database, status] of [
    ['secret', 'failed'],
    ['tiny', 'completed'],
  ] as const) {
    const run = catalogue.startRun({ kind: 'backup', profile: 'server', detail: { filename: `${database}.dump`, set: 'abcdefabcdef' } });
    catalogue.finishRun(run, status, status === 'failed' ? { error: 'permission denied for database secret' } : {});
  }
  catalogue.finishRun(setRun, 'failed', { error: 'Backup set abcdefabcdef is partial: secret could not be backed up', detail: { setId: 'abcdefabcdef' } });
}

async function failedRun(profile: string, status: 'failed' | 'interrupted', error: string): Promise<void> {
  await tick();
  const runId = catalogue.startRun({ kind: 'backup', profile });
  catalogue.finishRun(runId, status, { error });
}

describe('computeStats', () => {
  test('an empty catalogue gives zeros and nulls', () => {
    expect(computeStats(catalogue, now, backupDir)).toEqual({
      totalBackups: 0,
      importedBackups: 0,
      totalSize: 0,
      oldestBackup: null,
      newestBackup: null,
      averageSize: 0,
      backupsLast24Hours: 0,
      backupsLast7Days: 0,
      compressionUsage: 0,
      averageDuration: 0,
      successfulBackups: 0,
      failedBackups: 0,
      failedInSets: 0,
      missingBackups: 0,
      rolesFiles: { count: 0, bytes: 0 },
      profiles: [],
    });
  });

  // Each backup's roles file lies beside it, a whole-server set's in BACKUP_DIR: files on disk that no
  // figure above counts. Counted once each, only while there; a deleted set's and a missing one are not.
  test("roles files are counted with their bytes: backups' and sets' alike, only those that are there", async () => {
    const withRoles = async (content: string | null): Promise<void> => {
      const meta = await backup({ profile: 'shop', timestamp: hoursAgo(1), size: 100 });
      const filename = `${meta.filename}.globals.sql`;
      catalogue.db.prepare(`UPDATE backups SET metadata = json_set(metadata, '$.globals', json(?)) WHERE id = ?`).run(JSON.stringify({ filename, checksum: 'sha256:x', note: null }), meta.id);
      if (content !== null) writeFileSync(join(backupDir, filename), content);
    };
    await withRoles('CREATE ROLE a;\n');
    await withRoles(null);
    const sets = new SetStore(catalogue.db);
    for (const [status, content] of [
      ['completed', 'CREATE ROLE server_a;\nCREATE ROLE server_b;\n'],
      ['deleted', 'CREATE ROLE gone;\n'],
    ] as const) {
      const set = { ...startingSet({ id: newId(), profile: 'server', timestamp: hoursAgo(2), parallelDatabases: 1 }), status };
      set.globals = { filename: `set-${set.id}.globals.sql`, checksum: 'sha256:x', note: null };
      sets.start(set, catalogue.startRun({ kind: 'backup', profile: 'server' }));
      sets.finish(set);
      writeFileSync(join(backupDir, set.globals.filename!), content);
    }
    expect(computeStats(catalogue, now, backupDir).rolesFiles).toEqual({ count: 2, bytes: 'CREATE ROLE a;\n'.length + 'CREATE ROLE server_a;\nCREATE ROLE server_b;\n'.length });
  });

  test("a whole-server set's runs count per database: a set with 2 failed members is 2 failures, said to be in sets, its own run not a third", () => {
    addProfile('server');
    const setRun = catalogue.startRun({ kind: 'backup', profile: 'server', detail: { filename: 'set.set.json', wholeServerSet: true } });
    for (const [database, status] of [
      ['app', 'completed'],
      ['crm', 'failed'],
      ['billing', 'failed'],
    ] as const) {
      const run = catalogue.startRun({ kind: 'backup', profile: 'server', detail: { filename: `${database}.dump`, set: 'abcdefabcdef' } });
      catalogue.finishRun(run, status, status === 'failed' ? { error: `pg_dump: database "${database}" does not exist` } : {});
    }
    catalogue.finishRun(setRun, 'failed', { error: 'Backup set abcdefabcdef is partial', detail: { setId: 'abcdefabcdef' } });
    const stats = computeStats(catalogue, now, backupDir);
    expect({ ok: stats.successfulBackups, failed: stats.failedBackups, inSets: stats.failedInSets }).toEqual({ ok: 1, failed: 2, inSets: 2 });
    expect(stats.profiles.find((p) => p.profile === 'server')).toMatchObject({ failedBackups: 2, lastRunStatus: 'failed' });
  });

  test("a partial set's last run is the set's own, whichever member ran last; a set that failed before any database is one failure, in a set", () => {
    addProfile('server');
    partialSetWithFailedMemberFirst();
    expect(computeStats(catalogue, now, backupDir).profiles.find((p) => p.profile === 'server')).toMatchObject({ failedBackups: 1, lastRunStatus: 'failed' });
    // A later set fails before it lists a database: no member ran, so its own run is the failure.
    const early = catalogue.startRun({ kind: 'backup', profile: 'server', detail: { filename: 'set2.set.json', wholeServerSet: true } });
    catalogue.finishRun(early, 'failed', { error: 'password authentication failed for user "backup"' });
    const stats = computeStats(catalogue, now, backupDir);
    expect({ failed: stats.failedBackups, inSets: stats.failedInSets }).toEqual({ failed: 2, inSets: 2 });
    expect(stats.profiles.find((p) => p.profile === 'server')).toMatchObject({ failedBackups: 2, lastRunStatus: 'failed' });
  });

  test('exact figures over completed backups; missing files, adoptions and other run kinds are kept apart', async () => {
    addProfile('prod');
    addProfile('staging');
    addProfile('unused');
    await failedRun('prod', 'interrupted', 'Holdfast stopped while this run was in progress');
    await backup({ profile: 'prod', timestamp: '2024-01-01T02:00:00.000Z', size: 1000, durationMs: 40_000 });
    await backup({ profile: 'prod', timestamp: '2024-01-14T02:00:00.000Z', size: 3000, durationMs: 44_000 });
    await backup({ profile: 'prod', timestamp: '2024-01-15T02:00:00.000Z', size: 5000, durationMs: 42_000 });
    await backup({ profile: 'staging', timestamp: '2024-01-10T02:00:00.000Z', size: 2000, compressed: false, durationMs: 42_000 });
    const gone = await backup({ profile: 'staging', timestamp: '2024-01-12T02:00:00.000Z', size: 99_999 });
    catalogue.setBackupStatus(gone.id, 'missing');
    const removed = await backup({ profile: 'staging', timestamp: '2024-01-13T02:00:00.000Z', size: 77_777 });
    catalogue.setBackupStatus(removed.id, 'deleted');
    await failedRun('staging', 'failed', 'connection refused');
    // Adopted after the failure: counts as a backup, but not as a run, so staging's last run stays failed.
    await backup({ profile: 'staging', timestamp: '2024-01-05T02:00:00.000Z', size: 500, compressed: false, durationMs: 10_000 }, { adopted: true });
    catalogue.startRun({ kind: 'verify', profile: 'prod' });
    catalogue.finishRun(catalogue.startRun({ kind: 'restore', profile: 'prod' }), 'failed', { error: 'restore refused' });

    expect(computeStats(catalogue, now, backupDir)).toEqual({
      totalBackups: 5,
      importedBackups: 0,
      totalSize: 11_500,
      oldestBackup: '2024-01-01T02:00:00.000Z',
      newestBackup: '2024-01-15T02:00:00.000Z',
      averageSize: 2300,
      backupsLast24Hours: 1,
      backupsLast7Days: 3,
      compressionUsage: 60,
      averageDuration: 35.6,
      successfulBackups: 6,
      failedBackups: 2,
      failedInSets: 0,
      missingBackups: 1,
      rolesFiles: { count: 0, bytes: 0 },
      profiles: [
        { profile: 'prod', totalBackups: 3, totalSize: 9000, newestBackup: '2024-01-15T02:00:00.000Z', lastRunStatus: 'completed', failedBackups: 1 },
        { profile: 'staging', totalBackups: 2, totalSize: 2500, newestBackup: '2024-01-10T02:00:00.000Z', lastRunStatus: 'failed', failedBackups: 1 },
        { profile: 'unused', totalBackups: 0, totalSize: 0, newestBackup: null, lastRunStatus: null, failedBackups: 0 },
      ],
    });
  });

  // A DBA review: `holdfast stats` said "2 backups; 1 succeeded, 0 failed" with an import among them.
  test('an imported dump is a backup kept but no run: counted among the backups as imported, in neither run count', async () => {
    addProfile('prod');
    await backup({ profile: 'prod', timestamp: hoursAgo(30), size: 10 });
    const imported: BackupMetadata = { ...metadata({ profile: 'prod', timestamp: hoursAgo(1), size: 10 }), imported: { from: '/srv/dumps/prod.dump', at: hoursAgo(1), pgRestore: 'ok' } };
    const runId = catalogue.startRun({ kind: 'backup', profile: 'prod', detail: { importedFrom: '/srv/dumps/prod.dump', filename: imported.filename } });
    catalogue.insertBackup(imported, runId);
    catalogue.finishRun(runId, 'completed', { backupId: imported.id });
    expect(computeStats(catalogue, now, backupDir)).toMatchObject({ totalBackups: 2, importedBackups: 1, successfulBackups: 1, failedBackups: 0 });
  });

  test('a removed profile still appears while it has backups; a running backup shows as its last run', async () => {
    await backup({ profile: 'legacy', timestamp: hoursAgo(1), size: 10 });
    addProfile('prod');
    await tick();
    catalogue.startRun({ kind: 'backup', profile: 'prod' });

    const stats = computeStats(catalogue, now, backupDir);
    expect(stats.profiles.map((p) => [p.profile, p.lastRunStatus])).toEqual([
      ['legacy', 'completed'],
      ['prod', 'running'],
    ]);
    expect(stats.backupsLast24Hours).toBe(1);
  });
});

describe('computeHealth', () => {
  const health = (extra: Partial<Parameters<typeof computeHealth>[0]> = {}) => computeHealth({ catalogue, backupDir, now, clientToolsFound: true, minFreeBytes: 0, ...extra });

  test('healthy: every profile recently backed up, directory writable, pg_dump found', async () => {
    addProfile('prod');
    await backup({ profile: 'prod', timestamp: hoursAgo(30), size: 10 });
    const latest = await backup({ profile: 'prod', timestamp: hoursAgo(2), size: 10 });

    const report = await health();
    expect(report).toMatchObject({
      status: 'healthy',
      totalBackups: 2,
      hasRecentBackup: true,
      lastBackup: latest.timestamp,
      timestamp: '2024-01-15T10:30:00.000Z',
      reasons: [],
    });
    expect(report.freeBytes).toBeGreaterThan(0);
    // The write probe cleans up after itself.
    expect(readdirSync(backupDir)).toEqual([]);
  });

  test('a stale profile makes it degraded and is named; a per-profile interval can allow longer gaps', async () => {
    addProfile('prod');
    addProfile('weekly');
    await backup({ profile: 'prod', timestamp: hoursAgo(30), size: 10 });
    await backup({ profile: 'weekly', timestamp: hoursAgo(100), size: 10 });

    const report = await health({ expectedIntervalHours: (profile) => (profile === 'weekly' ? 24 * 7 : undefined) });
    expect(report.status).toBe('degraded');
    expect(report.hasRecentBackup).toBe(false);
    expect(report.reasons).toEqual([
      {
        code: 'NO_RECENT_BACKUP',
        severity: 'degraded',
        profile: 'prod',
        message: `Profile "prod" was last backed up in full 30 h ago (${hoursAgo(30)}); expected at least every 26 h.`,
      },
    ]);

    expect((await health({ recentWithinHours: 48, expectedIntervalHours: () => 24 * 7 })).status).toBe('healthy');
  });

  test('a profile never backed up is not protected', async () => {
    addProfile('prod');
    addProfile('fresh');
    await backup({ profile: 'prod', timestamp: hoursAgo(1), size: 10 });

    const report = await health();
    expect(report.status).toBe('degraded');
    expect(report.reasons).toEqual([{ code: 'NO_RECENT_BACKUP', severity: 'degraded', profile: 'fresh', message: 'Profile "fresh" has never been backed up.' }]);
  });

  test('a profile used only as a restore target (no backup, no attempt, no schedule) is not overdue; given a schedule, or once it failed a backup, it is judged', async () => {
    addProfile('prod');
    addProfile('scratch');
    await backup({ profile: 'prod', timestamp: hoursAgo(1), size: 10 });
    catalogue.finishRun(catalogue.startRun({ kind: 'restore', profile: 'scratch' }), 'completed');

    const report = await health();
    expect(report.reasons).toEqual([]);
    expect(report.status).toBe('healthy');
    expect(report.profiles).toContainEqual({ profile: 'scratch', status: 'healthy' });

    // A schedule says backups are expected of it.
    expect((await health({ expectedIntervalHours: (profile) => (profile === 'scratch' ? 25 : undefined) })).reasons).toEqual([
      { code: 'NO_RECENT_BACKUP', severity: 'degraded', profile: 'scratch', message: 'Profile "scratch" has never been backed up.' },
    ]);
    // So does a backup of it that was tried.
    await failedRun('scratch', 'failed', 'connection refused');
    expect((await health()).reasons.map((reason) => reason.code)).toEqual(['NO_RECENT_BACKUP', 'LAST_RUN_FAILED']);
  });

  test('a partial whole-server set makes its profile unhealthy, even when the member that ran last completed', async () => {
    addProfile('server');
    await backup({ profile: 'server', timestamp: hoursAgo(1), size: 10 });
    partialSetWithFailedMemberFirst();
    const report = await health();
    expect(report.status).toBe('unhealthy');
    expect(report.reasons).toEqual([expect.objectContaining({ code: 'LAST_RUN_FAILED', profile: 'server', message: expect.stringContaining('is partial: secret') })]);
  });

  test('the last backup run failing makes it unhealthy, even while a new run is in progress; a later success clears it', async () => {
    addProfile('prod');
    await backup({ profile: 'prod', timestamp: hoursAgo(3), size: 10 });
    await failedRun('prod', 'failed', 'pg_dump exited with code 1: permission denied for table orders');
    await tick();
    const running = catalogue.startRun({ kind: 'backup', profile: 'prod' });

    const report = await health();
    expect(report.status).toBe('unhealthy');
    expect(report.reasons).toEqual([
      {
        code: 'LAST_RUN_FAILED',
        severity: 'unhealthy',
        profile: 'prod',
        message: 'The last backup of profile "prod" failed: pg_dump exited with code 1: permission denied for table orders',
      },
    ]);

    catalogue.finishRun(running, 'interrupted', { error: 'Holdfast stopped' });
    expect((await health()).reasons.map((reason) => reason.message)).toEqual(['The last backup of profile "prod" was interrupted: Holdfast stopped']);

    await backup({ profile: 'prod', timestamp: hoursAgo(1), size: 10 });
    expect((await health()).status).toBe('healthy');
  });

  test('issue 12 B: a partial, schema-only or data-only backup does not count as a recent backup', async () => {
    addProfile('prod');
    addProfile('tables');
    const lastFull = await backup({ profile: 'prod', timestamp: hoursAgo(30), size: 10 });
    await backup({ profile: 'prod', timestamp: hoursAgo(1), size: 1, options: { tables: ['public.customers'] } });
    await backup({ profile: 'tables', timestamp: hoursAgo(2), size: 1, options: { schemaOnly: true } });
    await backup({ profile: 'tables', timestamp: hoursAgo(1), size: 1, options: { dataOnly: true } });

    const report = await health();
    expect(report).toMatchObject({ status: 'degraded', hasRecentBackup: false, lastBackup: lastFull.timestamp, totalBackups: 4 });
    expect(report.reasons).toEqual([
      {
        code: 'NO_RECENT_BACKUP',
        severity: 'degraded',
        profile: 'prod',
        message: `Profile "prod" was last backed up in full 30 h ago (${hoursAgo(30)}); expected at least every 26 h.`,
      },
      {
        code: 'NO_RECENT_BACKUP',
        severity: 'degraded',
        profile: 'tables',
        message: 'Profile "tables" has no full backup: its 2 backups are partial, schema-only or data-only, and none of them restores the whole database.',
      },
    ]);
  });

  // A DBA review: the roles file of the newest backup was deleted and health stayed green; a restore of
  // that backup to a server without the roles then fails on every owner, or needs --no-owner.
  test('a newest full backup whose recorded roles file is gone is flagged, and one whose roles file is there is not', async () => {
    addProfile('prod');
    const withRoles = (at: string): BackupMetadata => {
      const meta = metadata({ profile: 'prod', timestamp: at, size: 10 });
      return { ...meta, globals: { filename: meta.filename.replace(/\.dump$/, '.globals.sql'), checksum: `sha256:${'1'.repeat(64)}`, note: null } };
    };
    const newestBackup = withRoles(hoursAgo(1));
    const runId = catalogue.startRun({ kind: 'backup', profile: 'prod' });
    catalogue.insertBackup(newestBackup, runId);
    catalogue.finishRun(runId, 'completed', { backupId: newestBackup.id });

    const report = await health();
    expect(report.reasons).toEqual([
      {
        code: 'ROLES_FILE_MISSING',
        severity: 'degraded',
        profile: 'prod',
        message: `The newest full backup of profile "prod", ${newestBackup.filename}, records a roles file, ${newestBackup.globals.filename}, that is gone: the roles and tablespaces its objects need cannot be restored with it.`,
      },
    ]);
    writeFileSync(join(backupDir, newestBackup.globals.filename!), 'CREATE ROLE app;\n');
    expect((await health()).reasons).toEqual([]);
  });

  test('an imported dump, however new its file, does not make a profile look recently backed up: health judges the backups Holdfast takes', async () => {
    addProfile('prod');
    const lastTaken = await backup({ profile: 'prod', timestamp: hoursAgo(30), size: 10 });
    await tick();
    const imported: BackupMetadata = { ...metadata({ profile: 'prod', timestamp: hoursAgo(1), size: 10 }), imported: { from: '/srv/dumps/prod.dump', at: hoursAgo(1), pgRestore: 'ok' } };
    const runId = catalogue.startRun({ kind: 'backup', profile: 'prod', detail: { importedFrom: '/srv/dumps/prod.dump', filename: imported.filename } });
    catalogue.insertBackup(imported, runId);
    catalogue.finishRun(runId, 'completed', { backupId: imported.id });

    const report = await health();
    expect(report).toMatchObject({ status: 'degraded', hasRecentBackup: false, lastBackup: lastTaken.timestamp });
    expect(report.reasons).toEqual([
      {
        code: 'NO_RECENT_BACKUP',
        severity: 'degraded',
        profile: 'prod',
        message: `Profile "prod" was last backed up in full 30 h ago (${hoursAgo(30)}); expected at least every 26 h.`,
      },
    ]);
  });

  test('issue 12 D: a profile whose newest full backup failed verify or its drill is named, until a newer full backup passes', async () => {
    addProfile('prod');
    addProfile('drilled');
    await backup({ profile: 'prod', timestamp: hoursAgo(5), size: 10 });
    const corrupt = await backup({ profile: 'prod', timestamp: hoursAgo(3), size: 10 });
    // A newer partial backup that is fine changes nothing: it is not a copy of the database.
    await backup({ profile: 'prod', timestamp: hoursAgo(1), size: 1, options: { tables: ['public.customers'] } });
    catalogue.recordVerification(corrupt.id, false);
    const undrillable = await backup({ profile: 'drilled', timestamp: hoursAgo(2), size: 10 });
    catalogue.recordRestoreTest(undrillable.id, false, hoursAgo(1));

    const report = await health();
    expect(report.status).toBe('unhealthy');
    expect(report.reasons).toEqual([
      {
        code: 'NEWEST_BACKUP_FAILED_CHECK',
        severity: 'unhealthy',
        profile: 'drilled',
        message: `The newest full backup of profile "drilled", ${undrillable.filename} (${undrillable.timestamp}), failed its restore drill (${hoursAgo(1)}); it may not restore.`,
      },
      {
        code: 'NEWEST_BACKUP_FAILED_CHECK',
        severity: 'unhealthy',
        profile: 'prod',
        message: expect.stringMatching(new RegExp(`^The newest full backup of profile "prod", ${corrupt.filename} \\(${corrupt.timestamp}\\), failed verification \\(.*\\); it may not restore\\.$`)),
      },
    ]);

    await backup({ profile: 'prod', timestamp: hoursAgo(0.5), size: 10 });
    await backup({ profile: 'drilled', timestamp: hoursAgo(0.5), size: 10 });
    expect((await health()).status).toBe('healthy');
  });

  test('a missing backup directory is unhealthy and is not created', async () => {
    addProfile('prod');
    await backup({ profile: 'prod', timestamp: hoursAgo(1), size: 10 });
    const missing = join(dir, 'no-such-dir');

    const report = await health({ backupDir: missing });
    expect(report.status).toBe('unhealthy');
    expect(report.freeBytes).toBeNull();
    expect(report.reasons).toEqual([{ code: 'BACKUP_DIR_NOT_WRITABLE', severity: 'unhealthy', message: `The backup directory ${missing} does not exist.` }]);
    expect(readdirSync(dir)).not.toContain('no-such-dir');
  });

  test('before the first backup, a backup directory that does not exist yet is fine when it can be made, and is not made', async () => {
    addProfile('prod');
    const notYet = join(dir, 'not-yet', 'backups');
    const report = await health({ backupDir: notYet });
    expect(report.reasons.map((reason) => reason.code)).toEqual(['NO_BACKUPS', 'NO_RECENT_BACKUP']);
    expect(report.status).toBe('degraded');
    expect(report.freeBytes).toBeGreaterThan(0);
    expect(readdirSync(dir)).not.toContain('not-yet');

    // Where it cannot be made (its parent is a file), it is unhealthy already.
    writeFileSync(join(dir, 'a-file'), 'x');
    const blocked = await health({ backupDir: join(dir, 'a-file', 'backups') });
    expect(blocked.status).toBe('unhealthy');
    expect(blocked.reasons[0]).toMatchObject({ code: 'BACKUP_DIR_NOT_WRITABLE', message: `The backup directory ${join(dir, 'a-file', 'backups')} is not a directory.` });
  });

  test('no usable pg_dump is unhealthy, and outranks degraded reasons', async () => {
    const report = await health({ clientToolsFound: false });
    expect(report.status).toBe('unhealthy');
    expect(report.reasons.map((reason) => [reason.code, reason.severity])).toEqual([
      ['NO_COMPATIBLE_PG_DUMP', 'unhealthy'],
      ['NO_BACKUPS', 'degraded'],
    ]);
  });

  test('an empty catalogue is degraded with NO_BACKUPS', async () => {
    const report = await health();
    expect(report).toMatchObject({ status: 'degraded', totalBackups: 0, hasRecentBackup: false, lastBackup: null });
    expect(report.reasons).toEqual([{ code: 'NO_BACKUPS', severity: 'degraded', message: 'No profiles are configured and the catalogue holds no backups.' }]);
  });

  test('issue 17 item 7: the overall verdict and each profile verdict come from one rule and agree', async () => {
    // Before: a failed last run and a failed drill made the Overview say "Degraded" while the same
    // profiles' badges said "Failing" (the renderer judged profiles with a list of its own).
    addProfile('broken');
    addProfile('undrillable');
    addProfile('fine');
    await backup({ profile: 'broken', timestamp: hoursAgo(3), size: 10 });
    await failedRun('broken', 'failed', 'pg_dump exited with code 1');
    const drilled = await backup({ profile: 'undrillable', timestamp: hoursAgo(2), size: 10 });
    catalogue.recordRestoreTest(drilled.id, false, hoursAgo(1));
    await backup({ profile: 'fine', timestamp: hoursAgo(1), size: 10 });

    const report = await health();
    expect(report.profiles).toEqual([
      { profile: 'broken', status: 'unhealthy' },
      { profile: 'fine', status: 'healthy' },
      { profile: 'undrillable', status: 'unhealthy' },
    ]);
    expect(report.status).toBe('unhealthy');
    // Whatever the reasons, the overall verdict is never better than a profile's.
    const rank = { healthy: 0, degraded: 1, unhealthy: 2 } as const;
    for (const profile of report.profiles) expect(rank[report.status]).toBeGreaterThanOrEqual(rank[profile.status]);
  });

  test('free space below the minimum is degraded', async () => {
    addProfile('prod');
    await backup({ profile: 'prod', timestamp: hoursAgo(1), size: 10 });

    const report = await health({ minFreeBytes: Number.MAX_SAFE_INTEGER });
    expect(report.status).toBe('degraded');
    expect(report.reasons.map((reason) => reason.code)).toEqual(['LOW_DISK_SPACE']);
    expect(report.reasons[0]!.message).toContain(backupDir);
  });
});

describe('truncate: a long reason is cut at a word, not in one', () => {
  test('at the last space before the limit, with an ellipsis; short text is kept', async () => {
    const { truncate } = await import('./health.ts');
    const reason = `${'word '.repeat(70)}connection refused`;
    const cut = truncate(reason, 300);
    expect(cut.length).toBeLessThanOrEqual(300);
    expect(cut).toMatch(/word…$/);
    expect(truncate('short', 300)).toBe('short');
    // One long token has no space to cut at: cut at the limit.
    expect(truncate('x'.repeat(400), 300)).toHaveLength(300);
  });
});
