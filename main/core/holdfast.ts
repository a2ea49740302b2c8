// The engine's front: one object that owns the configuration, the catalogue and the client-tool
// discovery, and offers every operation the shells (CLI, Electron IPC, HTTP) expose.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineContext } from './backup/backup.ts';
import type { BackupOptions } from './backup/options.ts';
import { pinBackup } from './backup/pin.ts';
import { takeBackup, type BackupHooks, type TakenBackup } from './backup/take-backup.ts';
import { Catalogue, newId } from './catalogue/catalogue.ts';
import { attemptEntry, LISTED_ATTEMPT_STATUSES } from './catalogue/backup-page.ts';
import { noSuchBackup } from './catalogue/not-a-backup.ts';
import { reconcileAtStart } from './recovery/reconcile.ts';
import { FileCheck } from './recovery/file-check.ts';
import { loadConfig, type HoldfastConfig } from './config/config.ts';
import { LiveConfig } from './config/live-config.ts';
import type { SettingsView } from './config/settings-view.ts';
import { DrillSlots } from './drill/drill-slots.ts';
import type { RestoreTestResult } from './drill/test-restore.ts';
import type { EventBus } from './events/bus.ts';
import { engineEventBus } from './events/engine-bus.ts';
import { checkBackupDir, ensureOwnHome } from './fsutil/dir-ownership.ts';
import { onFirstUse } from './process/first-use.ts';
import { fileLogger, type Logger } from './log/log.ts';
import { HoldfastError, toErrorInfo } from './model/errors.ts';
import type { AdoptReport, DeleteReport, ListEntry, ReconcileReport } from './model/reports.ts';
import type { BackupCopy, BackupMetadata, BackupSummary, Profile, RunRecord } from './model/types.ts';
import { AppChannels } from './notify/app-channels.ts';
import { engineNotifier, type Notifier } from './notify/notifier.ts';
import { addProfileTold, editProfileTold, importProfilesTold, removeProfileTold } from './profiles/operations.ts';
import type { NewProfileInput } from './profiles/profile-schema.ts';
import { profileFromUri, testProfile, type ImportReport, type ProfileChanges, type ProfileContext, type ProfileSecretInput, type ProfileTestReport, type RemoveReport } from './profiles/profiles.ts';
import type { RestoreRequest, RestoreResult } from './restore/restore.ts';
import { RestoreRecovery } from './restore/recovery.ts';
import type { SwapRecovery } from './restore/swap-journal.ts';
import { retentionPolicyFor, retentionPreview, type CleanupSummary } from './retention/operations.ts';
import { actorName } from './users/acting.ts';
import type { RetentionPolicy } from './retention/policy.ts';
import { createEngineScheduler, type OutcomeListener } from './schedule/engine-scheduler.ts';
import { ScheduleStore } from './schedule/schedule-store.ts';
import type { ScheduleType } from './schedule/cron.ts';
import { BackupSets } from './sets/backup-sets.ts';
import { systemClock, type Clock, type Scheduler } from './schedule/scheduler.ts';
import { addSchedule, listSchedules, removeSchedule, setScheduleEnabled, type ScheduleRequest, type ScheduleView } from './schedule/schedules.ts';
import { Keyring, type HeldIdentity } from './encryption/keyring.ts';
import { passwordFor } from './secrets/password-for.ts';
import type { SecretStore } from './secrets/secret-store.ts';
import { openSecretStore } from './secrets/store-choice.ts';
import { Offsite } from './storage/offsite.ts';
import { ScheduleHostStore } from './catalogue/hosts.ts';
import { schedulingStatus, type SchedulingStatus } from './schedule/host-status.ts';
import type { ImportedCheck, ImportRequest } from './backup/import-dump.ts';
import type { UploadRequest } from './backup/import-upload.ts';
import { backupStorage } from './storage/storage.ts';
import type { HealthReport } from './stats/health.ts';
import { computeStats, type BackupStats } from './stats/stats.ts';
import { ClientToolCache } from './tools/tool-cache.ts';
import { ProgramAnswers } from './tools/program-answers.ts';
import type { ClientToolSet } from './tools/discover.ts';
import { addUser, removeUser, rotateUserToken } from './users/admin.ts';
import { UserStore, type IssuedToken, type Role, type User } from './users/users.ts';
import type { VerifyResult } from './verify/verify.ts';
import { testDraftConnection, type DraftTest } from './profiles/draft-test.ts';
import { toolOutputOf, type RunToolOutput } from './catalogue/tool-output-rows.ts';

