// The one typed contract. Every operation is defined once — channel, zod input schema, handler — and
// the three shells (CLI, Electron IPC, HTTP) only parse input with the schema, call the handler and
// return the envelope. Adding an operation means adding one entry here.
import { z } from 'zod';
import type { CHANNELS } from './channels.ts';
import type { BackupProgress } from './core/backup/backup.ts';
import { BackupOptionsSchema } from './core/backup/options.ts';
import { SCHEDULE_TYPES } from './core/schedule/cron.ts';
import { HoldfastError, toErrorInfo, type ErrorInfo } from './core/model/errors.ts';
import type { Holdfast } from './core/holdfast.ts';
import { NewProfileSchema, ProfileChangesSchema, ProfileNameSchema } from './core/profiles/profile-schema.ts';
import { ROLES, UserNameSchema } from './core/users/users.ts';
import { identityFileText, listKeys } from './core/encryption/key-list.ts';
import { join } from 'node:path';
import { settingsView } from './core/config/settings-view.ts';
import { readLog } from './core/log/read-log.ts';
import { ChannelNameSchema, NewChannelSchema } from './core/notify/app-channels.ts';
import { addNotifyChannel, removeNotifyChannel, testNotifyChannel } from './core/notify/operations.ts';
import { DestinationNameSchema, DestinationSpecSchema } from './core/storage/destination-settings.ts';

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
  'profile.remove': define(z.object({ name: ProfileNameSchema, backups: z.enum(['keep', 'delete']).default('keep') }).strict(), (holdfast, input) => holdfast.removeProfile(input.name, input.backups)),
  'profile.import': define(
    z
      .object({ pgpass: z.union([z.literal(true), z.string().min(1)]).optional(), serviceFile: z.union([z.literal(true), z.string().min(1)]).optional() })
      .strict()
      .refine((input) => input.pgpass !== undefined || input.serviceFile !== undefined, 'give --pgpass and/or --service-file'),
    (holdfast, input) => holdfast.importProfiles(input),
  ),
  // copyTo: named destinations the sealed backup is copied to (read back and compared); a failed copy leaves the backup completed.
  'backup.create': define(z.object({ profile: ProfileNameSchema, options: BackupOptionsSchema, copyTo: z.array(z.string().min(1).max(64)).max(16).default([]) }).strict(), (holdfast, input, context) =>
    holdfast.backup(input.profile, input.options, {
      copyTo: input.copyTo,
      ...(context.signal ? { signal: context.signal } : {}),
      onProgress: (progress) => context.onProgress?.({ operation: 'backup', progress }),
    }),
  ),
  // fields: 'summary' leaves out each backup's tables, row counts, options (but for their scope), roles file and files
  // (backup.show answers those for one backup); 'full' is what the CLI's --json and the REST API show.
  'backup.list': define(z.object({ profile: ProfileNameSchema.optional(), all: z.boolean().default(false), fields: z.enum(['full', 'summary']).default('full') }).strict(), (holdfast, input) =>
    holdfast.list({ profile: input.profile, all: input.all, fields: input.fields }),
  ),
  'backup.show': define(z.object({ ref: BackupRef }).strict(), (holdfast, input) => holdfast.showBackup(input.ref)),
  'backup.verify': define(z.object({ ref: BackupRef }).strict(), (holdfast, input) => holdfast.verify(input.ref)),
  // Re-reads every copy of the backup on its named destinations; ok only when each is verified.
  'backup.verifyCopies': define(z.object({ ref: BackupRef }).strict(), async (holdfast, input) => {
    const backup = holdfast.showBackup(input.ref);
    const copies = await holdfast.offsite.recheck(backup);
    return { backup: { id: backup.id, filename: backup.filename }, copies, ok: copies.length > 0 && copies.every((copy) => copy.state === 'verified') };
  }),
  'backup.testRestore': define(
    z
      .object({ ref: BackupRef, major: z.number().int().min(9).max(99).optional(), onProfile: ProfileNameSchema.optional() })
      .strict()
      .refine((input) => !(input.major && input.onProfile), { message: 'choose a scratch server of a major (--on-major) or a designated profile (--on-profile), not both', path: ['onProfile'] }),
    (holdfast, input, context) =>
      holdfast.testRestore(input.ref, {
        ...(context.signal ? { signal: context.signal } : {}),
        ...(input.major ? { major: input.major } : {}),
        ...(input.onProfile ? { onProfile: input.onProfile } : {}),
      }),
  ),
  'backup.restore': define(
    z
      .object({
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
      })
      .strict()
      .refine((input) => !(input.swap && input.clean), { message: 'choose --clean (drop the old database) or --swap (keep it), not both', path: ['swap'] }),
    (holdfast, input, context) =>
      holdfast.restore({
        ...input,
        ...(context.signal ? { signal: context.signal } : {}),
        onProgress: (phase) => context.onProgress?.({ operation: 'restore', phase }),
      }),
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
      })
      .strict()
      .refine((input) => (input.type === 'custom') === (input.cron !== undefined), { message: 'give a cron expression exactly when the type is custom', path: ['cron'] }),
    (holdfast, input) => holdfast.addSchedule(input),
  ),
  'schedule.list': define(z.object({ profile: ProfileNameSchema.optional() }).strict(), (holdfast, input) => holdfast.listSchedules(input.profile)),
  'schedule.pause': define(z.object({ id: ScheduleId }).strict(), (holdfast, input) => holdfast.setScheduleEnabled(input.id, false)),
  'schedule.resume': define(z.object({ id: ScheduleId }).strict(), (holdfast, input) => holdfast.setScheduleEnabled(input.id, true)),
  'schedule.remove': define(z.object({ id: ScheduleId }).strict(), (holdfast, input) => holdfast.removeSchedule(input.id)),
  // Who runs the schedules (their heartbeats), which scheduled profiles' passwords they cannot read, or that nothing runs them.
  'schedule.hosts': define(z.object({}).strict(), (holdfast) => holdfast.schedulingStatus()),
  'audit.list': define(z.object({ limit: z.number().int().min(1).max(10_000).default(100) }).strict(), (holdfast, input) => holdfast.catalogue.auditEntries(input.limit)),
  'backup.cleanup': define(z.object({ profile: ProfileNameSchema.optional(), policy: z.string().min(1).max(64).optional(), dryRun: z.boolean().default(false) }).strict(), (holdfast, input) =>
    holdfast.cleanup(input),
  ),
  'retention.preview': define(z.object({ policy: z.string().min(1).max(64), profile: ProfileNameSchema.optional() }).strict(), (holdfast, input) => holdfast.retentionPreview(input)),
  'backup.stats': define(z.object({}).strict(), (holdfast) => holdfast.stats()),
  'backup.health': define(z.object({}).strict(), (holdfast) => holdfast.health()),
  // Pinned: kept whatever the retention policy.
  'backup.pin': define(z.object({ ref: BackupRef, pinned: z.boolean() }).strict(), (holdfast, input) => holdfast.pinBackup(input.ref, input.pinned)),
  'backup.delete': define(z.object({ ref: BackupRef, confirm: z.string().max(255) }).strict(), (holdfast, input) => holdfast.deleteBackup(input.ref, input.confirm)),
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
  'backup.adopt': define(z.object({ dir: z.string().min(1) }).strict(), (holdfast, input) => holdfast.adopt(input.dir)),
  'backup.running': define(z.object({}).strict(), (holdfast) => holdfast.runningBackups()),
  // API users of holdfast serve; add and rotate answer the token, the only time it is shown.
  'user.add': define(z.object({ name: UserNameSchema, role: z.enum(ROLES) }).strict(), (holdfast, input) => holdfast.addUser(input.name, input.role)),
  'user.list': define(z.object({}).strict(), (holdfast) => holdfast.listUsers()),
  'user.remove': define(z.object({ name: ExistingUserName }).strict(), (holdfast, input) => holdfast.removeUser(input.name)),
  'user.rotate': define(z.object({ name: ExistingUserName }).strict(), (holdfast, input) => holdfast.rotateUserToken(input.name)),
  // age identities for encrypted backups (BACKUP_ENCRYPTION_KEY): the secret goes to the keychain and comes back out only by export.
  'key.generate': define(z.object({ name: KeyName.optional() }).strict(), (holdfast, input) => holdfast.keyring.generate(input.name)),
  'key.import': define(z.object({ identity: IdentityText, name: KeyName.optional() }).strict(), (holdfast, input) => holdfast.keyring.import(input.identity, input.name)),
  'key.export': define(z.object({ name: KeyName }).strict(), async (holdfast, input) => {
    const { entry, identity } = await holdfast.keyring.export(input.name);
    return { ...entry, identityFile: identityFileText(entry, identity) };
  }),
  'key.list': define(z.object({}).strict(), (holdfast) => listKeys(holdfast.keyring, holdfast.catalogue.listBackups({}))),
  // Named storage destinations; a secret access key crosses the contract only on its way to the secret store.
  'destination.add': define(z.object({ name: DestinationNameSchema, spec: DestinationSpecSchema, secretAccessKey: Password.optional() }).strict(), (holdfast, input) =>
    holdfast.offsite.destinations.add(input),
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

export function describeZodError(error: z.ZodError): string {
  const shown = error.issues.slice(0, PROBLEMS_SHOWN).map((issue) => {
    const path = issue.path.map((part) => clip(String(part), 40)).join('.');
    if (issue.code === 'unrecognized_keys') {
      const names = issue.keys.slice(0, PROBLEMS_SHOWN).map((key) => clip(key, 40));
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${names.join(', ')}${andMore(issue.keys.length, names.length)}`;
    }
    const message = clip(issue.message, 300);
    return path ? `${path}: ${message}` : message;
  });
  const more = andMore(error.issues.length, shown.length, error.issues.length - shown.length > 1 ? ' problems' : ' problem');
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
