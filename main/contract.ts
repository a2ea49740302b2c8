// The one typed contract. Every operation is defined once — channel, zod input schema, handler — and
// the three shells (CLI, Electron IPC, HTTP) only parse input with the schema, call the handler and
// return the envelope. Adding an operation means adding one entry here.
import * as z from 'zod';
import type { CHANNELS } from './channels.ts';
import type { BackupProgress } from './core/backup/backup.ts';
import { BackupOptionsSchema } from './core/backup/options.ts';
import { SCHEDULE_TYPES } from './core/schedule/cron.ts';
import { HoldfastError, toErrorInfo, type ErrorInfo } from './core/model/errors.ts';
import type { Holdfast } from './core/holdfast.ts';
import type { TakenBackup } from './core/backup/take-backup.ts';
import type { BackupSet } from './core/sets/set-record.ts';
import { nestSets, type SetVerifyResult } from './core/sets/backup-sets.ts';
import type { SetRestoreResult } from './core/sets/restore-set.ts';
import type { SetDrillResult } from './core/sets/drill-set.ts';
import type { SetDeleteReport } from './core/sets/delete-set.ts';
import type { DeleteReport } from './core/model/reports.ts';
import type { RestoreTestResult } from './core/drill/test-restore.ts';
import type { RestoreResult } from './core/restore/restore.ts';
import type { VerifyResult } from './core/verify/verify.ts';
import { NewProfileSchema, ProfileChangesSchema, ProfileNameSchema } from './core/profiles/profile-schema.ts';
import { ROLES, UserNameSchema } from './core/users/users.ts';
import { identityFileText, listKeys } from './core/encryption/key-list.ts';
import { markKeyHere } from './core/encryption/key-here.ts';
import { DestinationNameSchema, DestinationSecretSchema, DestinationSpecSchema } from './core/storage/destination-settings.ts';
import { cleanupCopies, requirePolicyText } from './core/retention/copy-cleanup.ts';
import { actorName } from './core/users/acting.ts';
import { listServerDatabases } from './core/restore/server-databases.ts';
import { BackupPageQuerySchema, selectBackupPage } from './core/catalogue/backup-page.ts';
import type { BackupPage } from './core/model/backup-page.ts';
import { runScheduleNow } from './core/schedule/run-now.ts';
import { editSchedule } from './core/schedule/schedules.ts';
import { join } from 'node:path';
import { settingsView } from './core/config/settings-view.ts';
import { readLog } from './core/log/read-log.ts';
import { ChannelNameSchema, NewChannelSchema } from './core/notify/app-channels.ts';
import { addNotifyChannel, removeNotifyChannel, testNotifyChannel } from './core/notify/operations.ts';

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export interface CallContext {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent = { operation: 'backup'; progress: BackupProgress } | { operation: 'restore'; phase: string };

/** Passwords cross the contract only on their way to the keychain. */
const Password = z
  .string()
  .min(1, 'the password is empty')
  .max(4096)
  .refine((value) => !value.includes('\0'), 'a password cannot contain NUL');

const ScheduleId = z.string().regex(/^[0-9a-f]{12}$/, 'a schedule id is 12 hex characters (holdfast schedule list)');

const BackupRef = z.string().min(1, 'give a backup id or filename').max(255);

const KeyName = z.string().min(1).max(64);
/** An age identity file crosses the contract only on its way to the keychain; its errors never echo it. */
const IdentityText = z
  .string()
  .min(1, 'the identity file is empty')
  .max(64 * 1024);

/** A setting by its name (backup-dir) or its variable (BACKUP_DIR); config/app-settings.ts names the unknown. */
const SettingName = z.string().min(1).max(64);

/** An existing user: looked up, so the stricter rules for new names do not apply. */
const ExistingUserName = z.string().min(1).max(64);

const DestinationNames = z.array(z.string().min(1).max(64)).max(16);
const BackupCreateInput = z.object({ profile: ProfileNameSchema, options: BackupOptionsSchema, copyTo: DestinationNames.optional() }).strict();

function backupHooks(context: CallContext): { signal?: AbortSignal; onProgress: (progress: BackupProgress) => void } {
  return { ...(context.signal ? { signal: context.signal } : {}), onProgress: (progress) => context.onProgress?.({ operation: 'backup', progress }) };
}

const TestRestoreInput = z
  .object({ ref: BackupRef, major: z.number().int().min(9).max(99).optional(), onProfile: ProfileNameSchema.optional() })
  .strict()
  .refine((input) => !(input.major && input.onProfile), { message: 'choose a scratch server of a major (--on-major) or a designated profile (--on-profile), not both', path: ['onProfile'] });

const RestoreFields = z.object({
  ref: BackupRef,
  to: ProfileNameSchema,
  dbname: z
    .string()
    .min(1)
    .refine((name) => Buffer.byteLength(name) <= 63, 'a database name is at most 63 bytes')
    .optional(),
  create: z.boolean().default(false),
  clean: z.boolean().default(false),
  confirm: z.string().optional(),
  noOwner: z.boolean().default(false),
  noAcl: z.boolean().default(false),
  jobs: z.number().int().min(1).max(64).optional(),
  dryRun: z.boolean().default(false),
  swap: z.boolean().default(false),
  /** A named destination holding a verified copy: restore from it (downloaded and checked) instead of the local file. */
  from: z.string().min(1).max(64).optional(),
  terminateConnections: z.boolean().default(false),
  /** Restore only these tables (manifest keys, e.g. public.users) or these schemas: core/restore/selection.ts. */
  tables: z.array(z.string().min(1).max(300)).max(1000).optional(),
  schemas: z.array(z.string().min(1).max(63)).max(100).optional(),
});
const notCleanAndSwap = (input: { swap: boolean; clean: boolean }) => !(input.swap && input.clean);
const CLEAN_OR_SWAP = { message: 'choose --clean (drop the old database) or --swap (keep it), not both', path: ['swap'] };
const RestoreInput = RestoreFields.strict().refine(notCleanAndSwap, CLEAN_OR_SWAP);

function define<I extends z.ZodType, O>(input: I, handler: (holdfast: Holdfast, input: z.output<I>, context: CallContext) => Promise<O> | O) {
  return { input, handler };
}

export const contract = {
  'profile.add': define(NewProfileSchema.extend({ password: Password.optional() }), (holdfast, { password, ...input }) => holdfast.addProfile(input, { password })),
  'profile.edit': define(z.object({ name: ProfileNameSchema, changes: ProfileChangesSchema, password: Password.optional(), forgetPassword: z.boolean().default(false) }).strict(), (holdfast, input) =>
    holdfast.editProfile(input.name, { ...input.changes, password: input.password, forgetPassword: input.forgetPassword }),
  ),
  'profile.list': define(z.object({}).strict(), (holdfast) => holdfast.listProfiles()),
  'profile.show': define(z.object({ name: ProfileNameSchema }).strict(), (holdfast, input) => holdfast.showProfile(input.name)),
  'profile.test': define(z.object({ name: ProfileNameSchema }).strict(), (holdfast, input) => holdfast.testProfile(input.name)),
  // The add/edit form's "Test connection": the connection as typed, the typed password used once, nothing saved.
  'profile.testDraft': define(z.object({ profile: NewProfileSchema, password: Password.optional(), editing: ProfileNameSchema.optional() }).strict(), (holdfast, input) =>
    holdfast.testDraftConnection({ draft: input.profile, password: input.password, editing: input.editing }),
  ),
  // The databases on the profile's server: where a restore may go (the wizard's target list).
  'profile.databases': define(z.object({ name: ProfileNameSchema }).strict(), (holdfast, input) => listServerDatabases(holdfast, holdfast.showProfile(input.name))),
  'profile.remove': define(z.object({ name: ProfileNameSchema, backups: z.enum(['keep', 'delete']).default('keep') }).strict(), (holdfast, input) => holdfast.removeProfile(input.name, input.backups)),
  'profile.import': define(
    z
      .object({ pgpass: z.union([z.literal(true), z.string().min(1)]).optional(), serviceFile: z.union([z.literal(true), z.string().min(1)]).optional() })
      .strict()
      .refine((input) => input.pgpass !== undefined || input.serviceFile !== undefined, 'give --pgpass and/or --service-file'),
    (holdfast, input) => holdfast.importProfiles(input),
  ),
  // copyTo: named destinations the sealed backup is copied to (read back and compared); left out, the profile's
  // default ones (profile.copyTo); [] for none this time. A failed copy leaves the backup completed.
  'backup.create': define(BackupCreateInput, (holdfast, input, context) => {
    if (holdfast.sets.isWholeServer(input.profile)) throw new HoldfastError('BAD_INPUT', `Profile "${input.profile}" backs up the whole server, as a backup set.`, '{{take-set}}.');
    return holdfast.backup(input.profile, input.options, { ...(input.copyTo ? { copyTo: input.copyTo } : {}), ...backupHooks(context) });
  }),
  // What `holdfast backup` calls: one backup, or for a whole-server profile a backup set ({ kind: 'set', status, databases, globals, … }).
  'backup.take': define(BackupCreateInput, async (holdfast, input, context): Promise<TakenBackup | BackupSet> => {
    if (!holdfast.sets.isWholeServer(input.profile)) return holdfast.backup(input.profile, input.options, { ...(input.copyTo ? { copyTo: input.copyTo } : {}), ...backupHooks(context) });
    if ((input.copyTo ?? []).length > 0) throw new HoldfastError('BAD_INPUT', 'Copies of a whole-server backup set to destinations are not supported yet.', 'Leave out --copy-to for this profile.');
    return holdfast.sets.take(input.profile, input.options, backupHooks(context));
  }),
  // Each encrypted backup says whether its key is here (keyHere): "key not here" before a restore is tried.
  'backup.list': define(z.object({ profile: ProfileNameSchema.optional(), all: z.boolean().default(false), fields: z.enum(['full', 'summary']).default('full') }).strict(), (holdfast, input) =>
    markKeyHere(holdfast.keyring, holdfast.list({ profile: input.profile, all: input.all, fields: input.fields })),
  ),
  // One page of that list (summaries and attempts), sorted and filtered in the catalogue: the Backups table
  // asks for the rows it shows, not 100,000 at once. checkingFiles: the start-up file check is still running.
  'backup.page': define(BackupPageQuerySchema, async (holdfast, input): Promise<BackupPage> => {
    const page = selectBackupPage(holdfast.catalogue.db, input);
    // A set's members carry their copies as single backups do (a member's drawer lists them).
    const items = holdfast.offsite.withCopies(page.items).map((item) => ('members' in item ? { ...item, members: holdfast.offsite.withCopies(item.members) } : item));
    return { ...page, items: await markKeyHere(holdfast.keyring, items), offset: input.offset, checkingFiles: !holdfast.fileCheck.done };
  }),
  // The same list with each whole-server backup set as one entry, its members nested under it (`holdfast list`).
  // fields: 'summary' nests summaries (what the Backups table shows; backup.show has the rest), as backup.list does.
  'set.list': define(z.object({ profile: ProfileNameSchema.optional(), all: z.boolean().default(false), fields: z.enum(['full', 'summary']).default('full') }).strict(), (holdfast, input) =>
    markKeyHere(holdfast.keyring, nestSets(holdfast.list({ profile: input.profile, all: input.all, fields: input.fields }), holdfast.sets.list(input.profile))),
  ),
  'set.show': define(z.object({ ref: BackupRef }).strict(), (holdfast, input) => {
    const set = holdfast.sets.require(input.ref);
    return { ...set, members: holdfast.sets.members(set) };
  }),
  // What `holdfast verify` calls: a backup, or a backup set (every member verified, its manifest and roles file checksummed).
  'backup.check': define(z.object({ ref: BackupRef }).strict(), async (holdfast, input): Promise<VerifyResult | SetVerifyResult> =>
    holdfast.sets.find(input.ref) ? holdfast.sets.verify(input.ref) : holdfast.verify(input.ref),
  ),
  // A run's pg_dump/pg_dumpall/pg_restore/psql stderr as kept with it (process/tool-output.ts).
  'run.toolOutput': define(z.object({ id: BackupRef }).strict(), (holdfast, input) => holdfast.toolOutput(input.id)),
  'backup.show': define(z.object({ ref: BackupRef }).strict(), (holdfast, input) => holdfast.showBackup(input.ref)),
  'backup.verify': define(z.object({ ref: BackupRef }).strict(), (holdfast, input) => holdfast.verify(input.ref)),
  // Re-reads every copy of the backup on its named destinations; ok only when each was read and verified
  // (a destination that cannot be reached is not ok, though the copy keeps its recorded state).
  'backup.verifyCopies': define(z.object({ ref: BackupRef }).strict(), async (holdfast, input) => {
    const backup = holdfast.showBackup(input.ref);
    const copies = await holdfast.offsite.recheck(backup);
    return { backup: { id: backup.id, filename: backup.filename }, copies, ok: copies.length > 0 && copies.every((copy) => copy.checked === 'verified') };
  }),
  // Uploads again every copy that does not count (failed, missing; a crash's interrupted one), or only one backup's.
  'copies.retry': define(z.object({ ref: BackupRef.optional() }).strict(), (holdfast, input) => holdfast.offsite.retry(input.ref)),
  // Retention per destination: the policy decides over one destination's copies; the newest verified copy of each profile there stays.
  'copies.cleanup': define(
    // policy left out: the destination's stored one (destination edit --retention).
    z.object({ destination: z.string().min(1).max(64), policy: z.string().min(1).max(64).optional(), profile: ProfileNameSchema.optional(), dryRun: z.boolean().default(false) }).strict(),
    (holdfast, input) =>
      cleanupCopies(
        holdfast,
        {
          destination: input.destination,
          policy: holdfast.retentionPolicyFor('', requirePolicyText(input.policy ?? holdfast.offsite.destinations.show(input.destination).retention ?? undefined, input.destination)),
          profile: input.profile,
          dryRun: input.dryRun,
          actor: actorName(),
        },
        new Date(),
      ),
  ),
  'backup.testRestore': define(TestRestoreInput, (holdfast, input, context) =>
    holdfast.testRestore(input.ref, {
      ...(context.signal ? { signal: context.signal } : {}),
      ...(input.major ? { major: input.major } : {}),
      ...(input.onProfile ? { onProfile: input.onProfile } : {}),
    }),
  ),
  // What `holdfast verify --test-restore` calls: a backup's drill, or a set's (every member into one scratch server).
  'drill.start': define(TestRestoreInput, async (holdfast, input, context): Promise<RestoreTestResult | SetDrillResult> => {
    if (!holdfast.sets.find(input.ref)) return contract['backup.testRestore'].handler(holdfast, input, context);
    if (input.onProfile) throw new HoldfastError('BAD_INPUT', 'A backup set is drilled on a scratch server of its own; --on-profile applies to one backup.', 'Leave out --on-profile.');
    return holdfast.sets.testRestore(input.ref, { ...(input.major ? { major: input.major } : {}), ...(context.signal ? { signal: context.signal } : {}) });
  }),
  'backup.restore': define(RestoreInput, (holdfast, input, context) =>
    holdfast.restore({
      ...input,
      ...(context.signal ? { signal: context.signal } : {}),
      onProgress: (phase) => context.onProgress?.({ operation: 'restore', phase }),
    }),
  ),
  // What `holdfast restore` calls: one backup, or a backup set (roles first, then each chosen database; --only picks them).
  'restore.start': define(
    RestoreFields.extend({ only: z.array(z.string().min(1).max(64_000)).min(1).max(1000).optional() })
      .strict()
      .refine(notCleanAndSwap, CLEAN_OR_SWAP),
    async (holdfast, { only, ...input }, context): Promise<RestoreResult | SetRestoreResult> => {
      if (!holdfast.sets.find(input.ref)) {
        if (only) throw new HoldfastError('BAD_INPUT', '--only picks databases of a backup set; this is one backup.', 'Leave out --only.');
        return holdfast.restore({ ...input, ...(context.signal ? { signal: context.signal } : {}), onProgress: (phase) => context.onProgress?.({ operation: 'restore', phase }) });
      }
      if (input.dbname || input.swap || input.from || input.noOwner || input.noAcl || input.jobs || input.tables || input.schemas)
        throw new HoldfastError(
          'BAD_INPUT',
          'A backup set restores each database under its own name with --create or --clean; --dbname, --swap, --from, --no-owner, --no-acl, --jobs, --table and --schema apply to one backup.',
          'Leave them out, or restore one member by its id.',
        );
      return holdfast.sets.restore({
        ref: input.ref,
        to: input.to,
        only,
        create: input.create,
        clean: input.clean,
        confirm: input.confirm,
        dryRun: input.dryRun,
        terminateConnections: input.terminateConnections,
        ...(context.signal ? { signal: context.signal } : {}),
      });
    },
  ),
  // Settles replace restores a crash left mid-swap (the next start does too): each says whether it rolled back or forward.
  'restore.recover': define(z.object({}).strict(), (holdfast) => holdfast.recoverRestores()),
  'schedule.add': define(
    z
      .object({
        profile: ProfileNameSchema,
        type: z.enum(SCHEDULE_TYPES),
        cron: z.string().min(1).max(200).optional(),
        timeZone: z.string().min(1).max(64).optional(),
        options: BackupOptionsSchema.optional(),
        retention: z.string().min(1).max(64).optional(),
        testRestore: z.boolean().optional(),
        // Its own destinations, overriding the profile's default ones; left out: the profile's.
        copyTo: DestinationNames.optional(),
      })
      .strict()
      .refine((input) => (input.type === 'custom') === (input.cron !== undefined), { message: 'give a cron expression exactly when the type is custom', path: ['cron'] }),
    (holdfast, input) => holdfast.addSchedule(input),
  ),
  'schedule.list': define(z.object({ profile: ProfileNameSchema.optional() }).strict(), (holdfast, input) => holdfast.listSchedules(input.profile)),
  'schedule.pause': define(z.object({ id: ScheduleId }).strict(), (holdfast, input) => holdfast.setScheduleEnabled(input.id, false)),
  'schedule.resume': define(z.object({ id: ScheduleId }).strict(), (holdfast, input) => holdfast.setScheduleEnabled(input.id, true)),
  // Changes what a schedule does or when; left-out fields keep their value, retention null is the default policy.
  'schedule.edit': define(
    z
      .object({
        id: ScheduleId,
        type: z.enum(SCHEDULE_TYPES).optional(),
        cron: z.string().min(1).max(200).optional(),
        timeZone: z.string().min(1).max(64).optional(),
        options: BackupOptionsSchema.optional(),
        retention: z.string().min(1).max(64).nullable().optional(),
        testRestore: z.boolean().optional(),
        /** Clear the schedule's own encryption choice (options.encryptTo): the profile's, then the default, apply. */
        inheritEncryption: z.literal(true).optional(),
        // null: back to the profile's default destinations.
        copyTo: DestinationNames.nullable().optional(),
      })
      .strict()
      .refine((input) => input.cron === undefined || input.type === 'custom', { message: 'a cron expression goes with the type custom', path: ['cron'] }),
    (holdfast, { id, ...changes }) => editSchedule(holdfast, id, changes, new Date()),
  ),
  // Runs the schedule's backup (and drill) now, recorded as its last run; the next slot stays.
  'schedule.runNow': define(z.object({ id: ScheduleId }).strict(), (holdfast, input, context) =>
    runScheduleNow(holdfast, input.id, {
      ...(context.signal ? { signal: context.signal } : {}),
      onProgress: (progress) => context.onProgress?.({ operation: 'backup', progress }),
    }),
  ),
  'schedule.remove': define(z.object({ id: ScheduleId }).strict(), (holdfast, input) => holdfast.removeSchedule(input.id)),
  // Who runs the schedules (their heartbeats), which scheduled profiles' passwords they cannot read, or that nothing runs them.
  'schedule.hosts': define(z.object({}).strict(), (holdfast) => holdfast.schedulingStatus()),
  'audit.list': define(z.object({ limit: z.number().int().min(1).max(10_000).default(100) }).strict(), (holdfast, input) => holdfast.catalogue.auditEntries(input.limit)),
  'backup.cleanup': define(
    z
      .object({
        profile: ProfileNameSchema.optional(),
        policy: z.string().min(1).max(64).optional(),
        dryRun: z.boolean().default(false),
        // The backups a confirmed dry run listed: only these are deleted ("Run cleanup now").
        onlyIds: z.array(BackupRef).max(100_000).optional(),
      })
      .strict(),
    (holdfast, input) => holdfast.cleanup(input),
  ),
  'retention.preview': define(
    // type (a preset) or cron, and timeZone: the schedule's own cadence to simulate (the schedule form's); left out, daily at 02:00.
    z
      .object({
        policy: z.string().min(1).max(64),
        profile: ProfileNameSchema.optional(),
        type: z.enum(SCHEDULE_TYPES).optional(),
        cron: z.string().min(1).max(128).optional(),
        timeZone: z.string().min(1).max(64).optional(),
      })
      .strict(),
    (holdfast, input) => holdfast.retentionPreview(input),
  ),
  'backup.stats': define(z.object({}).strict(), (holdfast) => holdfast.stats()),
  'backup.health': define(z.object({}).strict(), (holdfast) => holdfast.health()),
  // Pinned: kept whatever the retention policy.
  'backup.pin': define(z.object({ ref: BackupRef, pinned: z.boolean() }).strict(), (holdfast, input) => holdfast.pinBackup(input.ref, input.pinned)),
  // A backup, or a whole-server set deleted whole (confirm: the set's id).
  'backup.delete': define(z.object({ ref: BackupRef, confirm: z.string().max(255) }).strict(), (holdfast, input): Promise<DeleteReport | SetDeleteReport> =>
    holdfast.sets.find(input.ref) ? holdfast.sets.delete(input.ref, input.confirm) : holdfast.deleteBackup(input.ref, input.confirm),
  ),
  'settings.get': define(z.object({}).strict(), (holdfast) => settingsView(holdfast)),
  // Settings changed in the app: the value as its environment variable would hold it; null resets it to the default.
  'config.list': define(z.object({}).strict(), (holdfast) => holdfast.settings.entries()),
  'config.get': define(z.object({ name: SettingName }).strict(), (holdfast, input) => holdfast.settings.entry(input.name)),
  'config.set': define(z.object({ name: SettingName, value: z.string().max(4096).nullable() }).strict(), (holdfast, input) => holdfast.settings.change(input.name, input.value, holdfast.events)),
  // Notification channels added in the app; a webhook URL or SMTP password crosses the contract only on its way to the secret store.
  'notify.list': define(z.object({}).strict(), (holdfast) => holdfast.notifyChannels.list()),
  'notify.add': define(NewChannelSchema, (holdfast, input) => addNotifyChannel(holdfast, input)),
  'notify.remove': define(z.object({ name: ChannelNameSchema }).strict(), (holdfast, input) => removeNotifyChannel(holdfast, input.name)),
  'notify.test': define(z.object({ name: ChannelNameSchema }).strict(), (holdfast, input) => testNotifyChannel(holdfast, input.name)),
  // The app log (secret keys were dropped when it was written), newest first.
  'log.read': define(
    z.object({ level: z.enum(['info', 'warn', 'error']).optional(), search: z.string().max(200).optional(), limit: z.number().int().min(1).max(2000).default(200) }).strict(),
    (holdfast, input) => readLog(join(holdfast.config.home, 'logs'), input),
  ),
  // dir: a directory on the host; destination: a named destination (the disaster-recovery path). One of the two.
  'backup.adopt': define(
    z
      .object({ dir: z.string().min(1).optional(), destination: z.string().min(1).max(64).optional() })
      .strict()
      .refine((input) => (input.dir === undefined) !== (input.destination === undefined), 'give a directory or --destination NAME, not both and not neither'),
    (holdfast, input) => holdfast.adopt(input.destination !== undefined ? { destination: input.destination } : { dir: input.dir! }),
  ),
  // file: a dump on the host (a path, as adopt's dir is); it is copied into BACKUP_DIR, never moved.
  'backup.import': define(z.object({ file: z.string().min(1, 'give the path of the dump to import').max(4096), profile: ProfileNameSchema }).strict(), (holdfast, input) => holdfast.importDump(input)),
  'backup.running': define(z.object({}).strict(), (holdfast) => holdfast.runningBackups()),
  // API users of holdfast serve; add and rotate answer the token, the only time it is shown.
  'user.add': define(z.object({ name: UserNameSchema, role: z.enum(ROLES) }).strict(), (holdfast, input) => holdfast.addUser(input.name, input.role)),
  'user.list': define(z.object({}).strict(), (holdfast) => holdfast.listUsers()),
  'user.remove': define(z.object({ name: ExistingUserName }).strict(), (holdfast, input) => holdfast.removeUser(input.name)),
  'user.rotate': define(z.object({ name: ExistingUserName }).strict(), (holdfast, input) => holdfast.rotateUserToken(input.name)),
  // age identities for encrypted backups (BACKUP_ENCRYPTION_KEY): the secret goes to the keychain and comes back out only by export.
  'key.generate': define(z.object({ name: KeyName.optional() }).strict(), (holdfast, input) => holdfast.keyring.generate(input.name)),
  'key.import': define(z.object({ identity: IdentityText, name: KeyName.optional() }).strict(), (holdfast, input) => holdfast.keyring.import(input.identity, input.name)),
  // A passphrase as a key (age's scrypt recipient); like an identity it crosses only on its way to the keychain.
  'key.addPassphrase': define(z.object({ passphrase: Password, name: KeyName.optional() }).strict(), (holdfast, input) => holdfast.keyring.addPassphrase(input.passphrase, input.name)),
  'key.export': define(z.object({ name: KeyName }).strict(), async (holdfast, input) => {
    const { entry, identity } = await holdfast.keyring.export(input.name);
    return { ...entry, identityFile: identityFileText(entry, identity) };
  }),
  'key.list': define(z.object({}).strict(), (holdfast) => listKeys(holdfast.keyring, holdfast.catalogue.listBackups({}))),
  // Named storage destinations; a secret (access key, connection string, SAS URL, SSH key or password) crosses the contract only on its way to the secret store.
  'destination.add': define(
    z.object({ name: DestinationNameSchema, spec: DestinationSpecSchema, secretAccessKey: Password.optional(), secret: DestinationSecretSchema.optional() }).strict(),
    (holdfast, input) => holdfast.offsite.destinations.add(input),
  ),
  // Settings to change (null removes an optional one), a new secret, or an SFTP host key accepted after it was changed on purpose.
  'destination.edit': define(
    z
      .object({
        name: z.string().min(1).max(64),
        settings: z.record(z.string(), z.unknown()).optional(),
        secretAccessKey: Password.optional(),
        secret: DestinationSecretSchema.optional(),
        acceptHostKey: z.string().max(128).optional(),
        retention: z.string().min(1).max(64).nullable().optional(),
      })
      .strict(),
    (holdfast, input) => holdfast.offsite.destinations.edit(input),
  ),
  'destination.list': define(z.object({}).strict(), (holdfast) => holdfast.offsite.destinations.list()),
  'destination.show': define(z.object({ name: z.string().min(1).max(64) }).strict(), (holdfast, input) => holdfast.offsite.destinations.show(input.name)),
  'destination.test': define(z.object({ name: z.string().min(1).max(64) }).strict(), (holdfast, input) => holdfast.offsite.destinations.test(input.name)),
  'destination.remove': define(z.object({ name: z.string().min(1).max(64) }).strict(), (holdfast, input) => holdfast.offsite.destinations.remove(input.name)),
} as const;

export type Channel = keyof typeof contract;

// Each channel's facts (changes state, role, long-running) live in main/channels.ts: a channel in
// one and not the other does not compile.
type Missing<A, B> = Exclude<keyof A, keyof B>;
const everyChannelHasFacts: [Missing<typeof contract, typeof CHANNELS>, Missing<typeof CHANNELS, typeof contract>] extends [never, never] ? true : never = true;
void everyChannelHasFacts;
export type ChannelInput<C extends Channel> = z.input<(typeof contract)[C]['input']>;
export type ChannelOutput<C extends Channel> = Awaited<ReturnType<(typeof contract)[C]['handler']>>;

/**
 * An error names the first few problems and counts the rest, and cuts long names: it answers input
 * of any size in a few hundred bytes (listing every problem echoed 1 MB of input back as 24 MB).
 */
const PROBLEMS_SHOWN = 5;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);
const andMore = (total: number, shown: number, noun = '') => (total > shown ? ` and ${(total - shown).toLocaleString('en-US')} more${noun}` : '');