/** Operations only some commands use, loaded when first asked for (on-demand.ts). */
const onDemand = onFirstUse(() => import('./on-demand.ts'));

export type { AdoptReport, CleanupSummary, DeleteReport, ListEntry, ReconcileReport, ScheduleRequest, ScheduleView, SettingsView };

export class Holdfast implements EngineContext, ProfileContext {
  /** The environment read at start with the app's settings over it: read per operation, so a change applies at once. */
  readonly settings: LiveConfig;
  readonly catalogue: Catalogue;
  readonly secrets: SecretStore;
  readonly keyring: Keyring;
  readonly schedules: ScheduleStore;
  readonly users: UserStore;
  readonly offsite: Offsite;
  /** Whole-server backup sets: take, list, verify, restore, drill (sets/). */
  readonly sets: BackupSets = new BackupSets(this, onDemand);
  readonly notifier: Notifier;
  /** Notification channels added in the app; their secrets are in `secrets`. */
  readonly notifyChannels: AppChannels;
  readonly logger: Logger;
  /** What happened, told once: audit, the file log and notifications subscribe, and so may a shell. */
  readonly events: EventBus;
  /** Which backup files are still there: at open, or after `holdfast serve` listens (recovery/file-check.ts). */
  readonly fileCheck: FileCheck = new FileCheck(this);
  /** What pg_dump and setpriv answered to --version and --help, kept across processes. */
  readonly programAnswers: ProgramAnswers;
  private readonly tools: ClientToolCache;
  private readonly restoreRecovery = new RestoreRecovery(this);
  /** HOLDFAST_DRILL_CONCURRENCY: each drill starts a server and restores a whole database. */
  private readonly drillSlots: DrillSlots;

  private constructor(
    config: HoldfastConfig,
    catalogue: Catalogue,
    secrets: SecretStore,
    /** This engine is inside a `holdfast serve --no-schedules`: what it says when nothing runs the schedules names that. */
    private readonly servesWithoutSchedules: boolean,
  ) {
    this.settings = new LiveConfig(config, catalogue.db);
    this.programAnswers = new ProgramAnswers(join(config.home, 'program-answers.json'));
    this.tools = new ClientToolCache(this.programAnswers);
    this.drillSlots = new DrillSlots(config.drillConcurrency);
    this.catalogue = catalogue;
    this.secrets = secrets;
    this.keyring = new Keyring(config.home, secrets);
    this.schedules = new ScheduleStore(catalogue.db);
    this.users = new UserStore(catalogue.db);
    this.offsite = new Offsite(catalogue, secrets, this.settings.storageView());
    this.logger = fileLogger(join(config.home, 'logs'));
    this.notifyChannels = new AppChannels(catalogue.db, secrets);
    this.notifier = engineNotifier(config.env, this.logger, this.notifyChannels);
    this.events = engineEventBus(this);
  }

  /**
   * Opens (creating if needed) HOLDFAST_HOME and its catalogue, then reconciles files and runs. With
   * `files: 'later'` the check of which backup files are still there is left to `fileCheck.run()`.
   */
  static async open(
    config: HoldfastConfig = loadConfig(),
    options: { secrets?: SecretStore; files?: 'now' | 'later'; servesWithoutSchedules?: boolean } = {},
  ): Promise<{ holdfast: Holdfast; reconciled: ReconcileReport }> {
    await ensureOwnHome(config.home);
    await checkBackupDir(config.backupDir);
    const holdfast = new Holdfast(
      config,
      new Catalogue(join(config.home, 'catalogue.sqlite'), { backupDir: config.backupDir }),
      options.secrets ?? openSecretStore(config.secretStore, config.home, config.env),
      options.servesWithoutSchedules ?? false,
    );
    const reconciled = await reconcileAtStart(holdfast, { files: options.files ?? 'now' });
    return { holdfast, reconciled };
  }

