// The REST API's shapes, once: request schemas validate what arrives (unknown fields are refused by
// name), response schemas document what leaves, and /api/openapi.json is generated from both.
// Names follow the specification (includeSchema, specificTables, backupFilename, dropExisting, …).
import * as z from 'zod';
import { lazySchema } from '../../core/model/lazy-schema.ts';
import { EncryptToSchema } from '../../core/encryption/encrypt-to.ts';
import { DUMP_FORMATS, MAX_PATTERNS, SUFFIX_PATTERN } from '../../core/backup/options.ts';
import { COMPRESSION_SOURCES } from '../../core/schedule/schedule-output.ts';
import { BackupMetadataSchema as BackupRecordSchema } from '../../core/model/backup-metadata.ts';
import { ProfileNameSchema } from '../../core/profiles/profile-schema.ts';
import { ROLES } from '../../core/users/users.ts';
import { DATABASE_PROPERTIES, DATABASE_PROPERTY_SOURCES } from '../../core/restore/database-properties.ts';
import { DETACHED_CHANNELS, OPERATION_STATES } from '../operations.ts';
import type { ChannelOutput } from '../../contract.ts';

// Eager: a description is keyed by the schema object, which a lazy wrapper is not (lazy-schema.ts).
const Timestamp = z.string().describe('ISO 8601 time');
const TablePattern = lazySchema(() =>
  z
    .string()
    .min(1)
    .max(512)
    .refine((value) => !value.includes('\0'), 'a pattern cannot contain NUL'),
);
const DatabaseName = lazySchema(() =>
  z
    .string()
    .min(1)
    .refine((name) => Buffer.byteLength(name) <= 63, 'a database name is at most 63 bytes'),
);

// --- requests -------------------------------------------------------------------------------------

export const BACKUP_LIST_STATUSES = ['completed', 'missing'] as const;

export const ListQuery = lazySchema(() =>
  z
    .object({
      profile: ProfileNameSchema.optional().describe("only this profile's backups"),
      status: z.enum(BACKUP_LIST_STATUSES).optional().describe('completed: the file is there; missing: catalogued, but the file is gone'),
      since: z
        .union([z.iso.datetime({ offset: true }), z.iso.date()])
        .optional()
        .describe('only backups taken at or after this time (ISO 8601)'),
      limit: z.coerce.number().int().min(1).max(1000).default(100).describe('page size (newest first)'),
      offset: z.coerce.number().int().min(0).default(0).describe('backups to skip'),
    })
    .strict(),
);

export const CreateBody = lazySchema(() =>
  z
    .object({
      profile: ProfileNameSchema.optional().describe('which profile to back up; may be left out when exactly one profile exists'),
      includeSchema: z.boolean().default(true),
      includeData: z.boolean().default(true),
      specificTables: z.array(TablePattern).max(MAX_PATTERNS).default([]).describe('pg_dump --table patterns; empty means every table'),
      customSuffix: z.string().regex(SUFFIX_PATTERN, 'a suffix is 1–40 letters, digits, "_" or "-", starting with a letter or digit (it becomes part of the file name)').optional(),
      format: z.enum(DUMP_FORMATS).optional().describe('pg_dump format; default custom'),
      encryptTo: EncryptToSchema.optional().describe(
        'age recipients (age1…) and key names to encrypt this backup to, or "none" for no encryption; left out, the profile\'s choice, then BACKUP_ENCRYPTION_KEY, decides',
      ),
    })
    .strict()
    .refine((body) => body.includeSchema || body.includeData, { message: 'includeSchema and includeData cannot both be false', path: ['includeData'] }),
);

export const RestoreBody = lazySchema(() =>
  z
    .object({
      backupFilename: z.string().min(1).max(255).describe('a filename from GET /api/backup/list'),
      targetProfile: ProfileNameSchema.optional().describe('default: the profile the backup was taken from'),
      targetDatabase: DatabaseName.optional().describe("default: the target profile's database; created if it does not exist"),
      dropExisting: z.boolean().default(false).describe('replace a database that has tables (restored beside it, then swapped in)'),
      dryRun: z.boolean().default(false).describe('check everything and answer the plan; change nothing'),
      confirm: z.string().max(200).optional().describe('with dropExisting (not a dry run): the target database name, or profile/database for a profile tagged production'),
      terminateConnections: z.boolean().default(false).describe('end other sessions on the database being replaced'),
    })
    .strict(),
);

