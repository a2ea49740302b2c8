// The engine's front: one object that owns the configuration, the catalogue and the client-tool
// discovery, and offers every operation the shells (CLI, Electron IPC, HTTP) expose.
import { readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { runBackup, type BackupProgress, type EngineContext } from './backup/backup.ts';
import { GLOBALS_SUFFIX, SIDECAR_SUFFIX, TEMP_SUFFIX } from './backup/naming.ts';
import { BackupOptionsSchema, type BackupOptions } from './backup/options.ts';
import { backupChecksum, finishSealedBackup } from './backup/seal.ts';
import { endRecordedChild } from './process/child.ts';
import { Catalogue, type StaleRun } from './catalogue/catalogue.ts';
import { newId } from './catalogue/catalogue.ts';
import { loadConfig, type HoldfastConfig } from './config/config.ts';
import { HoldfastError, toErrorInfo, type ErrorInfo } from './model/errors.ts';
import { describeCron, nextRunAfter, presetCron, systemTimeZone, validateCron, validateTimeZone, type ScheduleType } from './schedule/cron.ts';
import { ScheduleStore, type Schedule } from './schedule/schedule-store.ts';
import { DrillSlots } from './drill/drill-slots.ts';
import { testRestore, type RestoreTestResult } from './drill/test-restore.ts';
import { fileLogger, type Logger } from './log/log.ts';
import { configuredChannels, Notifier, notifySettingsFromEnv } from './notify/notifier.ts';
import type { ChannelId } from './notify/channels/index.ts';
import { planCleanup, removeUnsharedBackupFiles, runCleanup, type CleanupReport } from './retention/cleanup.ts';
import { formatRetentionPolicy, parseRetentionPolicy, simulateRetention, type RetentionPolicy } from './retention/policy.ts';
import { computeHealth, computeStats, type BackupStats, type HealthReport } from './stats/stats.ts';
import { Scheduler, systemClock, type Clock, type ScheduledOutcome } from './schedule/scheduler.ts';
import { ensurePrivateDir, exists } from './fsutil/durable.ts';
import { type NewProfileInput } from './profiles/profile-schema.ts';
import {
  addProfile,
  editProfile,
  importProfiles,
  profileFromUri,
  removeProfile,
  testProfile,
  type ImportReport,
  type ProfileChanges,
  type ProfileContext,
  type ProfileSecretInput,
  type ProfileTestReport,
  type RemoveReport,
} from './profiles/profiles.ts';
import { removeStalePassfiles } from './secrets/passfile.ts';
import { removeStaleSandboxes } from './drill/scratch-server.ts';
import { KeytarSecretStore, type SecretStore } from './secrets/secret-store.ts';
import { restoreBackup, type RestoreRequest, type RestoreResult } from './restore/restore.ts';
import { recoverInterruptedSwaps, type SwapRecovery } from './restore/swap-journal.ts';
import { discoverClientTools, type ClientToolSet } from './tools/discover.ts';
import { actingUser } from './users/acting.ts';
import { UserStore, type IssuedToken, type Role, type User } from './users/users.ts';
import { humanBytes } from './model/human.ts';
import type { BackupMetadata, BackupSummary, Profile, RunRecord } from './model/types.ts';
import { verifyBackup, type VerifyResult } from './verify/verify.ts';

export interface ReconcileReport {
  interruptedRuns: string[];
  removedTempFiles: string[];
  missingBackups: string[];
  foundAgain: string[];
  /** Children (pg_dump, …) of a Holdfast that died, still running until this start ended them. */
  endedProcesses: Array<{ run: string; pid: number }>;
  /** Children that would not end within the wait: their runs stay running (the profile stays locked) until a later start. */
  stuckProcesses: Array<{ run: string; pid: number }>;
  /** Backups a crash caught between their first rename and their catalogue row, finished from the run's record. */
  finishedBackups: string[];
  /** Replace restores a crash left mid-swap, rolled back or forward (absent: none were pending). */
  recoveredRestores?: SwapRecovery[];
}

export interface ListEntry {
  id: string;
  status: string;
  profile: string | null;
  timestamp: string;
  filename: string | null;
  error?: string | null;
}

export interface ScheduleRequest {
  profile: string;
  type: ScheduleType;
  /** Required for type custom; the presets come from BACKUP_*_SCHEDULE. */
  cron?: string | undefined;
  timeZone?: string | undefined;
  options?: Partial<BackupOptions> | undefined;
  retention?: string | undefined;
  /** Run a restore drill after each backup. */
  testRestore?: boolean | undefined;
}

/** A schedule as listed: the specification's fields plus a description in words. */
export interface ScheduleView {
  id: string;
  profile: string;
  type: ScheduleType;
  schedule: string;
  description: string;
  timeZone: string;
  enabled: boolean;
  lastRun: string | null;
  nextRun: string | null;
  status: string;
  lastError: string | null;
  catchUp: boolean;
  options: BackupOptions;
  retention: string | null;
  testRestore: boolean;
}

function scheduleView(schedule: Schedule): ScheduleView {
  return {
    id: schedule.id,
    profile: schedule.profile,
    type: schedule.type,
    schedule: schedule.cron,
    description: describeCron(schedule.cron),
    timeZone: schedule.timeZone,
    enabled: schedule.enabled,
    lastRun: schedule.lastRun,
    nextRun: schedule.enabled ? schedule.nextRun : null,
    status: schedule.enabled ? (schedule.lastStatus ?? 'scheduled') : 'paused',
    lastError: schedule.lastError,
    catchUp: schedule.lastCatchUp,
    options: schedule.options,
    retention: schedule.retention,
    testRestore: schedule.testRestore,
  };
}

export interface CleanupSummary {
  dryRun: boolean;
  deleted: number;
  freedBytes: number;
  errors: number;
  profiles: Array<CleanupReport & { profile: string }>;
}

/** What the settings page shows: the configuration parsed at start, read-only. */
export interface SettingsView
  extends Pick<HoldfastConfig, 'home' | 'backupDir' | 'compressionDefault' | 'maxSizeBytes' | 'timeoutMs' | 'stallMs' | 'concurrency' | 'retentionDays' | 'connectTimeoutSeconds'> {
  /** verify: HOLDFAST_VERIFY_SCHEDULE, or "off". */
  schedules: { daily: string; weekly: string; monthly: string; cleanup: string; verify: string };
  /** Webhook URLs carry their credential, so only whether one is set crosses the contract. */
  notifications: Record<ChannelId, boolean> & { on: 'all' | 'failures' | 'none' };
  clientTools: { explicitDir: string | null; found: Array<{ version: string; major: number; dir: string; source: string }> };
}

export interface DeleteReport {
  deleted: string;
  freedBytes: number;
  /** Why the file stayed: other listed backups name the same path (only this row was removed). */
  filesKept?: string;
}

export interface AdoptReport {
  adopted: string[];
  skipped: Array<{ file: string; reason: string }>;
}

/** Who did it, for the audit log: the API user for `holdfast serve`, else the OS user (CLI, desktop app). */
function actor(): string {
  const apiUser = actingUser();
  if (apiUser) return apiUser;
  try {
    return userInfo().username;
  } catch {
    return 'local';
  }
}

export class Holdfast implements EngineContext, ProfileContext {
  readonly config: HoldfastConfig;
  readonly catalogue: Catalogue;
  readonly secrets: SecretStore;
  readonly schedules: ScheduleStore;
  readonly users: UserStore;
  readonly notifier: Notifier;
  readonly logger: Logger;
  private readonly toolsCache = new Map<string, Promise<ClientToolSet[]>>();
  /** Swaps this process's start settled, until a recoverRestores() call reports them. */
  private readonly settledAtStart: SwapRecovery[] = [];
  /** HOLDFAST_DRILL_CONCURRENCY: each drill starts a server and restores a whole database. */
  private readonly drillSlots: DrillSlots;

  private constructor(config: HoldfastConfig, catalogue: Catalogue, secrets: SecretStore) {
    this.config = config;
    this.drillSlots = new DrillSlots(config.drillConcurrency);
    this.catalogue = catalogue;
    this.secrets = secrets;
    this.schedules = new ScheduleStore(catalogue.db);
    this.users = new UserStore(catalogue.db);
    this.logger = fileLogger(join(config.home, 'logs'));
    this.notifier = new Notifier(notifySettingsFromEnv(config.env), {
      log: (level, message, detail) => {
        this.logger.log(level, `notification: ${message}`, detail);
        if (level !== 'info') process.stderr.write(`holdfast: notification ${level}: ${message}\n`);
      },
    });
  }

  /** Opens (creating if needed) HOLDFAST_HOME and its catalogue, then reconciles files and runs. */
  static async open(config: HoldfastConfig = loadConfig(), options: { secrets?: SecretStore } = {}): Promise<{ holdfast: Holdfast; reconciled: ReconcileReport }> {
    await ensurePrivateDir(config.home);
    const holdfast = new Holdfast(config, new Catalogue(join(config.home, 'catalogue.sqlite')), options.secrets ?? new KeytarSecretStore());
    const reconciled = await holdfast.reconcile();
    return { holdfast, reconciled };
  }

  close(): void {
    this.catalogue.close();
  }

  clientTools(explicitDir?: string): Promise<ClientToolSet[]> {
    const key = explicitDir ?? '';
    let found = this.toolsCache.get(key);
    if (!found) {
      found = discoverClientTools({ explicitDir, bundledDirs: bundledToolDirs() });
      this.toolsCache.set(key, found);
    }
    return found;
  }

  async passwordFor(profile: Profile): Promise<string | undefined> {
    if (!profile.keychainPassword) return undefined;
    const availability = await this.secrets.availability();
    if (!availability.ok) {
      throw new HoldfastError(
        'NO_KEYCHAIN',
        `Profile "${profile.name}" keeps its password in the OS keychain, which cannot be reached now (${availability.reason}).`,
        'Unlock or start the keychain (on Linux: a desktop session with gnome-keyring or KWallet), or move the password to ~/.pgpass and run `holdfast profile edit --forget-password`.',
      );
    }
    // An entry deleted outside Holdfast leaves libpq's own sources, as for a profile without one.
    return this.secrets.get(profile.id);
  }

  /**
   * After a crash: runs left "running" by a process that is gone become interrupted and their temp
   * files go; catalogue rows whose files vanished are flagged missing (and unflagged if they return).
   */
  async reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { interruptedRuns: [], removedTempFiles: [], missingBackups: [], foundAgain: [], endedProcesses: [], stuckProcesses: [], finishedBackups: [] };
    await removeStalePassfiles();
    // A drill's sandbox server outlives a Holdfast killed mid-drill, with the restored data beside it.
    await removeStaleSandboxes();
    for (const run of this.catalogue.staleRuns()) {
      // Its pg_dump may outlive it and still be writing: ended first, before any of its files is touched.
      const stuck = await this.endChildrenOf(run, report);
      if (stuck) continue;
      if (run.sealing) {
        const sealed = await finishSealedBackup(this.catalogue, run.id, run.sealing, run.detail);
        if (sealed.finished) report.finishedBackups.push(run.sealing.filename);
        else report.interruptedRuns.push(run.id);
        this.logger.log('warn', sealed.finished ? 'finished a backup a crash caught while sealing' : sealed.reason, { run: run.id, filename: run.sealing.filename });
        continue;
      }
      this.catalogue.finishRun(run.id, 'interrupted', { error: 'Holdfast stopped while this run was in progress; its partial output was removed.' });
      report.interruptedRuns.push(run.id);
    }
    const liveTemps = new Set(
      this.catalogue.db
        .prepare(`SELECT temp_path FROM runs WHERE status = 'running' AND temp_path IS NOT NULL`)
        .pluck()
        .all() as string[],
    );
    if (await exists(this.config.backupDir)) {
      for (const name of await readdir(this.config.backupDir)) {
        const owned = name.startsWith('backup-') || name.startsWith('.backup-');
        if (!owned || !name.endsWith(TEMP_SUFFIX)) continue;
        const full = join(this.config.backupDir, name);
        // A run's companions (globals temp, hidden sidecar temp) live as long as its dump temp does.
        let dumpTemp = full;
        if (name.endsWith(`${GLOBALS_SUFFIX}${TEMP_SUFFIX}`)) dumpTemp = full.slice(0, -(GLOBALS_SUFFIX.length + TEMP_SUFFIX.length)) + TEMP_SUFFIX;
        else if (name.startsWith('.') && name.endsWith(`${SIDECAR_SUFFIX}${TEMP_SUFFIX}`)) dumpTemp = join(this.config.backupDir, name.slice(1, -(SIDECAR_SUFFIX.length + TEMP_SUFFIX.length))) + TEMP_SUFFIX;
        if (liveTemps.has(dumpTemp)) continue;
        await rm(full, { recursive: true, force: true });
        report.removedTempFiles.push(full);
      }
    }
    for (const backup of this.catalogue.listBackups()) {
      const present = await exists(backup.path);
      if (!present && backup.status === 'completed') {
        this.catalogue.setBackupStatus(backup.id, 'missing');
        report.missingBackups.push(backup.filename);
      } else if (present && backup.status === 'missing') {
        this.catalogue.setBackupStatus(backup.id, 'completed');
        report.foundAgain.push(backup.filename);
      }
    }
    const recovered = await this.recoverRestores({ atStart: true });
    if (recovered.length) report.recoveredRestores = recovered;
    return report;
  }

  /** Ends what a dead Holdfast's run left running; true when one would not end (the run then stays as it is). */
  private async endChildrenOf(run: StaleRun, report: ReconcileReport): Promise<boolean> {
    let stuck = false;
    for (const child of run.children) {
      const outcome = await endRecordedChild(child);
      if (outcome === 'ended') report.endedProcesses.push({ run: run.id, pid: child.pid });
      if (outcome === 'stuck') {
        report.stuckProcesses.push({ run: run.id, pid: child.pid });
        stuck = true;
      }
    }
    if (report.endedProcesses.some((ended) => ended.run === run.id)) this.logger.log('warn', 'ended the child processes of a Holdfast that stopped', { run: run.id, ended: report.endedProcesses.filter((e) => e.run === run.id).map((e) => e.pid) });
    return stuck;
  }

  // --- profiles -------------------------------------------------------------------------------

  async addProfile(input: NewProfileInput, secret: ProfileSecretInput = {}): Promise<Profile> {
    const profile = await addProfile(this, input, secret);
    this.catalogue.audit(actor(), 'profile.add', profile.name, { keychainPassword: profile.keychainPassword });
    return profile;
  }

  async addProfileFromUri(name: string, uri: string, extra: Partial<NewProfileInput> = {}): Promise<Profile> {
    const { input, password } = profileFromUri(name, uri, extra);
    return this.addProfile(input, { password });
  }

  async editProfile(name: string, changes: ProfileChanges): Promise<Profile> {
    const profile = await editProfile(this, name, changes);
    this.catalogue.audit(actor(), 'profile.edit', profile.name, { fields: Object.keys(changes).filter((k) => k !== 'password'), password: changes.password !== undefined ? 'stored' : changes.forgetPassword ? 'forgotten' : 'unchanged' });
    return profile;
  }

  listProfiles(): Profile[] {
    return this.catalogue.listProfiles();
  }

  showProfile(name: string): Profile {
    return this.catalogue.requireProfile(name);
  }

  testProfile(name: string): Promise<ProfileTestReport> {
    return testProfile(this, name);
  }

  async importProfiles(source: { pgpass?: string | true; serviceFile?: string | true }): Promise<ImportReport> {
    const report = await importProfiles(this, source);
    this.catalogue.audit(actor(), 'profile.import', null, { created: report.created.length });
    return report;
  }

  /** Backups are kept unless asked otherwise; they stay listed and restorable. */
  async removeProfile(name: string, backups: 'keep' | 'delete' = 'keep'): Promise<RemoveReport> {
    const report = await removeProfile(this, name, backups);
    this.catalogue.audit(actor(), 'profile.remove', name, { backups: report.backups });
    return report;
  }

  // --- backups --------------------------------------------------------------------------------

  async backup(
    profileName: string,
    options: Partial<BackupOptions>,
    hooks: { signal?: AbortSignal; onProgress?: (p: BackupProgress) => void; trigger?: Record<string, unknown> } = {},
  ): Promise<BackupMetadata> {
    const profile = this.catalogue.requireProfile(profileName);
    const parsed = BackupOptionsSchema.parse(options);
    let metadata: BackupMetadata;
    try {
      metadata = await runBackup(this, { profile, options: parsed, ...hooks });
    } catch (error) {
      const info = toErrorInfo(error);
      try {
        this.catalogue.audit(actor(), 'backup.create', profile.name, { result: 'failed', code: info.code, error: info.message });
      } catch (auditError) {
        // The backup's own error is what the caller needs; a full catalogue must not replace it.
        process.stderr.write(`holdfast: the audit entry for this failed backup could not be written: ${(auditError as Error).message}\n`);
      }
      this.logger.log('error', 'backup failed', { profile: profile.name, code: info.code, error: info.message, trigger: hooks.trigger ?? { kind: 'manual' } });
      await this.notifier.notify({ kind: 'backup.failed', profile: profile.name, database: profile.dbname, error: toErrorInfo(error), at: new Date().toISOString() });
      throw error;
    }
    this.catalogue.audit(actor(), 'backup.create', metadata.filename, { profile: profile.name, result: 'ok' });
    this.logger.log('info', 'backup completed', { profile: profile.name, filename: metadata.filename, size: metadata.size, durationMs: metadata.duration, trigger: hooks.trigger ?? { kind: 'manual' } });
    await this.notifier.notify({ kind: 'backup.completed', profile: profile.name, database: metadata.database, filename: metadata.filename, size: metadata.size, durationMs: metadata.duration, at: new Date().toISOString() });
    return metadata;
  }

  // --- schedules ------------------------------------------------------------------------------

  addSchedule(input: ScheduleRequest, now: Date = new Date()): ScheduleView {
    this.catalogue.requireProfile(input.profile);
    const cron = input.type === 'custom' ? (input.cron ?? '') : presetCron(input.type, this.config.env);
    validateCron(cron);
    const timeZone = validateTimeZone(input.timeZone ?? systemTimeZone());
    if (input.retention !== undefined) this.retentionPolicyFor(input.profile, input.retention);
    // The kind names the file, as in the specification ("…-daily.sql.gz").
    const options = BackupOptionsSchema.parse({ ...input.options, suffix: input.options?.suffix ?? (input.type === 'custom' ? 'scheduled' : input.type) });
    const schedule = this.schedules.add({ profile: input.profile, type: input.type, cron, timeZone, options, retention: input.retention ?? null, testRestore: input.testRestore ?? false, nextRun: nextRunAfter(cron, timeZone, now).toISOString() }, now);
    this.catalogue.audit(actor(), 'schedule.add', schedule.id, { profile: schedule.profile, cron, timeZone });
    return scheduleView(schedule);
  }

  listSchedules(profile?: string): ScheduleView[] {
    return this.schedules.list(profile ? { profile } : {}).map(scheduleView);
  }

  setScheduleEnabled(id: string, enabled: boolean, now: Date = new Date()): ScheduleView {
    const current = this.schedules.require(id);
    // Resuming starts from the next slot; slots that passed while paused are not caught up.
    const next = enabled && !current.enabled ? nextRunAfter(current.cron, current.timeZone, now).toISOString() : undefined;
    const schedule = this.schedules.setEnabled(id, enabled, next);
    this.catalogue.audit(actor(), enabled ? 'schedule.resume' : 'schedule.pause', id);
    return scheduleView(schedule);
  }

  removeSchedule(id: string): { removed: string } {
    this.schedules.remove(id);
    this.catalogue.audit(actor(), 'schedule.remove', id);
    return { removed: id };
  }

  /** Backup runs in progress in a live process (this one or another Holdfast), oldest first. */
  runningBackups(): Array<{ id: string; profile: string | null; startedAt: string }> {
    return this.catalogue
      .listRuns({ kind: 'backup', statuses: ['running'] })
      .filter((run) => run.profile !== null && this.catalogue.runningBackupOf(run.profile)?.id === run.id)
      .map((run) => ({ id: run.id, profile: run.profile, startedAt: run.startedAt }));
  }

  // --- API users (holdfast serve) -------------------------------------------------------------

  addUser(name: string, role: Role): IssuedToken {
    const issued = this.users.add(name, role);
    this.catalogue.audit(actor(), 'user.add', issued.user.name, { role });
    return issued;
  }

  listUsers(): User[] {
    return this.users.list();
  }

  removeUser(name: string): { removed: string } {
    const result = this.users.remove(name);
    this.catalogue.audit(actor(), 'user.remove', result.removed);
    return result;
  }

  rotateUserToken(name: string): IssuedToken {
    const issued = this.users.rotate(name);
    this.catalogue.audit(actor(), 'user.rotate', issued.user.name);
    return issued;
  }

  isProfileBusy(profile: string): boolean {
    return this.catalogue.runningBackupOf(profile) !== undefined;
  }

  /** The scheduler over this engine; the clock is injected so tests can jump days. */
  createScheduler(clock: Clock = systemClock, onOutcome?: (schedule: Schedule, outcome: ScheduledOutcome, backup?: BackupMetadata) => void): Scheduler {
    return new Scheduler({
      store: this.schedules,
      clock,
      concurrency: this.config.concurrency,
      isProfileBusy: (profile) => this.isProfileBusy(profile),
      runBackup: async (schedule, options, context) => {
        try {
          const backup = await this.backup(schedule.profile, options, { signal: context.signal, trigger: { kind: 'schedule', scheduleId: schedule.id, catchUp: context.catchUp } });
          if (schedule.testRestore) {
            // The backup stands either way; a failed drill is recorded on it and reported as the outcome.
            const drill = await this.testRestore(backup.id, { signal: context.signal });
            if (!drill.ok) {
              const outcome: ScheduledOutcome = { status: 'failed', error: `backup ${backup.filename} was taken, but its restore drill failed: ${drill.error}` };
              await this.notifier.notify({ kind: 'backup.failed', profile: schedule.profile, database: backup.database, error: { code: 'VERIFY_FAILED', message: outcome.error }, at: new Date().toISOString() });
              onOutcome?.(schedule, outcome, backup);
              return outcome;
            }
          }
          onOutcome?.(schedule, { status: 'completed' }, backup);
          return { status: 'completed' };
        } catch (error) {
          const info = toErrorInfo(error);
          const outcome: ScheduledOutcome = { status: info.code === 'CANCELLED' ? 'interrupted' : 'failed', error: info.message };
          onOutcome?.(schedule, outcome);
          return outcome;
        }
      },
    });
  }

  list(filter: { profile?: string | undefined; all?: boolean; fields?: 'full' }): Array<BackupMetadata | ListEntry>;
  /** Summaries: what a table of backups shows, without each backup's tables, row counts, options and files (backup.show has those). */
  list(filter: { profile?: string | undefined; all?: boolean; fields: 'summary' }): Array<BackupSummary | ListEntry>;
  list(filter: { profile?: string | undefined; all?: boolean; fields?: 'full' | 'summary' }): Array<BackupMetadata | BackupSummary | ListEntry>;
  list(filter: { profile?: string | undefined; all?: boolean; fields?: 'full' | 'summary' }): Array<BackupMetadata | BackupSummary | ListEntry> {
    const where = filter.profile ? { profile: filter.profile } : {};
    const backups: Array<BackupMetadata | BackupSummary | ListEntry> = filter.fields === 'summary' ? this.catalogue.listBackupSummaries(where) : this.catalogue.listBackups(where);
    if (!filter.all) return backups;
    const runs: RunRecord[] = this.catalogue.listRuns({ kind: 'backup', statuses: ['failed', 'interrupted', 'running'], ...(filter.profile ? { profile: filter.profile } : {}) });
    const entries = runs.map((run): ListEntry => ({
      id: run.id,
      status: run.status,
      profile: run.profile,
      timestamp: run.startedAt,
      filename: typeof run.detail?.filename === 'string' ? run.detail.filename : null,
      error: run.error,
    }));
    return [...backups, ...entries].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  }

  /** One backup's full record (as `list` gives it), by id or file name; deleted ones are kept on record and shown too. */
  showBackup(ref: string): BackupMetadata {
    const backup = this.catalogue.findBackup(ref);
    if (!backup) throw new HoldfastError('NOT_FOUND', `No backup with id or filename "${ref}" in the catalogue.`, 'List backups with `holdfast list`.');
    return backup;
  }

  verify(ref: string): Promise<VerifyResult> {
    return verifyBackup(this, ref);
  }

  /** Restore drill into a scratch server of the backup's major; the result is stored on the backup. */
  async testRestore(ref: string, options: { signal?: AbortSignal; major?: number; onProfile?: string } = {}): Promise<RestoreTestResult> {
    const { onProfile, ...rest } = options;
    const result = await testRestore(this, ref, { ...rest, slots: this.drillSlots, ...(onProfile ? { onProfile: this.catalogue.requireProfile(onProfile) } : {}) });
    this.logger.log(result.ok ? 'info' : 'error', 'restore drill', { filename: result.filename, ok: result.ok, error: result.error, durationMs: result.durationMs });
    // The result is stored on the backup; on a designated profile the drill also created and dropped a database there.
    this.catalogue.audit(actor(), 'backup.testRestore', result.filename, { result: result.ok ? 'ok' : 'failed', server: result.server, ...(onProfile ? { onProfile } : {}), ...(result.error ? { error: result.error } : {}) });
    const left = onProfile ? leftBehind(result) : undefined;
    if (onProfile && left) await this.drillLeftDatabase(onProfile, result.filename, left);
    return result;
  }

  /** A database a drill made on someone's server and could not drop: an entry, an error and a notification of its own. */
  private async drillLeftDatabase(profile: string, filename: string, left: { database: string; error: string }): Promise<void> {
    const error: ErrorInfo = {
      code: 'CONFLICT',
      message: `The restore drill's database "${left.database}" on profile "${profile}" could not be dropped: ${left.error}`,
      hint: `It is still on that server: remove what holds it (the error says what), then DROP DATABASE "${left.database}" as a role that may.`,
    };
    this.catalogue.audit(actor(), 'drill.cleanupFailed', profile, { database: left.database, filename, error: left.error });
    this.logger.log('error', 'restore drill: its database could not be dropped', { profile, database: left.database, filename, error: left.error });
    await this.notifier.notify({ kind: 'drill.cleanupFailed', profile, database: left.database, filename, error, at: new Date().toISOString() });
  }

  async restore(request: Omit<RestoreRequest, 'target'> & { to: string }): Promise<RestoreResult> {
    const target = this.catalogue.requireProfile(request.to);
    const database = request.dbname ?? target.dbname;
    const filename = this.catalogue.findBackup(request.ref)?.filename ?? request.ref;
    const audited = { profile: target.name, database, clean: request.clean, swap: request.swap === true };
    try {
      const result = await restoreBackup(this, { ...request, target });
      if (!result.dryRun) {
        this.catalogue.audit(actor(), 'restore', filename, { ...audited, result: 'ok' });
        this.logger.log('info', 'restore completed', { profile: target.name, database, filename, durationMs: result.durationMs });
        await this.notifier.notify({ kind: 'restore.completed', profile: target.name, database, filename, at: new Date().toISOString() });
      }
      return result;
    } catch (error) {
      if (!request.dryRun) {
        const info = toErrorInfo(error);
        this.catalogue.audit(actor(), 'restore', filename, { ...audited, result: 'failed', code: info.code, error: info.message });
        this.logger.log('error', 'restore failed', { profile: target.name, database, filename, error: info.message });
        await this.notifier.notify({ kind: 'restore.failed', profile: target.name, database, filename, error: info, at: new Date().toISOString() });
      }
      throw error;
    }
  }

  /**
   * Settles replace restores that a crash (or a failed undo) left mid-swap: the database back under
   * its name, accepting connections (restore/swap-journal.ts). Runs at every start; what a start
   * settled is also answered by the next call without atStart (`holdfast restore --recover`).
   */
  async recoverRestores(options: { atStart?: boolean } = {}): Promise<SwapRecovery[]> {
    const recovered = await recoverInterruptedSwaps(this, { atStart: options.atStart === true });
    for (const r of recovered) {
      if (r.action !== 'not-reached') this.catalogue.audit(actor(), 'restore.recover', r.database, { profile: r.profile, run: r.runId, action: r.action, message: r.message });
      this.logger.log(r.action === 'rolled-back' || r.action === 'rolled-forward' ? 'warn' : 'error', 'interrupted restore', { profile: r.profile, database: r.database, run: r.runId, action: r.action, message: r.message });
    }
    if (options.atStart) {
      this.settledAtStart.push(...recovered.filter((r) => r.action !== 'not-reached'));
      return recovered;
    }
    return [...this.settledAtStart.splice(0), ...recovered];
  }

  /** One backup and its companions; `confirm` must repeat its file name, as a restore's --confirm does. */
  async deleteBackup(ref: string, confirm: string): Promise<DeleteReport> {
    const backup = this.catalogue.requireBackup(ref);
    if (confirm !== backup.filename) {
      throw new HoldfastError('BAD_INPUT', `Deleting ${backup.filename} needs its file name typed as the confirmation.`, `Confirm with exactly "${backup.filename}".`);
    }
    // Another listed backup's row naming the same file would lose its file unnoticed: only this row goes.
    let sharing: string[];
    try {
      sharing = (await removeUnsharedBackupFiles(this.catalogue, backup)).sharedWith;
    } catch (error) {
      throw new HoldfastError('CONFLICT', `Cannot delete ${backup.filename}: ${(error as Error).message}`, 'Check the file and its directory permissions, then try again.');
    }
    const freedBytes = sharing.length === 0 ? backup.size : 0;
    // Status and audit together, as retention does: the row stays as history.
    this.catalogue.db.transaction(() => {
      this.catalogue.setBackupStatus(backup.id, 'deleted');
      this.catalogue.audit(actor(), 'backup.delete', backup.filename, { id: backup.id, profile: backup.profile, size: backup.size, freed: humanBytes(freedBytes), ...(sharing.length ? { filesKeptFor: sharing } : {}) });
    })();
    if (sharing.length === 0) return { deleted: backup.filename, freedBytes };
    return { deleted: backup.filename, freedBytes, filesKept: `${backup.path} was kept: the catalogue lists it for ${sharing.join(', ')} too, so only this entry was removed.` };
  }

  async settings(): Promise<SettingsView> {
    const notify = notifySettingsFromEnv(this.config.env);
    const tools = await this.clientTools(this.config.pgBinDir);
    const { home, backupDir, compressionDefault, maxSizeBytes, timeoutMs, stallMs, concurrency, retentionDays, connectTimeoutSeconds } = this.config;
    return {
      home,
      backupDir,
      compressionDefault,
      maxSizeBytes,
      timeoutMs,
      stallMs,
      concurrency,
      retentionDays,
      connectTimeoutSeconds,
      schedules: { daily: presetCron('daily', this.config.env), weekly: presetCron('weekly', this.config.env), monthly: presetCron('monthly', this.config.env), cleanup: this.config.cleanupSchedule, verify: this.config.verifySchedule ?? 'off' },
      notifications: { ...configuredChannels(notify), on: notify.on },
      clientTools: { explicitDir: this.config.pgBinDir ?? null, found: tools.map((t) => ({ version: t.version, major: t.major, dir: t.dir, source: t.source })) },
    };
  }

  // --- retention, stats, health ---------------------------------------------------------------

  /** The policy for a profile: the one asked for, else its schedule's, else BACKUP_RETENTION_DAYS. */
  retentionPolicyFor(profile: string, override?: string): RetentionPolicy {
    const text = override ?? this.schedules.list({ profile }).find((s) => s.retention)?.retention;
    if (!text) return { kind: 'days', keepDays: this.config.retentionDays };
    try {
      return parseRetentionPolicy(text);
    } catch (error) {
      // The parser's own message may already name the policy; saying it twice reads as a stutter.
      if (error instanceof HoldfastError && error.message.includes(`"${text}"`)) throw error;
      throw new HoldfastError('BAD_INPUT', `Retention policy "${text}" is not valid: ${(error as Error).message}`, 'Use 30d, or gfs:7d,4w,12m,3y (any of d, w, m, y).');
    }
  }

  async cleanup(input: { profile?: string | undefined; policy?: string | undefined; dryRun: boolean }, now: Date = new Date()): Promise<CleanupSummary> {
    if (input.policy) this.retentionPolicyFor('', input.policy);
    const profiles = input.profile ? [input.profile] : [...new Set(this.catalogue.listBackups({ statuses: ['completed'] }).map((b) => b.profile))].sort();
    const reports: Array<CleanupReport & { profile: string }> = [];
    for (const profile of profiles) {
      const report = await runCleanup(this.catalogue, { profile, policy: this.retentionPolicyFor(profile, input.policy), now, dryRun: input.dryRun, actor: actor() });
      reports.push({ profile, ...report });
    }
    const summary: CleanupSummary = {
      dryRun: input.dryRun,
      deleted: reports.reduce((n, r) => n + r.deleted.length, 0),
      freedBytes: reports.reduce((n, r) => n + r.freedBytes, 0),
      errors: reports.reduce((n, r) => n + r.errors.length, 0),
      profiles: reports,
    };
    if (!input.dryRun) this.logger.log(summary.errors ? 'warn' : 'info', 'cleanup completed', { deleted: summary.deleted, freedBytes: summary.freedBytes, errors: summary.errors });
    if (!input.dryRun) await this.notifier.notify({ kind: 'cleanup.completed', deleted: summary.deleted, freedBytes: summary.freedBytes, errors: summary.errors, at: now.toISOString() });
    return summary;
  }

  /** What a policy would keep of the existing backups (each file, kept or deleted, and why), and a year of daily backups under it. */
  retentionPreview(input: { policy: string; profile?: string | undefined }, now: Date = new Date()) {
    const policy = this.retentionPolicyFor(input.profile ?? '', input.policy);
    const { decisions } = planCleanup(this.catalogue, { profile: input.profile, policy, now });
    return { policy: formatRetentionPolicy(policy), existing: decisions, yearOfDailyBackups: simulateRetention(policy, { start: now, days: 365 }) };
  }

  /** A pinned backup is kept whatever the retention policy; unpinning hands it back to the policy. */
  pinBackup(ref: string, pinned: boolean): BackupMetadata {
    const backup = this.catalogue.requireBackup(ref);
    if (backup.pinned !== pinned) {
      this.catalogue.db.transaction(() => {
        this.catalogue.setBackupPinned(backup.id, pinned);
        this.catalogue.audit(actor(), pinned ? 'backup.pin' : 'backup.unpin', backup.filename, { id: backup.id, profile: backup.profile });
      })();
    }
    return this.showBackup(backup.id);
  }

  stats(now: Date = new Date()): BackupStats {
    return computeStats(this.catalogue, now);
  }

  async health(now: Date = new Date()): Promise<HealthReport> {
    const tools = await this.clientTools(this.config.pgBinDir);
    return computeHealth({
      catalogue: this.catalogue,
      backupDir: this.config.backupDir,
      now,
      clientToolsFound: tools.length > 0,
      expectedIntervalHours: (profile) => {
        // The shortest interval among the profile's active schedules, plus an hour for a slow run.
        const intervals = this.schedules
          .list({ profile })
          .filter((s) => s.enabled)
          .map((s) => {
            const first = nextRunAfter(s.cron, s.timeZone, now);
            return (nextRunAfter(s.cron, s.timeZone, first).getTime() - first.getTime()) / 3_600_000;
          });
        return intervals.length ? Math.min(...intervals) + 1 : undefined;
      },
    });
  }

  /**
   * Re-catalogues backups from their sidecars, e.g. after a reinstall. A backup is adopted only when
   * its file is there and matches the sidecar's checksum; it is recorded where it lies now.
   */
  async adopt(dir: string): Promise<AdoptReport> {
    const root = resolve(dir);
    if (!(await exists(root))) throw new HoldfastError('NOT_FOUND', `${root} does not exist.`, 'Give the directory that holds the backup files and their .json sidecars.');
    const report: AdoptReport = { adopted: [], skipped: [] };
    for (const name of (await readdir(root)).sort()) {
      if (!name.startsWith('backup-') || !name.endsWith(SIDECAR_SUFFIX)) continue;
      const sidecar = join(root, name);
      let metadata: BackupMetadata;
      try {
        metadata = SidecarSchema.parse(JSON.parse(await readFile(sidecar, 'utf8'))) as unknown as BackupMetadata;
      } catch (error) {
        report.skipped.push({ file: name, reason: `not a Holdfast sidecar: ${(error as Error).message.split('\n')[0]}` });
        continue;
      }
      if (`${metadata.filename}${SIDECAR_SUFFIX}` !== name) {
        report.skipped.push({ file: name, reason: 'the sidecar names another file' });
        continue;
      }
      if (this.catalogue.findBackup(metadata.id) || this.catalogue.findBackup(metadata.filename)) {
        report.skipped.push({ file: metadata.filename, reason: 'already in the catalogue' });
        continue;
      }
      const path = join(root, metadata.filename);
      if (!(await exists(path))) {
        report.skipped.push({ file: metadata.filename, reason: 'the backup file is missing' });
        continue;
      }
      const actual = await backupChecksum(path, metadata.format);
      if (actual !== metadata.checksum) {
        report.skipped.push({ file: metadata.filename, reason: `checksum ${actual} does not match the sidecar's ${metadata.checksum}` });
        continue;
      }
      const runId = this.catalogue.startRun({ kind: 'backup', profile: metadata.profile, detail: { adoptedFrom: sidecar } });
      this.catalogue.db.transaction(() => {
        this.catalogue.insertBackup({ ...metadata, path, status: 'completed' }, runId);
        this.catalogue.finishRun(runId, 'completed', { backupId: metadata.id, detail: { adoptedFrom: sidecar } });
      })();
      report.adopted.push(metadata.filename);
    }
    this.catalogue.audit(actor(), 'backup.adopt', root, { adopted: report.adopted.length });
    return report;
  }
}

