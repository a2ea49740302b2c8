// What a connection profile may contain. Names are free text for people (a profile called "-fx" is
// fine); wherever a name reaches a file name or a child process it is made safe there.
import * as z from 'zod';
import { lazySchema } from '../model/lazy-schema.ts';
import { EncryptToSchema } from '../encryption/encrypt-to.ts';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export const ProfileNameSchema = lazySchema(() =>
  z
    .string()
    .min(1, 'a profile name cannot be empty')
    .max(64, 'a profile name is at most 64 characters')
    .refine((name) => !/[\u0000-\u001f\u007f/\\]/.test(name), 'a profile name cannot contain "/", "\\" or control characters')
    .refine((name) => name !== '.' && name !== '..', 'a profile name cannot be "." or ".."'),
);

/**
 * A whole-server profile backs up every database it may connect to (templates left out; the
 * maintenance database `postgres` included) as one backup set, with the roles once. Its dbname is
 * only where it connects to list the databases and dump the roles.
 */
export const DatabasePatternSchema = lazySchema(() =>
  z
    .string()
    .min(1, 'a database pattern cannot be empty')
    .max(128)
    .refine((value) => !/[\u0000-\u001f]/.test(value), 'a database pattern cannot contain control characters'),
);
export const WholeServerSchema = lazySchema(() =>
  z
    .object({
      /** Databases left out, by name or a pattern with * and ? (as pg_dumpall's --exclude-database). */
      excludeDatabases: z.array(DatabasePatternSchema).max(100).default([]),
      /** Databases dumped at once; null: one per processor, up to a cap (sets/parallelism.ts). */
      parallelDatabases: z.number().int().min(1, 'parallel databases is 1–16').max(16, 'parallel databases is 1–16').nullable().default(null),
    })
    .strict(),
);
export type WholeServer = z.infer<typeof WholeServerSchema>;

/** Where a whole-server profile connects when no database is named: the maintenance database. */
export const MAINTENANCE_DATABASE = 'postgres';

const filePath = lazySchema(() =>
  z
    .string()
    .min(1)
    .max(4096)
    .refine((path) => !path.includes('\0'), 'a path cannot contain NUL'),
);

/** Every field as given, with no defaults: what an edit may change. Built when a schema below is. */
const profileFields = () => ({
  name: ProfileNameSchema,
  host: z.string().min(1, 'host is required').max(255),
  port: z.number().int().min(1, 'port is 1–65535').max(65535, 'port is 1–65535'),
  user: z.string().min(1, 'user is required').max(63),
  dbname: z
    .string()
    .min(1, 'dbname is required')
    .refine((name) => Buffer.byteLength(name) <= 63, 'a database name is at most 63 bytes'),
  sslmode: z.enum(SSL_MODES).nullable(),
  sslrootcert: filePath.nullable(),
  sslcert: filePath.nullable(),
  sslkey: filePath.nullable(),
  service: z.string().min(1).max(128).nullable(),
  notes: z.string().max(4000).nullable(),
  pgBinDir: filePath.nullable(),
  tags: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'tags are 1–32 letters, digits, "_" or "-"')),
  drillChecks: z.array(z.string().min(1).max(10_000)).max(50),
  copyTo: z.array(z.string().min(1).max(64)).max(16),
  /** Its backups kept on their destinations only (backup/offsite-only.ts); needs copyTo. */
  noLocalCopy: z.boolean(),
  /** libpq's password files may answer for the profile: see Profile.libpqPasswordFiles. */
  libpqPasswordFiles: z.boolean(),
  /** null: one database (dbname); set: the whole server as a backup set. */
  wholeServer: WholeServerSchema.nullable(),
  /** Who this profile's backups are encrypted to ("none": never); null: BACKUP_ENCRYPTION_KEY decides. */
  encryptTo: EncryptToSchema.nullable(),
});

export const NewProfileSchema = lazySchema(() => {
  const fields = profileFields();
  return z
    .object({
      ...fields,
      port: fields.port.default(5432),
      sslmode: fields.sslmode.default(null),
      sslrootcert: fields.sslrootcert.default(null),
      sslcert: fields.sslcert.default(null),
      sslkey: fields.sslkey.default(null),
      service: fields.service.default(null),
      notes: fields.notes.default(null),
      pgBinDir: fields.pgBinDir.default(null),
      tags: fields.tags.default([]),
      drillChecks: fields.drillChecks.default([]),
      copyTo: fields.copyTo.default([]),
      noLocalCopy: fields.noLocalCopy.default(false),
      wholeServer: fields.wholeServer.default(null),
      encryptTo: fields.encryptTo.default(null),
      // Left out, it depends on who adds the profile (profiles.ts addProfile).
      libpqPasswordFiles: fields.libpqPasswordFiles.optional(),
    })
    .strict();
});
export type NewProfileInput = z.input<typeof NewProfileSchema>;

export const ProfileChangesSchema = lazySchema(() => z.object(profileFields()).partial().strict());
