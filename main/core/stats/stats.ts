// Statistics and health are read straight from the catalogue, the source of truth, so every shell
// (CLI, IPC, HTTP) reports the same numbers. Field names follow the specification's Stats and
// Health responses; everything beyond them is additive.
//
// Counting rules, chosen once here so callers do not each invent their own:
// - A "backup" is a catalogue entry with status `completed`: a file Holdfast made (or adopted) and
//   still has. Every size, date, rate and average is over those only.
// - `missing` entries (catalogued, file gone) are not backups anyone can restore from, so they are
//   left out of every total and reported on their own as `missingBackups`. `deleted` is history.
// - successfulBackups / failedBackups count backup *runs* (completed vs failed|interrupted), as the
//   spec's schedule stats do, so a success rate can be computed. Adopting existing files records a
//   run too; those are not backups that ran, so they are left out of run counts and "last run".
//   A whole-server set counts per database: its members' runs, not its own run beside them (a set
//   with 2 failed members is 2 failures, not 3); failedInSets says how many of the failures those are.
// - An imported dump is a backup (kept, restorable) and no run: importedBackups says how many of
//   totalBackups are imported, so the backups Holdfast took are the rest, and no run count holds it.
// - Roles files (pg_dumpall --globals-only: a backup's beside it, a whole-server set's in BACKUP_DIR)
//   are not backups and not in totalSize; rolesFiles counts those of completed backups and of sets
//   not deleted that are on disk, with their bytes (read from the files: the catalogue has no size).
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { failedCheck, type Catalogue } from '../catalogue/catalogue.ts';
import type { BackupMetadata, RunRecord } from '../model/types.ts';
import { SetStore } from '../sets/set-rows.ts';
import { CopyRows } from '../storage/copy-rows.ts';

export interface ProfileStats {
  profile: string;
  totalBackups: number;
  totalSize: number;
  newestBackup: string | null;
  /** Status of the profile's latest backup run ('running' while one is in progress), null if none. */
  lastRunStatus: string | null;
  failedBackups: number;
  /** The newest backup's copies that count, of all it has (the local file is one), when it has offsite copies: "2 of 3 copies healthy". */
  copies?: { healthy: number; total: number };
}

export interface BackupStats {
  totalBackups: number;
  /** Of totalBackups, dumps made elsewhere and imported (holdfast import): backups, but no run of Holdfast's. */
  importedBackups: number;
  /** Bytes. */
  totalSize: number;
  oldestBackup: string | null;
  newestBackup: string | null;
  /** Bytes, rounded. */
  averageSize: number;
  backupsLast24Hours: number;
  backupsLast7Days: number;
  /** Percentage (0–100, rounded) of backups that are compressed. */
  compressionUsage: number;
  /** Seconds, to one decimal: small databases dump in under a second and should not all read 0. */
  averageDuration: number;
  successfulBackups: number;
  failedBackups: number;
  /** Of failedBackups, the members of whole-server sets (the Backups page lists them under their set). */
  failedInSets: number;
  /** Catalogued backups whose files are gone; excluded from every figure above. */
  missingBackups: number;
  /** The roles files of the backups and sets above that are on disk, and their bytes (not in totalSize). */
  rolesFiles: { count: number; bytes: number };
  /** Every profile that is configured or has backups or backup runs, by name. */
  profiles: ProfileStats[];
}

export const HOUR_MS = 60 * 60 * 1000;

export function timeOf(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms;
}

export function newest(backups: BackupMetadata[]): BackupMetadata | undefined {
  let best: BackupMetadata | undefined;
  for (const backup of backups) if (!best || timeOf(backup.timestamp) > timeOf(best.timestamp)) best = backup;
  return best;
}

function oldest(backups: BackupMetadata[]): BackupMetadata | undefined {
  let best: BackupMetadata | undefined;
  for (const backup of backups) if (!best || timeOf(backup.timestamp) < timeOf(best.timestamp)) best = backup;
  return best;
}

/** A run that catalogued a backup made before (adopt) or elsewhere (import): no attempt at a backup of the profile. */
function isAdoption(run: RunRecord): boolean {
  return run.detail !== null && ('adoptedFrom' in run.detail || 'importedFrom' in run.detail);
}

/** Backup runs that actually ran, oldest first (listRuns orders by start time). */
export function backupRuns(catalogue: Catalogue, profile?: string): RunRecord[] {
  return catalogue.listRuns(profile === undefined ? { kind: 'backup' } : { kind: 'backup', profile }).filter((run) => !isAdoption(run));
}

/** A whole-server set's own run (take-set.ts: marked while it runs, naming its set once finished). */
const isSetRun = (run: RunRecord): boolean => run.detail?.['wholeServerSet'] === true || typeof run.detail?.['setId'] === 'string';
const isSetMember = (run: RunRecord): boolean => typeof run.detail?.['set'] === 'string';

/**
 * The runs whose outcomes are counted: a set's members are the databases' results, counted instead of
 * the set's own run, unless no member ran (the set failed before it listed a database: its own run is
 * then the one failure).
 */