export const VerifyParams = lazySchema(() => z.object({ filename: z.string().min(1).max(255).describe('a backup filename from the catalogue') }).strict());

export const VerifyQuery = lazySchema(() =>
  z
    .object({
      testRestore: z.enum(['true', 'false']).optional().describe('true: also restore it into a scratch server and compare every table'),
      onMajor: z.coerce.number().int().min(9).max(99).optional().describe('with testRestore: a scratch server of this PostgreSQL major'),
    })
    .strict(),
);

export const EmptyBody = lazySchema(() => z.object({}).strict());

export const ImportBody = lazySchema(() =>
  z
    .object({
      file: z.string().min(1).max(4096).describe("the dump on the server's host: a file (custom, tar, plain, plain.gz) or a directory-format dump; copied into BACKUP_DIR, never moved"),
      profile: ProfileNameSchema.describe('the profile it is listed under and restored to by default'),
    })
    .strict(),
);

export const PinBody = lazySchema(() => z.object({ pinned: z.boolean().default(true).describe('false unpins it: the retention policy decides again') }).strict());

export const LoginBody = lazySchema(() => z.object({ token: z.string().min(1).max(512).describe("holdfast serve's printed token or a user's token") }).strict());

// --- responses ------------------------------------------------------------------------------------

/**
 * A backup's record is core's schema (its descriptions document it here); open to fields added
 * later, so a client reading this document keeps working when the record grows.
 */
export const BackupMetadataSchema = lazySchema(() => BackupRecordSchema.loose());

export const BackupPage = lazySchema(() =>
  z.object({
    backups: z.array(BackupMetadataSchema),
    total: z.number().int().describe('backups matching the filters, over all pages'),
    totalSize: z.number().int().describe('bytes, over all pages'),
    limit: z.number().int(),
    offset: z.number().int(),
  }),
);

export const StatsSchema = lazySchema(() =>
  z
    .object({
      totalBackups: z.number().int(),
      importedBackups: z.number().int().describe('of totalBackups, dumps made elsewhere and imported: backups, but no run'),
      totalSize: z.number().int(),
      oldestBackup: Timestamp.nullable(),
      newestBackup: Timestamp.nullable(),
      averageSize: z.number(),
      backupsLast24Hours: z.number().int(),
      backupsLast7Days: z.number().int(),
      compressionUsage: z.number().describe('percent of backups compressed'),
      averageDuration: z.number().describe('seconds'),
      successfulBackups: z.number().int(),
      failedBackups: z.number().int(),
      failedInSets: z.number().int().describe('of failedBackups, members of whole-server sets'),
      missingBackups: z.number().int(),
      rolesFiles: z.object({ count: z.number().int(), bytes: z.number().int() }).describe('roles files (pg_dumpall --globals-only) of the backups and sets on disk, and their bytes: not in totalSize'),
      profiles: z.array(
        z.object({
          profile: z.string(),
          totalBackups: z.number().int(),
          totalSize: z.number().int(),
          newestBackup: Timestamp.nullable(),
          lastRunStatus: z.string().nullable(),
          failedBackups: z.number().int(),
        }),
      ),
    })
    .loose(),
);

export const RunningBackupSchema = lazySchema(() => z.object({ id: z.string(), profile: z.string().nullable(), startedAt: Timestamp }));

const ScheduleHostSchema = lazySchema(() =>
  z
    .object({
      kind: z.enum(['desktop', 'daemon', 'serve']),
      pid: z.number().int(),
      hostName: z.string(),
      label: z.string().describe('e.g. "holdfast daemon (pid 4242 on db1)"'),
      lastTick: Timestamp,
      running: z.boolean(),
      credentialProblems: z
        .array(z.object({ profile: z.string(), ok: z.boolean(), problem: z.string().optional(), hint: z.string().optional() }).loose())
        .describe('profiles whose password this host cannot read'),
    })
    .loose(),
);

