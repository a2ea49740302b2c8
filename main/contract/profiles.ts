// The contract's profiles room. Connection profiles: add, edit, test (saved or as typed), list, remove, import from libpq files.
// main/contract.ts joins the rooms into the one contract.
import * as z from 'zod';
import { NewProfileSchema, ProfileChangesSchema, ProfileNameSchema } from '../core/profiles/profile-schema.ts';
import { listServerDatabases } from '../core/restore/server-databases.ts';
import { define } from './define.ts';
import { Password } from './fields.ts';

export const profilesChannels = {
  'profile.add': define(
    () => NewProfileSchema.extend({ password: Password.optional() }),
    (holdfast, { password, ...input }) => holdfast.addProfile(input, { password }),
  ),
  'profile.edit': define(
    () => z.object({ name: ProfileNameSchema, changes: ProfileChangesSchema, password: Password.optional(), forgetPassword: z.boolean().default(false) }).strict(),
    (holdfast, input) => holdfast.editProfile(input.name, { ...input.changes, password: input.password, forgetPassword: input.forgetPassword }),
  ),
  'profile.list': define(
    () => z.object({}).strict(),
    (holdfast) => holdfast.listProfiles(),
  ),
  'profile.show': define(
    () => z.object({ name: ProfileNameSchema }).strict(),
    (holdfast, input) => holdfast.showProfile(input.name),
  ),
  'profile.test': define(
    () => z.object({ name: ProfileNameSchema }).strict(),
    (holdfast, input) => holdfast.testProfile(input.name),
  ),
  // The add/edit form's "Test connection": the connection as typed, the typed password used once, nothing saved.
  'profile.testDraft': define(
    () => z.object({ profile: NewProfileSchema, password: Password.optional(), editing: ProfileNameSchema.optional() }).strict(),
    (holdfast, input) => holdfast.testDraftConnection({ draft: input.profile, password: input.password, editing: input.editing }),
  ),
  // The databases on the profile's server: where a restore may go (the wizard's target list).
  'profile.databases': define(
    () => z.object({ name: ProfileNameSchema }).strict(),
    (holdfast, input) => listServerDatabases(holdfast, holdfast.showProfile(input.name)),
  ),
  'profile.remove': define(
    () => z.object({ name: ProfileNameSchema, backups: z.enum(['keep', 'delete']).default('keep') }).strict(),
    (holdfast, input) => holdfast.removeProfile(input.name, input.backups),
  ),
  'profile.import': define(
    () =>
      z
        .object({ pgpass: z.union([z.literal(true), z.string().min(1)]).optional(), serviceFile: z.union([z.literal(true), z.string().min(1)]).optional() })
        .strict()
        .refine((input) => input.pgpass !== undefined || input.serviceFile !== undefined, 'give --pgpass and/or --service-file'),
    (holdfast, input) => holdfast.importProfiles(input),
  ),
} as const;