function resultRuns(runs: RunRecord[]): RunRecord[] {
  const setsWithMembers = new Set(runs.filter(isSetMember).map((run) => run.detail!['set']));
  return runs.filter((run) => !isSetRun(run) || !setsWithMembers.has(run.detail?.['setId']));
}

/** Which runs say how a profile's last backup went: a set's own run stands for its members, whichever of them ran last. */
export function lastRunOf(runs: RunRecord[]): RunRecord | undefined {
  return runs.filter((run) => !isSetMember(run)).at(-1);
}

// A run the user cancelled is neither a failure nor a result: it is left out of both.
export const isFailed = (run: RunRecord): boolean => run.status === 'failed' || (run.status === 'interrupted' && !run.cancelled);

/** The roles files on disk of completed backups (beside each) and of sets not deleted (in BACKUP_DIR). */
function rolesFilesOf(catalogue: Catalogue, backups: BackupMetadata[], backupDir: string): BackupStats['rolesFiles'] {
  const store = new SetStore(catalogue.db);
  const sets = store.list({ statuses: ['completed', 'partial', 'interrupted'] });
  const paths = new Set([
    ...backups.flatMap((backup) => (backup.globals.filename ? [join(dirname(backup.path), backup.globals.filename)] : [])),
    ...sets.flatMap((set) => (set.globals.filename ? [store.fileOf(set.id, set.globals.filename, backupDir)] : [])),
  ]);
  let count = 0;
  let bytes = 0;
  for (const path of paths) {
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info?.isFile()) continue;
    count += 1;
    bytes += info.size;
  }
  return { count, bytes };
}

export function computeStats(catalogue: Catalogue, now: Date, backupDir: string): BackupStats {
  const catalogued = catalogue.listBackups({ statuses: ['completed', 'missing'] });
  const backups = catalogued.filter((backup) => backup.status === 'completed');
  const runs = backupRuns(catalogue);
  const results = resultRuns(runs);
  const nowMs = now.getTime();

  const totalSize = backups.reduce((sum, backup) => sum + backup.size, 0);
  const totalDurationMs = backups.reduce((sum, backup) => sum + backup.duration, 0);
  // No upper bound: a backup stamped slightly in the future (clock skew) is still a recent one.
  const since = (hours: number): number => backups.filter((backup) => timeOf(backup.timestamp) >= nowMs - hours * HOUR_MS).length;
  const count = backups.length;

  const names = new Set<string>(catalogue.listProfiles().map((profile) => profile.name));
  for (const backup of catalogued) names.add(backup.profile);
  for (const run of runs) if (run.profile !== null) names.add(run.profile);

  const profiles = [...names].sort().map((name): ProfileStats => {
    const own = backups.filter((backup) => backup.profile === name);
    const ownRuns = runs.filter((run) => run.profile === name);
    const lastRun = lastRunOf(ownRuns);
    return {
      profile: name,
      totalBackups: own.length,
      totalSize: own.reduce((sum, backup) => sum + backup.size, 0),
      newestBackup: newest(own)?.timestamp ?? null,
      lastRunStatus: lastRun?.cancelled ? 'cancelled' : (lastRun?.status ?? null),
      failedBackups: resultRuns(ownRuns).filter(isFailed).length,
      ...copiesOf(catalogue, newest(own)),
    };
  });

  return {
    totalBackups: count,
    importedBackups: backups.filter((backup) => backup.imported !== undefined).length,
    totalSize,
    oldestBackup: oldest(backups)?.timestamp ?? null,
    newestBackup: newest(backups)?.timestamp ?? null,
    averageSize: count ? Math.round(totalSize / count) : 0,
    backupsLast24Hours: since(24),
    backupsLast7Days: since(24 * 7),
    compressionUsage: count ? Math.round((100 * backups.filter((backup) => backup.compressed).length) / count) : 0,
    averageDuration: count ? Math.round(totalDurationMs / count / 100) / 10 : 0,
    successfulBackups: results.filter((run) => run.status === 'completed').length,
    failedBackups: results.filter(isFailed).length,
    failedInSets: results.filter((run) => isFailed(run) && (isSetMember(run) || isSetRun(run))).length,
    missingBackups: catalogued.length - count,
    rolesFiles: rolesFilesOf(catalogue, backups, backupDir),
    profiles,
  };
}

/** A backup's copies that count: its local file (a completed row that passed its checks) and each verified offsite copy. */
export function copiesOf(catalogue: Catalogue, backup: BackupMetadata | undefined): { copies?: { healthy: number; total: number } } {
  if (!backup) return {};
  const offsite = new CopyRows(catalogue.db).of(backup.id);
  if (offsite.length === 0) return {};
  const local = backup.status === 'completed' && !failedCheck(backup) ? 1 : 0;
  return { copies: { healthy: local + offsite.filter((copy) => copy.state === 'verified').length, total: 1 + offsite.length } };
}