// Eager: described as a whole (see Timestamp).
const SchedulingSchema = z
  .object({
    activeSchedules: z.number().int(),
    running: z.array(ScheduleHostSchema).describe('the processes running the schedules now (fresh heartbeat, process alive)'),
    stale: z.array(ScheduleHostSchema).describe('hosts that stopped beating without removing their heartbeat (killed)'),
    warning: z.string().nullable().describe('"nothing is running these schedules: …" when there are active schedules and no host'),
  })
  .describe('who runs the schedules');

export const ScheduleStatusSchema = lazySchema(() =>
  z.object({
    enabled: z.boolean().describe('whether any schedule is active'),
    schedules: z.array(
      z
        .object({
          id: z.string(),
          profile: z.string(),
          type: z.enum(['daily', 'weekly', 'monthly', 'custom']),
          schedule: z.string().describe('cron expression'),
          description: z.string(),
          timeZone: z.string(),
          enabled: z.boolean(),
          lastRun: Timestamp.nullable(),
          nextRun: Timestamp.nullable(),
          status: z.string(),
          copyTo: z.array(z.string()).nullable().describe("the destinations its backups are copied to; null: the profile's default ones"),
          output: z
            .object({ format: z.enum(DUMP_FORMATS), compression: z.string(), compressionFrom: z.enum(COMPRESSION_SOURCES) })
            .describe('its backups\' format and compression ("gzip", "zstd:3", "none"): the schedule\'s own, the default (BACKUP_COMPRESSION), or none for tar'),
        })
        .loose(),
    ),
    runningBackups: z.array(RunningBackupSchema),
    stats: z.object({ totalBackups: z.number().int(), successfulBackups: z.number().int(), failedBackups: z.number().int() }),
    scheduling: SchedulingSchema,
  }),
);

export const HealthSchema = lazySchema(() =>
  z.object({
    status: z.enum(['healthy', 'degraded', 'unhealthy']),
    totalBackups: z.number().int(),
    hasRecentBackup: z.boolean(),
    lastBackup: Timestamp.nullable(),
    timestamp: Timestamp,
    reasons: z
      .array(z.object({ code: z.string(), severity: z.enum(['degraded', 'unhealthy']), message: z.string(), profile: z.string().optional() }))
      .optional()
      .describe('why it is not healthy; left out for requests without a token'),
    freeBytes: z.number().nullable().optional().describe('left out for requests without a token'),
    profiles: z
      .array(z.object({ profile: z.string(), status: z.enum(['healthy', 'degraded', 'unhealthy']) }))
      .optional()
      .describe("each profile's verdict, by the same rule as status (never worse than it); left out for requests without a token"),
    scheduling: SchedulingSchema.optional().describe('who runs the schedules; left out for requests without a token'),
  }),
);

const CheckSchema = lazySchema(() => z.object({ name: z.string(), status: z.enum(['ok', 'failed', 'skipped']), detail: z.string() }));

export const VerifySchema = lazySchema(() =>
  z
    .object({
      id: z.string(),
      filename: z.string(),
      valid: z.boolean(),
      checks: z.array(CheckSchema),
      tables: z
        .array(z.object({ table: z.string(), expected: z.number(), actual: z.number().nullable() }))
        .optional()
        .describe('testRestore: rows per table, manifest vs restored'),
      server: z.string().nullable().optional().describe('testRestore: the scratch server used'),
      durationMs: z.number().optional(),
      error: z.string().nullable().optional(),
    })
    .loose(),
);

