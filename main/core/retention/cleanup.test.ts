import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { backupFilename, companionPaths } from '../backup/naming.ts';
import { BackupOptionsSchema, type DumpFormat } from '../backup/options.ts';
import { Catalogue } from '../catalogue/catalogue.ts';
import type { BackupMetadata, BackupStatus } from '../model/types.ts';
import { planCleanup, runCleanup } from './cleanup.ts';
import type { RetentionPolicy } from './policy.ts';

const NOW = new Date('2025-04-01T00:00:00.000Z');
const DAYS_30: RetentionPolicy = { kind: 'days', keepDays: 30 };

let home: string;
let backupDir: string;
let catalogue: Catalogue;
let serial = 0;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'holdfast-retention-'));
  backupDir = join(home, 'backups');
  await mkdir(backupDir);
  catalogue = new Catalogue(join(home, 'catalogue.sqlite'));
});

afterEach(async () => {
  catalogue.close();
  await rm(home, { recursive: true, force: true });
});

function metadata(fields: { profile: string; timestamp: string; path: string; format: DumpFormat; size: number; status?: BackupStatus; options?: Record<string, unknown> }): BackupMetadata {
  serial += 1;
  const filename = basename(fields.path);
  return {
    id: `b${String(serial).padStart(4, '0')}`,
    filename,
    timestamp: fields.timestamp,
    size: fields.size,
    compressed: true,
    encrypted: false,
    checksum: `sha256:${'0'.repeat(64)}`,
    databaseSize: 4096,
    tables: ['public.items'],
    version: 'PostgreSQL 15.18',
    duration: 1200,
    profile: fields.profile,
    database: 'app',
    path: fields.path,
    format: fields.format,
    compression: 'gzip',
    status: fields.status ?? 'completed',
    rowCounts: { 'public.items': 3 },
    serverMajor: 15,
    clientVersion: '15.18',
    options: BackupOptionsSchema.parse({ ...fields.options, format: fields.format }),
    globals: { filename: `${filename}.globals.sql`, checksum: null, note: null },
  };
}

/** A catalogued backup with real files: the dump (a file, or a directory of files), its sidecar and its globals file. */
async function addBackup(
  profile: string,
  timestamp: string,
  options: { format?: DumpFormat; size?: number; status?: BackupStatus; path?: string; createFiles?: boolean; backupOptions?: Record<string, unknown> } = {},
): Promise<BackupMetadata> {
  const format = options.format ?? 'custom';
  const path = options.path ?? join(backupDir, backupFilename(new Date(timestamp), profile, undefined, format === 'directory' ? 'dir' : 'dump'));
  const backup = metadata({ profile, timestamp, path, format, size: options.size ?? 1000, status: options.status, options: options.backupOptions });
  if (options.createFiles ?? true) {
    if (format === 'directory') {
      await mkdir(path);
      await writeFile(join(path, 'toc.dat'), 'toc');
      await writeFile(join(path, '3001.dat.gz'), 'data');
    } else {
      await writeFile(path, 'PGDMP fake dump');
    }
    const { sidecar, globals } = companionPaths(path);
    await writeFile(sidecar, JSON.stringify(backup));
    await writeFile(globals, '-- roles\n');
  }
  const runId = catalogue.startRun({ kind: 'backup', profile });
  catalogue.insertBackup(backup, runId);
  catalogue.finishRun(runId, 'completed', { backupId: backup.id });
  return backup;
}

async function tree(): Promise<string[]> {
  return (await readdir(backupDir, { recursive: true })).map(String).sort();
}

function statuses(): Record<string, BackupStatus> {
  return Object.fromEntries(catalogue.listBackups({ statuses: ['completed', 'missing', 'deleted'] }).map((b) => [b.id, b.status]));
}

const retentionAudit = () => catalogue.auditEntries(1000).filter((entry) => entry.action === 'retention.delete');