  get config(): HoldfastConfig {
    return this.settings.current();
  }
  close(): void {
    this.catalogue.close();
  }
  clientTools(explicitDir?: string): Promise<ClientToolSet[]> {
    return this.tools.get(explicitDir);
  }
  identities(): Promise<HeldIdentity[]> {
    return this.keyring.identities();
  }
  /** Where passwordFor's answers come from, as a refused login's hint names it. */
  get passwordOrigin(): string {
    return this.secrets.description;
  }
  passwordFor(profile: Profile): Promise<string | undefined> {
    return passwordFor(this.secrets, profile);
  }

  /**
   * After a crash: runs left "running" by a process that is gone become interrupted and their temp
   * files go; catalogue rows whose files vanished are flagged missing (and unflagged if they return).
   */
  reconcile(): Promise<ReconcileReport> {
    return reconcileAtStart(this);
  }

  // --- profiles (profiles/operations.ts) --------------------------------------------------------

  addProfile(input: NewProfileInput, secret: ProfileSecretInput = {}): Promise<Profile> {
    return addProfileTold(this, input, secret);
  }
  addProfileFromUri(name: string, uri: string, extra: Partial<NewProfileInput> = {}): Promise<Profile> {
    const { input, password } = profileFromUri(name, uri, extra);
    return this.addProfile(input, { password });
  }
  editProfile(name: string, changes: ProfileChanges): Promise<Profile> {
    return editProfileTold(this, name, changes);
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
  /** "Test connection" before saving: the typed password is used once and never stored. */
  testDraftConnection(input: DraftTest): Promise<ProfileTestReport> {
    return testDraftConnection(this, input);
  }
  importProfiles(source: { pgpass?: string | true; serviceFile?: string | true }): Promise<ImportReport> {
    return importProfilesTold(this, source);
  }
  /** Backups are kept unless asked otherwise; they stay listed and restorable. */
  removeProfile(name: string, backups: 'keep' | 'delete' = 'keep'): Promise<RemoveReport> {
    return removeProfileTold(this, name, backups);
  }

  // --- taking backups (backup/take-backup.ts), and which run now -----------------------------------

  /** Emits backup.started, .progress, then .completed or .failed. */
  backup(profileName: string, options: Partial<BackupOptions>, hooks: BackupHooks = {}): Promise<TakenBackup> {
    return takeBackup(this, profileName, options, hooks);
  }
  /** Backup runs in progress in a live process (this one or another Holdfast), oldest first. */
  runningBackups(): Array<{ id: string; profile: string | null; startedAt: string }> {
    return this.catalogue
      .listRuns({ kind: 'backup', statuses: ['running'] })
      .filter((run) => run.profile !== null && this.catalogue.runningBackupOf(run.profile)?.id === run.id)
      .map((run) => ({ id: run.id, profile: run.profile, startedAt: run.startedAt }));
  }
  isProfileBusy(profile: string): boolean {
    return this.catalogue.runningBackupOf(profile) !== undefined;
  }

  // --- schedules (schedule/schedules.ts, schedule/engine-scheduler.ts) ----------------------------

  addSchedule(input: ScheduleRequest, now: Date = new Date()): ScheduleView {
    return addSchedule(this, input, now);
  }
  listSchedules(profile?: string): ScheduleView[] {
    return listSchedules(this, profile);
  }
  setScheduleEnabled(id: string, enabled: boolean, now: Date = new Date()): ScheduleView {
    return setScheduleEnabled(this, id, enabled, now);
  }
  removeSchedule(id: string): { removed: string } {
    return removeSchedule(this, id);
  }
  /** The scheduler over this engine; the clock is injected so tests can jump days. */
  createScheduler(clock: Clock = systemClock, onOutcome?: OutcomeListener): Scheduler {
    return createEngineScheduler(this, clock, onOutcome);
  }

  /** The scheduler's tick: copies whose automatic retry is due, uploaded again. */
  retryDueCopies(now: Date): Promise<unknown> {
    return this.offsite.retryDue(now, (event) => this.events.emit(event));
  }

  // --- API users (holdfast serve; users/admin.ts) ------------------------------------------------

  addUser(name: string, role: Role): IssuedToken {
    return addUser(this, name, role);
  }
  listUsers(): User[] {
    return this.users.list();
  }
  removeUser(name: string): { removed: string } {
    return removeUser(this, name);
  }
  rotateUserToken(name: string): IssuedToken {
    return rotateUserToken(this, name);
  }

  // --- the backups on record ------------------------------------------------------------------

  list(filter: { profile?: string | undefined; all?: boolean; fields?: 'full' }): Array<BackupMetadata | ListEntry>;
  /** Summaries: what a table of backups shows, without each backup's tables, row counts, options and files (backup.show has those). */
  list(filter: { profile?: string | undefined; all?: boolean; fields: 'summary' }): Array<BackupSummary | ListEntry>;
  list(filter: { profile?: string | undefined; all?: boolean; fields?: 'full' | 'summary' }): Array<BackupMetadata | BackupSummary | ListEntry>;
  list(filter: { profile?: string | undefined; all?: boolean; fields?: 'full' | 'summary' }): Array<BackupMetadata | BackupSummary | ListEntry> {
    const where = filter.profile ? { profile: filter.profile } : {};
    const listed: Array<BackupMetadata | BackupSummary> = filter.fields === 'summary' ? this.catalogue.listBackupSummaries(where) : this.catalogue.listBackups(where);
    const backups: Array<BackupMetadata | BackupSummary | ListEntry> = this.offsite.withCopies(listed);
    if (!filter.all) return backups;
    const runs: RunRecord[] = this.catalogue.listRuns({ kind: 'backup', statuses: [...LISTED_ATTEMPT_STATUSES], ...(filter.profile ? { profile: filter.profile } : {}) });
    const setOfRun = this.sets.store.setsOfRuns();
    const entries = runs.map((run) => attemptEntry(run, setOfRun.get(run.id)));
    return [...backups, ...entries].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  }

  /** What a run's client tools wrote to stderr (scrubbed, bounded), by run id or the id of the backup it made; null when they wrote nothing. */
  toolOutput(ref: string): RunToolOutput | null {
    return toolOutputOf(this.catalogue.db, ref) ?? null;
  }

  /**
   * One backup's full record (as `list` gives it), by id or file name; deleted ones are kept on record and shown too.
   * localFilePresent: whether its file is on this machine now (a backup kept on its destinations only has none).
   */
  showBackup(ref: string): BackupMetadata & { copies?: BackupCopy[]; localFilePresent: boolean } {
    const backup = this.catalogue.findBackup(ref);
    if (!backup) throw noSuchBackup(this.catalogue.db, ref);
    return { ...this.offsite.withCopies([backup])[0]!, localFilePresent: existsSync(backup.path) };
  }

  async verify(ref: string): Promise<VerifyResult> {
    const { verifyBackup } = await onDemand();
    return verifyBackup(this, ref);
  }

  /** Restore drill into a scratch server of the backup's major; the result is stored on the backup. */
  async testRestore(ref: string, options: { signal?: AbortSignal; major?: number; onProfile?: string } = {}): Promise<RestoreTestResult> {
    const { onProfile, ...rest } = options;
    const { testRestore, leftBehind } = await onDemand();
    const result = await testRestore(this, ref, { ...rest, slots: this.drillSlots, ...(onProfile ? { onProfile: this.catalogue.requireProfile(onProfile) } : {}) });
    await this.events.emit({ kind: 'drill.completed', result, ...(onProfile ? { onProfile } : {}) });
    // A database the drill made on someone's server and could not drop: an entry, an error and a notification of its own.
    const left = onProfile ? leftBehind(result) : undefined;
    if (onProfile && left) await this.events.emit({ kind: 'drill.cleanupFailed', profile: onProfile, database: left.database, filename: result.filename, error: left.error });
    return result;
  }

  async restore(request: Omit<RestoreRequest, 'target'> & { to: string }): Promise<RestoreResult> {
    const target = this.catalogue.requireProfile(request.to);
    const database = request.dbname ?? target.dbname;
    const filename = this.catalogue.findBackup(request.ref)?.filename ?? request.ref;
    const told = { profile: target.name, database, filename, clean: request.clean, swap: request.swap === true };
    try {
      const { restoreBackup } = await onDemand();
      const result = await restoreBackup(this, { ...request, target });
      if (!result.dryRun) await this.events.emit({ kind: 'restore.completed', ...told, durationMs: result.durationMs });
      return result;
    } catch (error) {
      if (!request.dryRun) await this.events.emit({ kind: 'restore.failed', ...told, error: toErrorInfo(error) });
      throw error;
    }
  }

  /**
   * Settles replace restores that a crash (or a failed undo) left mid-swap: the database back under
   * its name, accepting connections (restore/swap-journal.ts). Runs at every start; what a start
   * settled is also answered by the next call without atStart (`holdfast restore --recover`).
   */
  recoverRestores(options: { atStart?: boolean } = {}): Promise<SwapRecovery[]> {
    return this.restoreRecovery.recover(options);
  }

  /** One backup and its companions; `confirm` must repeat its file name, as a restore's --confirm does. */
  async deleteBackup(ref: string, confirm: string): Promise<DeleteReport> {
    const { deleteBackup } = await onDemand();
    return deleteBackup(this, ref, confirm);
  }

  // --- retention, stats, health (retention/operations.ts, stats/) ---------------------------------

  /** The policy for a profile: the one asked for, else its schedule's, else BACKUP_RETENTION_DAYS. */
  retentionPolicyFor(profile: string, override?: string): RetentionPolicy {
    return retentionPolicyFor(this, profile, override);
  }
  /** Local retention, then each destination's stored policy over its copies (retention/copy-cleanup.ts). */
  async cleanup(input: { profile?: string | undefined; policy?: string | undefined; dryRun: boolean; onlyIds?: readonly string[] | undefined }, now: Date = new Date()): Promise<CleanupSummary> {
    const { cleanup, cleanupStoredPolicies } = await onDemand();
    const summary = await cleanup(this, input, now);
    const destinations = await cleanupStoredPolicies(this, { profile: input.profile, dryRun: input.dryRun, actor: actorName() }, now);
    return { ...summary, destinations, errors: summary.errors + destinations.reduce((n, report) => n + report.errors.length, 0) };
  }
  /** What a policy would keep of the existing backups (each file, kept or deleted, and why), and a year of daily backups under it. */
  retentionPreview(input: { policy: string; profile?: string | undefined; type?: ScheduleType | undefined; cron?: string | undefined; timeZone?: string | undefined }, now: Date = new Date()) {
    return retentionPreview(this, input, now);
  }

  /** A pinned backup is kept whatever the retention policy; unpinning hands it back to the policy. */
  pinBackup(ref: string, pinned: boolean): BackupMetadata {
    return pinBackup(this, ref, pinned);
  }

  stats(now: Date = new Date()): BackupStats {
    return computeStats(this.catalogue, now, this.config.backupDir);
  }
  /** Who runs the schedules (heartbeats in the catalogue), or that nothing does. */
  schedulingStatus(now: Date = new Date()): SchedulingStatus {
    return schedulingStatus(new ScheduleHostStore(this.catalogue.db).list(), {
      now,
      activeSchedules: this.schedules.list().filter((s) => s.enabled).length,
      servesWithoutSchedules: this.servesWithoutSchedules,
    });
  }

  async health(now: Date = new Date()): Promise<HealthReport & { scheduling: SchedulingStatus }> {
    const { engineHealth } = await onDemand();
    return engineHealth(this, now);
  }

  /** Re-catalogues a directory's or a named destination's backups from their sidecars: a reinstall, a lost machine (storage/adopt.ts). */
  async adopt(source: { dir: string } | { destination: string }): Promise<AdoptReport> {
    const { adoptDestination, adoptDirectory } = await onDemand();
    const { root, report } =
      'dir' in source
        ? await adoptDirectory(this.catalogue, source.dir, this.config.backupDir)
        : { root: `destination ${source.destination}`, report: await adoptDestination(this.catalogue, this.offsite, source.destination, this.config.backupDir) };
    await this.events.emit({ kind: 'backup.adopted', dir: root, adopted: report.adopted });
    return report;
  }

  /** A dump made elsewhere, copied into BACKUP_DIR, checked, sealed and catalogued pinned (backup/import-dump.ts). */
  async importDump(request: ImportRequest): Promise<BackupMetadata & ImportedCheck> {
    const { importDump } = await onDemand();
    return importDump(this, request);
  }
  // The same import of a dump received as a stream (a browser's upload to holdfast serve).
  async importUpload(request: UploadRequest): Promise<BackupMetadata & ImportedCheck> {
    const { importUpload } = await onDemand();
    return importUpload(this, request);
  }
}

export { newId };
