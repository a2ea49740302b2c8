// Health, read straight from the catalogue and the backup directory like the statistics (stats.ts),
// so every shell reports the same verdict.
//
// Health judges a profile by its full backups: a table-filtered, schema-only or data-only backup
// does not restore the database, so it never makes a profile look recently backed up. The newest
// full backup having failed its last verify or restore drill is a reason of its own: a profile
// whose newest copy may not restore is not healthy, whatever its runs say. Imported dumps are left
// out of health: they are not Holdfast's backups running.
import { randomBytes } from 'node:crypto';
import { open, stat, statfs, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { backupScope } from '../backup/options.ts';
import { failedCheck, type Catalogue } from '../catalogue/catalogue.ts';
import type { BackupMetadata } from '../model/types.ts';
import { CopyRows } from '../storage/copy-rows.ts';
import { backupStorage } from '../storage/storage.ts';
import { backupRuns, copiesOf, HOUR_MS, isFailed, lastRunOf, newest, timeOf } from './stats.ts';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthReason {
  code:
    | 'NO_RECENT_BACKUP'
    | 'NEWEST_BACKUP_FAILED_CHECK'
    | 'LAST_RUN_FAILED'
    | 'BACKUP_DIR_NOT_WRITABLE'
    | 'LOW_DISK_SPACE'
    | 'NO_COMPATIBLE_PG_DUMP'
    | 'NO_BACKUPS'
    // Scheduling (schedule/schedule-health.ts): nothing runs the schedules, a slot went by, a host cannot read a password.
    | 'NO_SCHEDULING_HOST'
    | 'SCHEDULE_OVERDUE'
    | 'CREDENTIAL_UNREACHABLE'
    // A profile's newest backup has a copy on a named destination that is not verified (storage/copies.ts).
    | 'COPY_NOT_VERIFIED'
    // A profile's newest full backup records a roles file that is no longer beside it.
    | 'ROLES_FILE_MISSING';
  severity: 'degraded' | 'unhealthy';
  message: string;
  profile?: string;
}

export interface HealthReport {
  /** verdictOf(reasons): never better than any profile's. */
  status: HealthStatus;
  /** Each configured profile's verdict, by the same rule over its own reasons: what the profiles' badges show. */
  profiles: { profile: string; status: HealthStatus }[];
  totalBackups: number;
  /** Whether the newest full backup of any profile is within `recentWithinHours`. */
  hasRecentBackup: boolean;
  /** The newest full backup's time: partial, schema-only and data-only ones do not count. */
  lastBackup: string | null;
  timestamp: string;
  reasons: HealthReason[];
  /** Bytes available to this user on the backup directory's file system; null when unknown. */
  freeBytes: number | null;
}

export interface HealthInput {
  catalogue: Catalogue;
  backupDir: string;
  now: Date;
  /** Default 26: a daily schedule plus slack for a slow or late run. */
  recentWithinHours?: number;
  /** Default 1 GiB. */
  minFreeBytes?: number;
  /** Whether a usable pg_dump was found; discovery is the caller's job (it spawns processes). */
  clientToolsFound: boolean;
  /** A profile's schedule interval; undefined falls back to recentWithinHours. */
  expectedIntervalHours?: (profile: string) => number | undefined;
  /** Reasons judged elsewhere (who runs the schedules), counted in the verdict like the rest. */
  moreReasons?: HealthReason[];
}

const GIB = 1024 ** 3;

/**
 * The one rule for a verdict, overall and per profile, so the Overview's badge and the profiles'
 * badges cannot disagree: any unhealthy reason (a failed last run, a newest backup that failed its
 * verify or drill, a missed slot, nothing to back up with) makes it unhealthy; any other, degraded.
 */
export function verdictOf(reasons: readonly Pick<HealthReason, 'severity'>[]): HealthStatus {
  return reasons.some((reason) => reason.severity === 'unhealthy') ? 'unhealthy' : reasons.length ? 'degraded' : 'healthy';
}

export async function computeHealth(input: HealthInput): Promise<HealthReport> {
  const { catalogue, backupDir, now } = input;
  const recentWithinHours = input.recentWithinHours ?? 26;
  const minFreeBytes = input.minFreeBytes ?? GIB;
  const nowMs = now.getTime();
  const reasons: HealthReason[] = [];

  const backups = catalogue.listBackups({ statuses: ['completed'] });
  // Before the first backup the directory need not exist yet (the first backup creates it, 0700);
  // the place it will be made in must take a write. Once backups exist, a missing directory is
  // theirs gone (or a share not mounted): never excused.
  const firstBackupMakesDir = backups.length === 0 ? await nearestExistingDir(backupDir) : undefined;
  const probedDir = firstBackupMakesDir ?? backupDir;
  const writable = await checkWritable(probedDir);
  if (!writable.ok)
    reasons.push({
      code: 'BACKUP_DIR_NOT_WRITABLE',
      severity: 'unhealthy',
      message: firstBackupMakesDir ? `The backup directory ${backupDir} does not exist and cannot be created: ${writable.message}` : writable.message,
    });

  const freeBytes = await freeSpace(probedDir);
  if (freeBytes !== null && freeBytes < minFreeBytes) {
    reasons.push({
      code: 'LOW_DISK_SPACE',
      severity: 'degraded',
      message: `Only ${formatGiB(freeBytes)} free on the file system of ${backupDir} (minimum ${formatGiB(minFreeBytes)}).`,
    });
  }

  if (!input.clientToolsFound) {
    reasons.push({
      code: 'NO_COMPATIBLE_PG_DUMP',
      severity: 'unhealthy',
      message: 'No usable pg_dump was found, so no backup can run. Install the PostgreSQL client tools or set HOLDFAST_PG_BIN.',
    });
  }

  const profiles = catalogue.listProfiles();
  // A dump made elsewhere and imported restores, but it is no sign that Holdfast's own backups run
  // (its time is its file's, which a copy resets): health judges only the backups Holdfast took.
  const fullBackups = backups.filter((backup) => backupScope(backup.options) === 'full' && backup.imported === undefined);
  const latest = newest(fullBackups);
  if (backups.length === 0) {
    reasons.push({
      code: 'NO_BACKUPS',
      severity: 'degraded',
      message: profiles.length ? 'The catalogue holds no backups yet.' : 'No profiles are configured and the catalogue holds no backups.',
    });
  }

  // Only configured profiles are judged: a removed profile's old backups are history, not a lapse.
  for (const { name } of profiles) {
    const intervalHours = input.expectedIntervalHours?.(name) ?? recentWithinHours;
    const ownCount = backups.filter((backup) => backup.profile === name).length;
    const own = newest(fullBackups.filter((backup) => backup.profile === name));
    const runs = backupRuns(catalogue, name);
    if (!own && restoreTargetOnly(catalogue, name, { ownCount, backupRuns: runs.length, scheduled: input.expectedIntervalHours?.(name) !== undefined })) continue;
    if (!own) {
      const message = ownCount
        ? `Profile "${name}" has no full backup: its ${ownCount} backup${ownCount === 1 ? ' is' : 's are'} partial, schema-only or data-only, and none of them restores the whole database.`
        : `Profile "${name}" has never been backed up.`;
      reasons.push({ code: 'NO_RECENT_BACKUP', severity: 'degraded', profile: name, message });
    } else if (nowMs - timeOf(own.timestamp) > intervalHours * HOUR_MS) {
      const ageHours = Math.floor((nowMs - timeOf(own.timestamp)) / HOUR_MS);
      reasons.push({
        code: 'NO_RECENT_BACKUP',
        severity: 'degraded',
        profile: name,
        message: `Profile "${name}" was last backed up in full ${ageHours} h ago (${own.timestamp}); expected at least every ${intervalHours} h.`,
      });
    }
    const failed = own && failedCheck(own);
    if (own && failed) {
      const what = failed === 'verify' ? `failed verification (${own.lastVerified!.at})` : `failed its restore drill (${own.restoreTest!.at})`;
      reasons.push({
        code: 'NEWEST_BACKUP_FAILED_CHECK',
        severity: 'unhealthy',
        profile: name,
        message: `The newest full backup of profile "${name}", ${own.filename} (${own.timestamp}), ${what}; it may not restore.`,
      });
    }

    if (own && (await rolesFileGone(own, backupDir))) {
      reasons.push({
        code: 'ROLES_FILE_MISSING',
        severity: 'degraded',
        profile: name,
        message: `The newest full backup of profile "${name}", ${own.filename}, records a roles file, ${own.globals.filename}, that is gone: the roles and tablespaces its objects need cannot be restored with it.`,
      });
    }

    const offCopies = own ? new CopyRows(catalogue.db).of(own.id).filter((copy) => copy.state !== 'verified') : [];
    const counted = copiesOf(catalogue, own).copies;
    if (own && offCopies.length) {
      reasons.push({
        code: 'COPY_NOT_VERIFIED',
        severity: 'degraded',
        profile: name,
        message: `The newest full backup of profile "${name}", ${own.filename}, is not safely copied (${counted?.healthy} of ${counted?.total} copies healthy): ${offCopies.map((copy) => `${copy.destination} ${copy.state}${copy.error ? ` (${truncate(copy.error, 200)})` : ''}`).join('; ')}.`,
      });
    }

    // A run in progress has not failed (yet); judge the latest one that finished. A set is judged by its
    // own run (partial is failed), not by whichever of its databases happened to finish last.
    const lastFinished = lastRunOf(runs.filter((run) => run.status !== 'running' && !run.cancelled));
    if (lastFinished && isFailed(lastFinished)) {
      const why = lastFinished.error ? `: ${truncate(lastFinished.error, 300)}` : '';
      reasons.push({
        code: 'LAST_RUN_FAILED',
        severity: 'unhealthy',
        profile: name,
        message: `The last backup of profile "${name}" ${lastFinished.status === 'interrupted' ? 'was interrupted' : 'failed'}${why}`,
      });
    }
  }

  reasons.push(...(input.moreReasons ?? []));

  return {
    status: verdictOf(reasons),
    profiles: profiles.map(({ name }) => ({ profile: name, status: verdictOf(reasons.filter((reason) => reason.profile === name)) })),
    totalBackups: backups.length,
    hasRecentBackup: latest !== undefined && nowMs - timeOf(latest.timestamp) <= recentWithinHours * HOUR_MS,
    lastBackup: latest?.timestamp ?? null,
    timestamp: now.toISOString(),
    reasons,
    freeBytes,
  };
}

/**
 * A profile used only as a restore target: restores went into it, and it has no backup, no backup
 * attempt and no schedule. No backup is expected of it, so it is not overdue (nothing else about it
 * is judged either: every other check is of its backups). A schedule or a backup tried says otherwise.
 */
function restoreTargetOnly(catalogue: Catalogue, profile: string, own: { ownCount: number; backupRuns: number; scheduled: boolean }): boolean {
  if (own.ownCount > 0 || own.backupRuns > 0 || own.scheduled) return false;
  return catalogue.listRuns({ kind: 'restore', profile }).length > 0;
}

/** Whether the roles file `backup` records is missing from beside it (verify says the same of any backup). */
async function rolesFileGone(backup: BackupMetadata, backupDir: string): Promise<boolean> {
  const stored = backupStorage({ backupDir }).locate(backup);
  return stored.globalsKey !== null && (await stored.destination.stat(stored.globalsKey)) === undefined;
}

// Permission bits and ACLs lie (root, read-only mounts, network shares); only a real write is proof.
// The directory is never created here: a missing backup directory is exactly what health should report.
async function checkWritable(dir: string): Promise<{ ok: true } | { ok: false; message: string }> {
  const probe = join(dir, `.holdfast-health-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(probe, 'wx');
    try {
      await handle.writeFile('ok');
    } finally {
      await handle.close();
    }
    await unlink(probe);
    return { ok: true };
  } catch (error) {
    await unlink(probe).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, message: `The backup directory ${dir} does not exist.` };
    if (code === 'ENOTDIR') return { ok: false, message: `The backup directory ${dir} is not a directory.` };
    return { ok: false, message: `The backup directory ${dir} is not writable (${code ?? (error as Error).message}).` };
  }
}

/** For a directory that does not exist yet: its nearest ancestor that does (undefined when it exists). */
async function nearestExistingDir(dir: string): Promise<string | undefined> {
  let current = dir;
  for (;;) {
    try {
      await stat(current);
      return current === dir ? undefined : current;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(current) === current) return current === dir ? undefined : current;
      current = dirname(current);
    }
  }
}

async function freeSpace(dir: string): Promise<number | null> {
  try {
    const stats = await statfs(dir);
    // bavail, not bfree: blocks reserved for root are not space a backup running as this user can use.
    return Number(stats.bavail) * Number(stats.bsize);
  } catch {
    return null;
  }
}

function formatGiB(bytes: number): string {
  return `${(bytes / GIB).toFixed(2)} GiB`;
}

/** At most `max` characters, cut at the last space before it (not mid-word) unless that would drop much. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.search(/\s\S*$/);
  return `${space > max * 0.75 ? cut.slice(0, space) : cut}…`;
}