/** Files (relative to the backup directory) that belong to a backup. */
function filesOf(backup: BackupMetadata, inside: string[] = []): string[] {
  const name = basename(backup.path);
  return [name, ...inside.map((file) => join(name, file)), `${name}.json`, `${name}.globals.sql`];
}

async function scenario() {
  const recent = await addBackup('prod', '2025-03-31T02:00:00.000Z', { size: 1000 });
  const recentDir = await addBackup('prod', '2025-03-20T02:00:00.000Z', { format: 'directory', size: 2000 });
  const oldDir = await addBackup('prod', '2025-01-10T02:00:00.000Z', { format: 'directory', size: 3000 });
  const oldFile = await addBackup('prod', '2025-01-05T02:00:00.000Z', { size: 4000 });
  // Lost on disk: neither a kept copy nor something to delete.
  const missing = await addBackup('prod', '2024-12-01T02:00:00.000Z', { status: 'missing', createFiles: false });
  const onlyOther = await addBackup('other', '2024-01-01T02:00:00.000Z', { size: 500 });
  // Not in the catalogue at all: never touched.
  await writeFile(join(backupDir, 'notes.txt'), 'mine');
  return { recent, recentDir, oldDir, oldFile, missing, onlyOther };
}

describe('runCleanup', () => {
  test('a dry run reports the plan and changes nothing', async () => {
    const { oldDir, oldFile, onlyOther } = await scenario();
    const filesBefore = await tree();
    const statusBefore = statuses();
    const auditBefore = catalogue.auditEntries(1000).length;

    const report = await runCleanup(catalogue, { policy: DAYS_30, now: NOW, dryRun: true, timeZone: 'UTC' });

    expect(report).toMatchObject({ dryRun: true, policy: '30d', deleted: [oldDir.id, oldFile.id], freedBytes: 7000, errors: [] });
    expect(report.decisions.map((d) => [d.profile, d.timestamp.slice(0, 10), d.action])).toEqual([
      ['other', '2024-01-01', 'keep'],
      ['prod', '2025-03-31', 'keep'],
      ['prod', '2025-03-20', 'keep'],
      ['prod', '2025-01-10', 'delete'],
      ['prod', '2025-01-05', 'delete'],
    ]);
    expect(report.decisions[0]).toMatchObject({ id: onlyOther.id, reasons: ['newest good full backup of the profile', 'minimum of 1 kept'] });
    expect(await tree()).toEqual(filesBefore);
    expect(statuses()).toEqual(statusBefore);
    expect(catalogue.auditEntries(1000)).toHaveLength(auditBefore);
  });

  test('issue 17 item 4: a confirmed preview deletes only the files it showed, never one the plan added since', async () => {
    const { oldDir, oldFile } = await scenario();
    const shown = await runCleanup(catalogue, { policy: DAYS_30, now: NOW, dryRun: true, timeZone: 'UTC' });
    expect(shown.deleted).toEqual([oldDir.id, oldFile.id]);
    // Between the preview and the confirm, a backup falls out of the window that was not on the list.
    const later = await addBackup('prod', '2025-02-01T02:00:00.000Z', { size: 10 });
    const confirmed = await runCleanup(catalogue, { policy: DAYS_30, now: NOW, dryRun: false, timeZone: 'UTC', onlyIds: [oldFile.id] });
    expect(confirmed.deleted).toEqual([oldFile.id]);
    expect(statuses()).toMatchObject({ [oldFile.id]: 'deleted', [oldDir.id]: 'completed', [later.id]: 'completed' });
  });

  test('a real run removes exactly the planned dumps, sidecars and globals, and keeps history', async () => {
    const { recent, oldDir, oldFile, missing, onlyOther, recentDir } = await scenario();
    const filesBefore = await tree();

    const report = await runCleanup(catalogue, { policy: DAYS_30, now: NOW, dryRun: false, timeZone: 'UTC', actor: 'tester' });

    expect(report).toMatchObject({ dryRun: false, policy: '30d', deleted: [oldDir.id, oldFile.id], freedBytes: 7000, errors: [] });
    const removed = [...filesOf(oldDir, ['toc.dat', '3001.dat.gz']), ...filesOf(oldFile)];
    expect(await tree()).toEqual(filesBefore.filter((file) => !removed.includes(file)));
    expect(filesBefore).toEqual(expect.arrayContaining(removed));

    expect(statuses()).toEqual({
      [recent.id]: 'completed',
      [recentDir.id]: 'completed',
      [oldDir.id]: 'deleted',
      [oldFile.id]: 'deleted',
      [missing.id]: 'missing',
      [onlyOther.id]: 'completed',
    });
    // The rows and their runs stay as history.
    expect(catalogue.findBackup(oldDir.id)).toMatchObject({ id: oldDir.id, status: 'deleted', path: oldDir.path });
    expect(catalogue.listRuns({ kind: 'backup' })).toHaveLength(6);

    const audit = retentionAudit();
    expect(audit).toHaveLength(2);
    expect(audit.map((entry) => entry.target).sort()).toEqual([oldDir.filename, oldFile.filename].sort());
    for (const entry of audit) {
      expect(entry.actor).toBe('tester');
      expect(entry.detail).toMatchObject({ profile: 'prod', policy: '30d', rule: 'older than 30 days' });
    }

    // Applying the same policy again finds nothing more to do.
    const again = await runCleanup(catalogue, { policy: DAYS_30, now: NOW, dryRun: false, timeZone: 'UTC' });
    expect(again).toMatchObject({ deleted: [], freedBytes: 0, errors: [] });
    expect(again.decisions).toHaveLength(3);
    expect(retentionAudit()).toHaveLength(2);
  });

  test('a file another listed backup also names is kept: only the retired row goes (issue 12, item 7)', async () => {
    const kept = await addBackup('prod', '2025-03-31T02:00:00.000Z', { size: 1000 });
    // An old row pointing at the same file as the newest one (a copied catalogue, a fixture, an adopt).
    const twin = { ...metadata({ profile: 'prod', timestamp: '2025-01-05T02:00:00.000Z', path: kept.path, format: 'custom', size: 1000 }), filename: 'backup-prod-copy.dump' };
    const runId = catalogue.startRun({ kind: 'backup', profile: 'prod' });
    catalogue.insertBackup(twin, runId);
    catalogue.finishRun(runId, 'completed', { backupId: twin.id });
    const report = await runCleanup(catalogue, { policy: DAYS_30, now: NOW, dryRun: false, timeZone: 'UTC' });
    expect(report).toMatchObject({ deleted: [twin.id], freedBytes: 0, errors: [] });
    expect(await tree()).toEqual(filesOf(kept).sort());
    expect(statuses()).toEqual({ [kept.id]: 'completed', [twin.id]: 'deleted' });
  });

  test('only the chosen profile is planned', async () => {
    const { oldDir, oldFile } = await scenario();
    const other = await runCleanup(catalogue, { profile: 'other', policy: DAYS_30, now: NOW, dryRun: false, timeZone: 'UTC' });
    expect(other.decisions.map((d) => d.profile)).toEqual(['other']);
    expect(other.deleted).toEqual([]);
    expect(statuses()[oldDir.id]).toBe('completed');

    const prod = await runCleanup(catalogue, { profile: 'prod', policy: DAYS_30, now: NOW, dryRun: false, timeZone: 'UTC' });
    expect(prod.deleted).toEqual([oldDir.id, oldFile.id]);
  });

  test('a missing newer row does not let the last completed backup go', async () => {
    const old = await addBackup('lost', '2024-06-01T02:00:00.000Z');
    const older = await addBackup('lost', '2024-05-01T02:00:00.000Z');
    await addBackup('lost', '2025-03-31T02:00:00.000Z', { status: 'missing', createFiles: false });
    const report = await runCleanup(catalogue, { policy: DAYS_30, now: NOW, dryRun: false, timeZone: 'UTC' });
    expect(report.deleted).toEqual([older.id]);
    expect(report.decisions[0]).toMatchObject({ id: old.id, action: 'keep', reasons: ['newest good full backup of the profile', 'minimum of 1 kept'] });
    expect(await tree()).toEqual(filesOf(old).sort());
  });

  test('issue 12 B: a partial newest backup keeps no slot from the full ones, and the plan names the files', async () => {
    const full = [];
    for (const minute of ['00', '10', '20']) full.push(await addBackup('shop', `2025-03-31T09:${minute}:00.000Z`, { size: 96_000_000 }));
    const partial = await addBackup('shop', '2025-03-31T09:30:00.000Z', { size: 422_000, backupOptions: { tables: ['customers'] } });
    const gfs: RetentionPolicy = { kind: 'gfs', daily: 7, weekly: 4, monthly: 12, yearly: 0 };

    const report = await runCleanup(catalogue, { policy: gfs, now: new Date('2025-03-31T10:00:00.000Z'), dryRun: true, timeZone: 'UTC' });

    expect(report.decisions.map((d) => [d.filename, d.size, d.action])).toEqual([
      [partial.filename, 422_000, 'keep'],
      [full[2]!.filename, 96_000_000, 'keep'],
      [full[1]!.filename, 96_000_000, 'delete'],
      [full[0]!.filename, 96_000_000, 'delete'],
    ]);
    expect(report.decisions[0]!.reasons).toEqual(['partial backup, kept within 7 days']);
    expect(report.decisions[1]!.reasons).toEqual(expect.arrayContaining(['daily slot 2025-03-31', 'newest good full backup of the profile']));
  });

  test('issue 12 item 5 and pins: a newest backup that failed verify protects nothing, a pinned one is never deleted', async () => {
    const pinned = await addBackup('prod', '2024-01-01T02:00:00.000Z');
    const good = await addBackup('prod', '2025-01-20T02:00:00.000Z');
    const older = await addBackup('prod', '2025-01-10T02:00:00.000Z');
    const corrupt = await addBackup('prod', '2025-01-30T02:00:00.000Z');
    catalogue.recordVerification(corrupt.id, false);
    catalogue.setBackupPinned(pinned.id, true);

    const report = await runCleanup(catalogue, { policy: DAYS_30, now: NOW, dryRun: false, timeZone: 'UTC' });

    expect(report.decisions.map((d) => [d.id, d.action, d.reasons])).toEqual([
      [corrupt.id, 'delete', ['backup that failed verification older than 30 days (only full backups whose checks passed fill slots)']],
      [good.id, 'keep', ['newest good full backup of the profile', 'minimum of 1 kept']],
      [older.id, 'delete', ['older than 30 days']],
      [pinned.id, 'keep', ['pinned']],
    ]);
    expect(statuses()).toMatchObject({ [pinned.id]: 'completed', [good.id]: 'completed', [older.id]: 'deleted', [corrupt.id]: 'deleted' });
  });

  test('GFS policies are reported in their text form', async () => {
    await addBackup('prod', '2025-03-31T02:00:00.000Z');
    const report = await runCleanup(catalogue, { policy: { kind: 'gfs', daily: 7, weekly: 4, monthly: 0, yearly: 1, minKeep: 2 }, now: NOW, dryRun: true, timeZone: 'UTC' });
    expect(report.policy).toBe('gfs:7d,4w,1y,min:2');
  });

  test('a backup whose file is already gone is still retired', async () => {
    const recent = await addBackup('prod', '2025-03-31T02:00:00.000Z');
    const gone = await addBackup('prod', '2025-01-01T02:00:00.000Z');
    await rm(gone.path);
    const report = await runCleanup(catalogue, { policy: DAYS_30, now: NOW, dryRun: false, timeZone: 'UTC' });
    expect(report).toMatchObject({ deleted: [gone.id], errors: [] });
    expect(statuses()[gone.id]).toBe('deleted');
    expect(await tree()).toEqual(filesOf(recent).sort());
  });

  test('files that cannot be removed are reported and their rows stay completed', async () => {
    const recent = await addBackup('prod', '2025-03-31T02:00:00.000Z');
    // A dump path under a regular file: removal fails with ENOTDIR, even for root.
    const blocker = join(backupDir, 'blocker');
    await writeFile(blocker, 'not a directory');
    const underFile = await addBackup('prod', '2025-01-03T02:00:00.000Z', { path: join(blocker, 'backup-under-file.dump'), createFiles: false });
    // A directory where a single-file dump should be: refused, not removed recursively.
    const dirInstead = await addBackup('prod', '2025-01-02T02:00:00.000Z', { format: 'directory' });
    catalogue.db.prepare('UPDATE backups SET metadata = json_set(metadata, ?, ?) WHERE id = ?').run('$.format', 'custom', dirInstead.id);
    const removable = await addBackup('prod', '2025-01-01T02:00:00.000Z', { size: 250 });
    const filesBefore = await tree();

    const report = await runCleanup(catalogue, { policy: DAYS_30, now: NOW, dryRun: false, timeZone: 'UTC' });

    expect(report.deleted).toEqual([removable.id]);
    expect(report.freedBytes).toBe(250);
    expect(report.errors.map((e) => e.id)).toEqual([underFile.id, dirInstead.id]);
    expect(report.errors[0]!.message).toMatch(/ENOTDIR/);
    expect(report.errors[1]!.message).toMatch(/is a directory, but a custom backup is a single file/);
    expect(statuses()).toEqual({ [recent.id]: 'completed', [underFile.id]: 'completed', [dirInstead.id]: 'completed', [removable.id]: 'deleted' });
    // The refused directory keeps its contents and its companions.
    expect(await tree()).toEqual(filesBefore.filter((file) => !filesOf(removable).includes(file)));
    expect(filesBefore).toEqual(expect.arrayContaining(filesOf(dirInstead, ['toc.dat', '3001.dat.gz'])));
    expect(retentionAudit().map((entry) => entry.target)).toEqual([removable.filename]);
  });
});