export const RestoreSchema = lazySchema(() =>
  z
    .object({
      dryRun: z.boolean(),
      ok: z.boolean(),
      backup: z.object({ id: z.string(), filename: z.string() }),
      target: z.object({ profile: z.string(), host: z.string(), port: z.number(), database: z.string(), exists: z.boolean(), relations: z.number() }),
      client: z.string(),
      actions: z.array(z.string()),
      durationMs: z.number(),
      tables: z.array(z.object({ table: z.string(), expected: z.number(), actual: z.number().nullable() })),
      impact: z
        .object({
          warnings: z.array(z.string()),
          confirmation: z.string().nullable(),
          executedFunctions: z
            .array(z.object({ function: z.string(), usedBy: z.array(z.string()), securityDefiner: z.boolean(), duringRestore: z.boolean() }))
            .nullable()
            .describe("the backup's own functions its restore runs (duringRestore) or installs for later writes; null on a real run"),
          targetRole: z.object({ name: z.string(), superuser: z.boolean(), privileged: z.boolean(), via: z.array(z.string()) }).describe('the role the restore runs as on the target'),
          databaseProperties: z
            .array(
              z.object({
                property: z.enum(DATABASE_PROPERTIES),
                current: z.string().nullable().describe('null: a new database, which has nothing yet'),
                restored: z.string(),
                from: z.enum(DATABASE_PROPERTY_SOURCES),
                changes: z.boolean(),
              }),
            )
            .nullable()
            .describe(
              "a replace restore (clean or swap), or a new database restored from an archive (create): each property of the database itself it gets — from the backup's own entries, else kept from the replaced database (target) or a new database's defaults (default) — and whether it changes; null otherwise",
            ),
        })
        .loose(),
      keptAs: z.string().optional(),
    })
    .loose(),
);

export const SessionSchema = lazySchema(() =>
  z.object({
    name: z.string(),
    role: z.enum(ROLES),
    csrfToken: z.string().optional().describe('send it as X-CSRF-Token with every state-changing request that uses the cookie'),
  }),
);

// --- operations: a backup, verify, drill or restore running in the server ----------------------------

export const OperationParams = lazySchema(() => z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'an operation id is 22 characters (GET /api/operations lists them)') }).strict());

export const OperationsQuery = lazySchema(() => z.object({ mine: z.enum(['true', 'false']).optional().describe('true: only those you started') }).strict());

export const OperationSchema = lazySchema(() =>
  z.object({
    id: z.string(),
    channel: z.enum(DETACHED_CHANNELS),
    input: z.record(z.string(), z.unknown()).describe("the call's input, as the contract read it"),
    startedBy: z.string(),
    startedAt: Timestamp,
    state: z.enum(OPERATION_STATES),
    progress: z.record(z.string(), z.unknown()).nullable().describe('the latest progress event'),
    cancelledBy: z.string().nullable().describe('who asked for it to end, once someone has'),
  }),
);

export const OperationList = lazySchema(() => z.array(OperationSchema));

// --- what the response schemas document, checked against what the engine answers ------------------

/**
 * The REST responses above document records the engine defines (stats, health, verify, restore,
 * schedules) and restate their fields for the OpenAPI document. Until those records are zod schemas
 * in core, as the backup's is, this fails to compile when a record drops, renames or retypes a field
 * its response schema documents (a field added to a record alone passes: the schemas are open).
 */
type Documents<Record, Schema extends z.ZodType> = [Record] extends [Named<z.output<Schema>>] ? true : false;
/** A schema's output without the index signatures `.loose()` adds, which an interface never satisfies. */
type Named<T> = T extends ReadonlyArray<infer Item> ? Named<Item>[] : T extends object ? { [K in keyof T as string extends K ? never : K]: Named<T[K]> } : T;
const responsesDocumentTheirRecords: {
  backup: Documents<ChannelOutput<'backup.create'>, typeof BackupMetadataSchema>;
  stats: Documents<ChannelOutput<'backup.stats'>, typeof StatsSchema>;
  health: Documents<ChannelOutput<'backup.health'>, typeof HealthSchema>;
  verify: Documents<ChannelOutput<'backup.verify'>, typeof VerifySchema>;
  /** The verify route adds valid (the drill's ok) to a drill's result. */
  drill: Documents<ChannelOutput<'backup.testRestore'> & { valid: boolean }, typeof VerifySchema>;
  restore: Documents<ChannelOutput<'backup.restore'>, typeof RestoreSchema>;
  schedule: Documents<ChannelOutput<'schedule.list'>[number], typeof ScheduleStatusSchema.shape.schedules.element>;
  running: Documents<ChannelOutput<'backup.running'>[number], typeof RunningBackupSchema>;
} = { backup: true, stats: true, health: true, verify: true, drill: true, restore: true, schedule: true, running: true };
void responsesDocumentTheirRecords;
