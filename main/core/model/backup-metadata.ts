// The record of one backup, stated once: the catalogue stores it, the .json sidecar beside each
// backup carries it (so `holdfast adopt` can re-catalogue after a reinstall), the REST API answers it
// and documents it (the .describe() texts end up in /api/openapi.json), and every shell shows it.
// The TypeScript type is inferred from this schema; the sidecar's and the REST API's schemas are
// derived from it. Field names follow the specification's metadata (filename, timestamp, size,
// compressed, encrypted, checksum, databaseSize, tables, version, duration).
import * as z from 'zod';
import { lazySchema } from './lazy-schema.ts';
import { BackupOptionsSchema, DUMP_FORMATS } from '../backup/options.ts';

// Eager: a description is keyed by the schema object, which a lazy wrapper is not (lazy-schema.ts).
const Timestamp = z.string().describe('ISO 8601 time');

export const BACKUP_STATUSES = ['completed', 'missing', 'deleted'] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

export const GlobalsInfoSchema = lazySchema(() =>
  z.object({
    filename: z.string().nullable().describe('roles and tablespaces, `pg_dumpall --globals-only --no-role-passwords`, beside the backup'),
    checksum: z.string().nullable(),
    note: z.string().nullable().describe('why there is no globals file, when there is none'),
  }),
);
export type GlobalsInfo = z.infer<typeof GlobalsInfoSchema>;

export const BackupLocationSchema = lazySchema(() =>
  z.object({
    destination: z.string().describe("the destination's name; 'local' for BACKUP_DIR"),
    key: z.string().describe("the backup's key, relative to the destination's root"),
  }),
);
export type BackupLocation = z.infer<typeof BackupLocationSchema>;

export const BackupMetadataSchema = lazySchema(() =>
  z.object({
    id: z.string().regex(/^[0-9a-f]{12}$/, 'a backup id is 12 hex characters'),
    filename: z.string().regex(/^backup-[^/\\]+$/, 'a backup file name starts with "backup-" and has no path separators'),
    timestamp: Timestamp.describe('ISO 8601 time the backup started'),
    size: z.number().int().nonnegative().describe('bytes on disk (all files for the directory format)'),
    compressed: z.boolean(),
    encrypted: z.boolean(),
    encryption: z
      .object({
        recipients: z.array(z.string()).describe('the age recipients (public keys, age1…) the backup was encrypted to'),
        fingerprints: z.array(z.string()).describe('sha256 of each recipient, 16 hex'),
        plaintextSize: z.number().int().nonnegative(),
        plaintextChecksum: z
          .string()
          .regex(/^sha256:[0-9a-f]{64}$/)
          .describe('"sha256:<hex>" of the archive before encryption'),
        globalsPlaintextChecksum: z.string().nullable().describe('"sha256:<hex>" of the roles file before encryption'),
      })
      .optional()
      .describe('encrypted backups only: the file is an age file (age-encryption.org/v1); checksum and size are of the stored, encrypted file'),
    checksum: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/, 'a checksum is "sha256:" and 64 hex digits')
      .describe('"sha256:<hex>"; for the directory format, over the sorted per-file list'),
    databaseSize: z.number().describe('bytes'),
    tables: z.array(z.string()).describe('qualified table names in the dump'),
    version: z.string().describe('server version, e.g. "PostgreSQL 15.18"'),
    duration: z.number().describe('milliseconds'),
    profile: z.string(),
    database: z.string().nullable().describe('null: not known (an imported dump that does not say which database it is of)'),
    path: z.string(),
    format: z.enum(DUMP_FORMATS),
    compression: z.string(),
    status: z.enum(BACKUP_STATUSES),
    rowCounts: z.record(z.string(), z.number()).describe("exact rows per table, counted in the dump's own snapshot"),
    serverMajor: z.number(),
    clientVersion: z.string(),
    options: BackupOptionsSchema,
    globals: GlobalsInfoSchema,
    files: z
      .array(z.object({ path: z.string(), size: z.number(), sha256: z.string() }))
      .optional()
      .describe('directory format: the checksum of every file'),
    // contentChecked false: only the stored file's checksum could be checked (an encrypted backup whose key is not on this machine).
    lastVerified: z
      .object({ at: Timestamp, valid: z.boolean(), contentChecked: z.literal(false).optional() })
      .nullable()
      .optional(),
    restoreTest: z
      .object({ status: z.enum(['passed', 'failed']), at: Timestamp })
      .nullable()
      .optional()
      .describe('the latest restore drill (holdfast verify --test-restore)'),
    pinned: z.boolean().optional().describe('kept whatever the retention policy (holdfast pin); a catalogue column, never in the sidecar'),
    location: BackupLocationSchema.optional().describe('where the backup is stored'),
    imported: z
      .object({
        from: z.string().describe('the path it was copied from (holdfast import)'),
        at: Timestamp.describe('when it was imported'),
        pgRestore: z
          .enum(['ok', 'skipped', 'not-applicable'])
          .describe('whether pg_restore --list read it at import: skipped when no pg_restore as new as its pg_dump was installed; not-applicable for plain scripts'),
      })
      .optional()
      .describe('a dump made elsewhere and imported (holdfast import): pinned when it enters the catalogue'),
    databaseSettings: z
      .array(
        z.object({
          role: z.string().nullable().describe('null: for every session'),
          name: z.string(),
          values: z.array(z.string()).describe("one value, or a list setting's elements; empty when withheld"),
          withheld: z.literal(true).optional().describe('encrypted backups: the value is not recorded, since this record is in the clear and a setting may be a secret (app.jwt_secret)'),
        }),
      )
      .optional()
      .describe(
        "plain backups: the database's own settings when it was taken (ALTER DATABASE … SET, ALTER ROLE … IN DATABASE … SET), which a plain dump cannot carry; a restore names each one it leaves out. Absent: not recorded (imported, or taken before Holdfast recorded them)",
      ),
    set: z.string().optional().describe("a whole-server backup set's member: the set's id (its roles file is the set's)"),
  }),
);
export type BackupMetadata = z.infer<typeof BackupMetadataSchema>;

/**
 * A `.json` sidecar as `holdfast adopt` reads it: a file anyone could have written, so the fields
 * adopt relies on (identity, where the file is and what it must hash to, how to restore it) are
 * checked; the rest comes along as it is, as sidecars from older versions lack some of it.
 */
export const SidecarSchema = lazySchema(() =>
  BackupMetadataSchema.pick({
    id: true,
    filename: true,
    timestamp: true,
    size: true,
    checksum: true,
    format: true,
    profile: true,
    compression: true,
    rowCounts: true,
    clientVersion: true,
    serverMajor: true,
    globals: true,
  }).loose(),
);