/** The drill database a failed `cleanup` check names (test-restore.ts words it), with the server's error. */
function leftBehind(result: RestoreTestResult): { database: string; error: string } | undefined {
  const check = result.checks.find((c) => c.name === 'cleanup' && c.status === 'failed');
  if (!check) return undefined;
  const named = /^the drill's database "(.*)" could not be dropped: ([\s\S]*)$/.exec(check.detail);
  return named ? { database: named[1]!, error: named[2]! } : { database: '(unnamed)', error: check.detail };
}

const SidecarSchema = z
  .object({
    id: z.string().regex(/^[0-9a-f]{12}$/),
    filename: z.string().regex(/^backup-[^/\\]+$/),
    timestamp: z.string(),
    size: z.number().int().nonnegative(),
    checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    format: z.enum(['custom', 'plain', 'directory', 'tar']),
    profile: z.string(),
    compression: z.string(),
    rowCounts: z.record(z.string(), z.number()),
    clientVersion: z.string(),
    serverMajor: z.number(),
    globals: z.object({ filename: z.string().nullable(), checksum: z.string().nullable(), note: z.string().nullable() }),
  })
  .passthrough();

/** The checkout or package root: the nearest directory above this module with a package.json. */
function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Client tools shipped with the app: build/pg/<platform> in a checkout, resources/pg in a package. */
function bundledToolDirs(): string[] {
  const platformDir = `${process.platform}-${process.arch}`;
  const dirs = [join(projectRoot(), 'build', 'pg', platformDir, 'bin')];
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) dirs.unshift(join(resourcesPath, 'pg', 'bin'));
  return dirs;
}

export { newId };
