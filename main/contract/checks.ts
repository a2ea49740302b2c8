// The contract's checks room. Proving a backup: verify (and its copies), and restore drills of a backup or a set.
// main/contract.ts joins the rooms into the one contract.
import * as z from 'zod';
import { lazySchema } from '../core/model/lazy-schema.ts';
import { HoldfastError } from '../core/model/errors.ts';
import type { SetVerifyResult } from '../core/sets/backup-sets.ts';
import type { SetDrillResult } from '../core/sets/drill-set.ts';
import type { RestoreTestResult } from '../core/drill/test-restore.ts';
import type { VerifyResult } from '../core/verify/verify.ts';
import { ProfileNameSchema } from '../core/profiles/profile-schema.ts';
import type { Holdfast } from '../core/holdfast.ts';
import { define, type CallContext } from './define.ts';
import { BackupRef } from './fields.ts';

const TestRestoreInput = lazySchema(() =>
  z
    .object({ ref: BackupRef, major: z.number().int().min(9).max(99).optional(), onProfile: ProfileNameSchema.optional() })
    .strict()
    .refine((input) => !(input.major && input.onProfile), { message: 'choose a scratch server of a major (--on-major) or a designated profile (--on-profile), not both', path: ['onProfile'] }),
);

/** One backup's restore drill: on a scratch server of a major, or on a designated profile. */
function drillBackup(holdfast: Holdfast, input: z.output<typeof TestRestoreInput>, context: CallContext): Promise<RestoreTestResult> {
  return holdfast.testRestore(input.ref, {
    ...(context.signal ? { signal: context.signal } : {}),
    ...(input.major ? { major: input.major } : {}),
    ...(input.onProfile ? { onProfile: input.onProfile } : {}),
  });
}

export const checksChannels = {
  // What `holdfast verify` calls: a backup, or a backup set (every member verified, its manifest and roles file checksummed).
  'backup.check': define(
    () => z.object({ ref: BackupRef }).strict(),
    async (holdfast, input): Promise<VerifyResult | SetVerifyResult> => (holdfast.sets.find(input.ref) ? holdfast.sets.verify(input.ref) : holdfast.verify(input.ref)),
  ),
  'backup.verify': define(
    () => z.object({ ref: BackupRef }).strict(),
    (holdfast, input) => holdfast.verify(input.ref),
  ),
  // Re-reads every copy of the backup on its named destinations; ok only when each was read and verified
  // (a destination that cannot be reached is not ok, though the copy keeps its recorded state).
  'backup.verifyCopies': define(
    () => z.object({ ref: BackupRef }).strict(),
    async (holdfast, input) => {
      const backup = holdfast.showBackup(input.ref);
      const copies = await holdfast.offsite.recheck(backup);
      return { backup: { id: backup.id, filename: backup.filename }, copies, ok: copies.length > 0 && copies.every((copy) => copy.checked === 'verified') };
    },
  ),
  'backup.testRestore': define(() => TestRestoreInput, drillBackup),
  // What `holdfast verify --test-restore` calls: a backup's drill, or a set's (every member into one scratch server).
  'drill.start': define(
    () => TestRestoreInput,
    async (holdfast, input, context): Promise<RestoreTestResult | SetDrillResult> => {
      if (!holdfast.sets.find(input.ref)) return drillBackup(holdfast, input, context);
      if (input.onProfile) throw new HoldfastError('BAD_INPUT', 'A backup set is drilled on a scratch server of its own; --on-profile applies to one backup.', 'Leave out --on-profile.');
      return holdfast.sets.testRestore(input.ref, { ...(input.major ? { major: input.major } : {}), ...(context.signal ? { signal: context.signal } : {}) });
    },
  ),
} as const;
