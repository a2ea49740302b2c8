// The contract's offsite room. Named destinations and the copies kept on them (retry, per-destination retention).
// main/contract.ts joins the rooms into the one contract.
import * as z from 'zod';
import { ProfileNameSchema } from '../core/profiles/profile-schema.ts';
import { DestinationNameSchema, DestinationSecretSchema, DestinationSpecSchema } from '../core/storage/destination-settings.ts';
import { cleanupCopies, requirePolicyText } from '../core/retention/copy-cleanup.ts';
import { actorName } from '../core/users/acting.ts';
import { define } from './define.ts';
import { BackupRef, Password } from './fields.ts';

export const offsiteChannels = {
  // Uploads again every copy that does not count (failed, missing; a crash's interrupted one), or only one backup's.
  'copies.retry': define(
    () => z.object({ ref: BackupRef.optional() }).strict(),
    (holdfast, input) => holdfast.offsite.retry(input.ref),
  ),
  // Retention per destination: the policy decides over one destination's copies; the newest verified copy of each profile there stays.
  'copies.cleanup': define(
    () =>
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
  // Named storage destinations; a secret (access key, connection string, SAS URL, SSH key or password) crosses the contract only on its way to the secret store.
  'destination.add': define(
    () => z.object({ name: DestinationNameSchema, spec: DestinationSpecSchema, secretAccessKey: Password.optional(), secret: DestinationSecretSchema.optional() }).strict(),
    (holdfast, input) => holdfast.offsite.destinations.add(input),
  ),
  // Settings to change (null removes an optional one), a new secret, or an SFTP host key accepted after it was changed on purpose.
  'destination.edit': define(
    () =>
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
  'destination.list': define(
    () => z.object({}).strict(),
    (holdfast) => holdfast.offsite.destinations.list(),
  ),
  'destination.show': define(
    () => z.object({ name: z.string().min(1).max(64) }).strict(),
    (holdfast, input) => holdfast.offsite.destinations.show(input.name),
  ),
  'destination.test': define(
    () => z.object({ name: z.string().min(1).max(64) }).strict(),
    (holdfast, input) => holdfast.offsite.destinations.test(input.name),
  ),
  'destination.remove': define(
    () => z.object({ name: z.string().min(1).max(64) }).strict(),
    (holdfast, input) => holdfast.offsite.destinations.remove(input.name),
  ),
} as const;
