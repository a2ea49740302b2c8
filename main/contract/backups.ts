// The contract's backups room. Backups and whole-server sets: take, list and page, show, pin, delete, adopt, import, and a run's tool output.
// main/contract.ts joins the rooms into the one contract.
import * as z from 'zod';
import { lazySchema } from '../core/model/lazy-schema.ts';
import { BackupOptionsSchema } from '../core/backup/options.ts';
import { HoldfastError } from '../core/model/errors.ts';
import type { TakenBackup } from '../core/backup/take-backup.ts';
import type { BackupSet } from '../core/sets/set-record.ts';
import { nestSets } from '../core/sets/backup-sets.ts';
import type { SetDeleteReport } from '../core/sets/delete-set.ts';
import type { DeleteReport } from '../core/model/reports.ts';
import { ProfileNameSchema } from '../core/profiles/profile-schema.ts';
import { markKeyHere } from '../core/encryption/key-here.ts';
import { BackupPageQuerySchema, selectBackupPage } from '../core/catalogue/backup-page.ts';
import type { BackupPage } from '../core/model/backup-page.ts';
import { backupHooks, define } from './define.ts';
import { BackupRef, DestinationNames } from './fields.ts';

const BackupCreateInput = lazySchema(() => z.object({ profile: ProfileNameSchema, options: BackupOptionsSchema, copyTo: DestinationNames.optional() }).strict());

export const backupsChannels = {
  // copyTo: named destinations the sealed backup is copied to (read back and compared); left out, the profile's
  // default ones (profile.copyTo); [] for none this time. A failed copy leaves the backup completed.
  'backup.create': define(
    () => BackupCreateInput,
    (holdfast, input, context) => {
      if (holdfast.sets.isWholeServer(input.profile)) throw new HoldfastError('BAD_INPUT', `Profile "${input.profile}" backs up the whole server, as a backup set.`, '{{take-set}}.');
      return holdfast.backup(input.profile, input.options, { ...(input.copyTo ? { copyTo: input.copyTo } : {}), ...backupHooks(context) });
    },
  ),
  // What `holdfast backup` calls: one backup, or for a whole-server profile a backup set ({ kind: 'set', status, databases, globals, … }).
  'backup.take': define(
    () => BackupCreateInput,
    async (holdfast, input, context): Promise<TakenBackup | BackupSet> => {
      if (!holdfast.sets.isWholeServer(input.profile)) return holdfast.backup(input.profile, input.options, { ...(input.copyTo ? { copyTo: input.copyTo } : {}), ...backupHooks(context) });
      if ((input.copyTo ?? []).length > 0) throw new HoldfastError('BAD_INPUT', 'Copies of a whole-server backup set to destinations are not supported yet.', 'Leave out --copy-to for this profile.');
      return holdfast.sets.take(input.profile, input.options, backupHooks(context));
    },
  ),
  // Each encrypted backup says whether its key is here (keyHere): "key not here" before a restore is tried.
  'backup.list': define(
    () => z.object({ profile: ProfileNameSchema.optional(), all: z.boolean().default(false), fields: z.enum(['full', 'summary']).default('full') }).strict(),
    (holdfast, input) => markKeyHere(holdfast.keyring, holdfast.list({ profile: input.profile, all: input.all, fields: input.fields })),
  ),
  // One page of that list (summaries and attempts), sorted and filtered in the catalogue: the Backups table
  // asks for the rows it shows, not 100,000 at once. checkingFiles: the start-up file check is still running.
  'backup.page': define(
    () => BackupPageQuerySchema,
    async (holdfast, input): Promise<BackupPage> => {
      const page = selectBackupPage(holdfast.catalogue.db, input);
      // A set's members carry their copies as single backups do (a member's drawer lists them).
      const items = holdfast.offsite.withCopies(page.items).map((item) => ('members' in item ? { ...item, members: holdfast.offsite.withCopies(item.members) } : item));
      return { ...page, items: await markKeyHere(holdfast.keyring, items), offset: input.offset, checkingFiles: !holdfast.fileCheck.done };
    },
  ),
  // The same list with each whole-server backup set as one entry, its members nested under it (`holdfast list`).
  // fields: 'summary' nests summaries (what the Backups table shows; backup.show has the rest), as backup.list does.
  'set.list': define(
    () => z.object({ profile: ProfileNameSchema.optional(), all: z.boolean().default(false), fields: z.enum(['full', 'summary']).default('full') }).strict(),
    (holdfast, input) => markKeyHere(holdfast.keyring, nestSets(holdfast.list({ profile: input.profile, all: input.all, fields: input.fields }), holdfast.sets.list(input.profile))),
  ),
  'set.show': define(
    () => z.object({ ref: BackupRef }).strict(),
    (holdfast, input) => {
      const set = holdfast.sets.require(input.ref);
      return { ...set, members: holdfast.sets.members(set) };
    },
  ),
  // A run's pg_dump/pg_dumpall/pg_restore/psql stderr as kept with it (process/tool-output.ts).
  'run.toolOutput': define(
    () => z.object({ id: BackupRef }).strict(),
    (holdfast, input) => holdfast.toolOutput(input.id),
  ),
  'backup.show': define(
    () => z.object({ ref: BackupRef }).strict(),
    (holdfast, input) => holdfast.showBackup(input.ref),
  ),
  // Pinned: kept whatever the retention policy.
  'backup.pin': define(
    () => z.object({ ref: BackupRef, pinned: z.boolean() }).strict(),
    (holdfast, input) => holdfast.pinBackup(input.ref, input.pinned),
  ),
  // A backup, or a whole-server set deleted whole (confirm: the set's id).
  'backup.delete': define(
    () => z.object({ ref: BackupRef, confirm: z.string().max(255) }).strict(),
    (holdfast, input): Promise<DeleteReport | SetDeleteReport> => (holdfast.sets.find(input.ref) ? holdfast.sets.delete(input.ref, input.confirm) : holdfast.deleteBackup(input.ref, input.confirm)),
  ),
  // dir: a directory on the host; destination: a named destination (the disaster-recovery path). One of the two.
  'backup.adopt': define(
    () =>
      z
        .object({ dir: z.string().min(1).optional(), destination: z.string().min(1).max(64).optional() })
        .strict()
        .refine((input) => (input.dir === undefined) !== (input.destination === undefined), 'give a directory or --destination NAME, not both and not neither'),
    (holdfast, input) => holdfast.adopt(input.destination !== undefined ? { destination: input.destination } : { dir: input.dir! }),
  ),
  // file: a dump on the host (a path, as adopt's dir is); it is copied into BACKUP_DIR, never moved.
  // The call's signal (the CLI's Ctrl-C) cancels it, as a backup's does.
  'backup.import': define(
    () => z.object({ file: z.string().min(1, 'give the path of the dump to import').max(4096), profile: ProfileNameSchema }).strict(),
    (holdfast, input, context) => holdfast.importDump({ ...input, signal: context.signal }),
  ),
  'backup.running': define(
    () => z.object({}).strict(),
    (holdfast) => holdfast.runningBackups(),
  ),
} as const;
