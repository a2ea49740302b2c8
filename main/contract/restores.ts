// The contract's restores room. Restores of a backup or a set, and settling the ones a crash left mid-swap.
// main/contract.ts joins the rooms into the one contract.
import * as z from 'zod';
import { lazySchema } from '../core/model/lazy-schema.ts';
import { HoldfastError } from '../core/model/errors.ts';
import type { SetRestoreResult } from '../core/sets/restore-set.ts';
import type { RestoreResult } from '../core/restore/restore.ts';
import { ProfileNameSchema } from '../core/profiles/profile-schema.ts';
import { define } from './define.ts';
import { BackupRef } from './fields.ts';

const RestoreFields = lazySchema(() =>
  z.object({
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
  }),
);
const notCleanAndSwap = (input: { swap: boolean; clean: boolean }) => !(input.swap && input.clean);
const CLEAN_OR_SWAP = { message: 'choose --clean (drop the old database) or --swap (keep it), not both', path: ['swap'] };
const RestoreInput = lazySchema(() => RestoreFields.strict().refine(notCleanAndSwap, CLEAN_OR_SWAP));

export const restoresChannels = {
  'backup.restore': define(
    () => RestoreInput,
    (holdfast, input, context) =>
      holdfast.restore({
        ...input,
        ...(context.signal ? { signal: context.signal } : {}),
        onProgress: (phase) => context.onProgress?.({ operation: 'restore', phase }),
      }),
  ),
  // What `holdfast restore` calls: one backup, or a backup set (roles first, then each chosen database; --only picks them).
  'restore.start': define(
    () =>
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
  'restore.recover': define(
    () => z.object({}).strict(),
    (holdfast) => holdfast.recoverRestores(),
  ),
} as const;