/**
 * A union's "Invalid input" says nothing; when exactly one branch took the input's type (the others
 * failed at their root), that branch's issues say what is wrong, at their full path.
 */
function expandUnions(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union') return [issue];
    const rootMismatch = (inner: z.core.$ZodIssue) => inner.path.length === 0 && (inner.code === 'invalid_type' || inner.code === 'invalid_value');
    const matched = issue.errors.filter((branch) => branch.length > 0 && !branch.some(rootMismatch));
    if (matched.length !== 1) return [issue];
    return expandUnions(matched[0]!.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })));
  });
}

export function describeZodError(error: z.ZodError): string {
  const issues = expandUnions(error.issues);
  const shown = issues.slice(0, PROBLEMS_SHOWN).map((issue) => {
    const path = issue.path.map((part) => clip(String(part), 40)).join('.');
    if (issue.code === 'unrecognized_keys') {
      const names = issue.keys.slice(0, PROBLEMS_SHOWN).map((key) => clip(key, 40));
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${names.join(', ')}${andMore(issue.keys.length, names.length)}`;
    }
    const message = clip(issue.message, 300);
    return path ? `${path}: ${message}` : message;
  });
  const more = andMore(issues.length, shown.length, issues.length - shown.length > 1 ? ' problems' : ' problem');
  return `${shown.join('; ')}${more ? `;${more}` : ''}`;
}

/** Parse, call, and wrap: the only way a shell reaches the engine. Never throws. */
export async function invoke<C extends Channel>(holdfast: Holdfast, channel: C, raw: unknown, context: CallContext = {}): Promise<Envelope<ChannelOutput<C>>> {
  const entry = contract[channel];
  if (!entry) return { ok: false, error: { code: 'BAD_INPUT', message: `Unknown operation "${String(channel)}".` } };
  const parsed = entry.input.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, error: { code: 'BAD_INPUT', message: `Invalid input for ${channel}: ${describeZodError(parsed.error)}`, hint: 'Fix the named field and try again.' } };
  }
  try {
    const handler = entry.handler as (h: Holdfast, i: unknown, c: CallContext) => Promise<ChannelOutput<C>> | ChannelOutput<C>;
    return { ok: true, value: await handler(holdfast, parsed.data, context) };
  } catch (error) {
    if (error instanceof z.ZodError) return { ok: false, error: { code: 'BAD_INPUT', message: describeZodError(error) } };
    return { ok: false, error: error instanceof HoldfastError ? error.toInfo() : toErrorInfo(error) };
  }
}
