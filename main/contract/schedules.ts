// The contract's schedules room. Schedules, their retention (preview, cleanup) and who runs them.
// main/contract.ts joins the rooms into the one contract.
import * as z from 'zod';
import { BackupOptionsPatchSchema, BackupOptionsSchema } from '../core/backup/options.ts';
import { SCHEDULE_TYPES } from '../core/schedule/cron.ts';
import { ProfileNameSchema } from '../core/profiles/profile-schema.ts';
import { runScheduleNow } from '../core/schedule/run-now.ts';
import { editSchedule } from '../core/schedule/schedules.ts';
import { define } from './define.ts';
import { BackupRef, DestinationNames, ScheduleId } from './fields.ts';

export const schedulesChannels = {
  'schedule.add': define(
    () =>
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
  'schedule.list': define(
    () => z.object({ profile: ProfileNameSchema.optional() }).strict(),
    (holdfast, input) => holdfast.listSchedules(input.profile),
  ),
  'schedule.pause': define(
    () => z.object({ id: ScheduleId }).strict(),
    (holdfast, input) => holdfast.setScheduleEnabled(input.id, false),
  ),
  'schedule.resume': define(
    () => z.object({ id: ScheduleId }).strict(),
    (holdfast, input) => holdfast.setScheduleEnabled(input.id, true),
  ),
  // Changes what a schedule does or when; left-out fields keep their value, retention null is the default policy.
  'schedule.edit': define(
    () =>
      z
        .object({
          id: ScheduleId,
          type: z.enum(SCHEDULE_TYPES).optional(),
          cron: z.string().min(1).max(200).optional(),
          timeZone: z.string().min(1).max(64).optional(),
          // A patch: only the options given change; null clears an optional one.
          options: BackupOptionsPatchSchema.optional(),
          retention: z.string().min(1).max(64).nullable().optional(),
          testRestore: z.boolean().optional(),
          /** Clear the schedule's own encryption choice (options.encryptTo): the profile's, then the default, apply. */
          inheritEncryption: z.literal(true).optional(),
          /** Clear the schedule's own "keep no local copy" choice (options.noLocalCopy): the profile's applies. */
          inheritNoLocalCopy: z.literal(true).optional(),
          // null: back to the profile's default destinations.
          copyTo: DestinationNames.nullable().optional(),
        })
        .strict()
        .refine((input) => input.cron === undefined || input.type === 'custom', { message: 'a cron expression goes with the type custom', path: ['cron'] }),
    (holdfast, { id, ...changes }) => editSchedule(holdfast, id, changes, new Date()),
  ),
  // Runs the schedule's backup (and drill) now, recorded as its last run; the next slot stays.
  'schedule.runNow': define(
    () => z.object({ id: ScheduleId }).strict(),
    (holdfast, input, context) =>
      runScheduleNow(holdfast, input.id, {
        ...(context.signal ? { signal: context.signal } : {}),
        onProgress: (progress) => context.onProgress?.({ operation: 'backup', progress }),
      }),
  ),
  'schedule.remove': define(
    () => z.object({ id: ScheduleId }).strict(),
    (holdfast, input) => holdfast.removeSchedule(input.id),
  ),
  // Who runs the schedules (their heartbeats), which scheduled profiles' passwords they cannot read, or that nothing runs them.
  'schedule.hosts': define(
    () => z.object({}).strict(),
    (holdfast) => holdfast.schedulingStatus(),
  ),
  'backup.cleanup': define(
    () =>
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
    () =>
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
} as const;