// BACKUP_RETENTION_DAYS=N (the policy "Nd") counts elapsed time: a backup exactly N × 24 h old is kept,
// a minute older goes. The preview (planCleanup: what retention-preview and cleanup --dry-run show),
// the dry run and the real prune must draw that line at the same instant, in any time zone; here
// across New York's change to summer time (2025-03-09), where 30 calendar days are 30 × 24 h − 1 h.
describe.each(['UTC', 'America/New_York'])('day boundaries in %s: the preview, the dry run and the prune agree', (timeZone) => {
  test('exactly 30 days old is kept, a minute older is deleted, a minute younger is kept', async () => {
    const now = new Date('2025-03-20T12:00:00.000Z');
    const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
    const DAY = 86_400_000;
    const newest = await addBackup('prod', ago(60_000));
    const younger = await addBackup('prod', ago(30 * DAY - 60_000));
    const exactly = await addBackup('prod', ago(30 * DAY));
    const older = await addBackup('prod', ago(30 * DAY + 60_000));
    const expected = { [newest.id]: 'keep', [younger.id]: 'keep', [exactly.id]: 'keep', [older.id]: 'delete' };

    const previewed = Object.fromEntries(planCleanup(catalogue, { profile: 'prod', policy: DAYS_30, now, timeZone }).decisions.map((d) => [d.id, d.action]));
    expect(previewed).toEqual(expected);
    const dryRun = await runCleanup(catalogue, { profile: 'prod', policy: DAYS_30, now, dryRun: true, timeZone });
    expect(dryRun.deleted).toEqual([older.id]);
    const pruned = await runCleanup(catalogue, { profile: 'prod', policy: DAYS_30, now, dryRun: false, timeZone });
    expect(pruned.deleted).toEqual([older.id]);
    expect(statuses()).toEqual({ [newest.id]: 'completed', [younger.id]: 'completed', [exactly.id]: 'completed', [older.id]: 'deleted' });
  });
});
