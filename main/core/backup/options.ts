// What a backup may ask for, parsed once with zod, and how it becomes a pg_dump argument array.
import * as z from 'zod';
import { lazySchema } from '../model/lazy-schema.ts';
import { HoldfastError } from '../model/errors.ts';
import { EncryptToSchema } from '../encryption/encrypt-to.ts';

export const DUMP_FORMATS = ['custom', 'plain', 'directory', 'tar'] as const;
export type DumpFormat = (typeof DUMP_FORMATS)[number];
export const COMPRESSION_METHODS = ['gzip', 'lz4', 'zstd', 'none'] as const;
export type CompressionMethod = (typeof COMPRESSION_METHODS)[number];

/** Safe inside a file name: no separators, no "..", cannot look like an option. */
export const SUFFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

const pattern = lazySchema(() =>
  z
    .string()
    .min(1, 'a pattern cannot be empty')
    .max(512)
    .refine((value) => !value.includes('\0'), 'a pattern cannot contain NUL'),
);
/** Table or schema patterns one list may hold: a longer list is refused whole, not with a problem per entry. */
export const MAX_PATTERNS = 1000;
const patterns = lazySchema(() => z.array(pattern).max(MAX_PATTERNS));

export const CompressionSchema = lazySchema(() =>
  z.object({
    method: z.enum(COMPRESSION_METHODS),
    level: z.number().int().min(1).max(22).optional(),
  }),
);
export type Compression = z.infer<typeof CompressionSchema>;

export const BackupOptionsSchema = lazySchema(() =>
  z
    .object({
      format: z.enum(DUMP_FORMATS).default('custom'),
      jobs: z.number().int().min(1).max(64).optional(),
      compression: CompressionSchema.optional(),
      schemaOnly: z.boolean().default(false),
      dataOnly: z.boolean().default(false),
      tables: patterns.default([]),
      excludeTables: patterns.default([]),
      schemas: patterns.default([]),
      excludeSchemas: patterns.default([]),
      suffix: z.string().regex(SUFFIX_PATTERN, 'a suffix is 1–40 letters, digits, "_" or "-", starting with a letter or digit (it becomes part of the file name)').optional(),
      /** Who this backup is encrypted to ("none": not encrypted); absent, the profile or BACKUP_ENCRYPTION_KEY decides. */
      encryptTo: EncryptToSchema.optional(),
      /**
       * Kept on its destinations only: the local files go once every named copy was read back and matched
       * (kept, and said so, when one did not). Absent, the profile decides; a storage choice, not pg_dump's.
       */
      noLocalCopy: z.boolean().optional(),
    })
    .strict()
    .superRefine((options, context) => {
      if (options.schemaOnly && options.dataOnly) {
        context.addIssue({ code: 'custom', path: ['dataOnly'], message: '--schema-only and --data-only cannot be combined' });
      }
      if (options.jobs !== undefined && options.jobs > 1 && options.format !== 'directory') {
        context.addIssue({ code: 'custom', path: ['jobs'], message: 'parallel jobs need --format directory (pg_dump only dumps in parallel to a directory)' });
      }
      const method = options.compression?.method;
      if (options.format === 'tar' && method && method !== 'none') {
        context.addIssue({ code: 'custom', path: ['compression'], message: 'the tar format cannot be compressed by pg_dump; use custom or directory, or --compress none' });
      }
      if (options.format === 'plain' && (method === 'lz4' || method === 'zstd')) {
        context.addIssue({ code: 'custom', path: ['compression'], message: 'plain backups are gzip (.sql.gz) or uncompressed (.sql); use custom or directory for lz4/zstd' });
      }
      if (method === 'gzip' && options.compression?.level !== undefined && options.compression.level > 9) {
        context.addIssue({ code: 'custom', path: ['compression', 'level'], message: 'gzip levels are 1–9' });
      }
    }),
);
export type BackupOptions = z.infer<typeof BackupOptionsSchema>;

/**
 * A change to stored options (a schedule edit): a field left out keeps its value, null clears an
 * optional one. Built from BackupOptionsSchema's own fields, so their rules are stated once; the
 * result of applying it is checked whole again (applyOptionsPatch).
 */
export const BackupOptionsPatchSchema = lazySchema(() => {
  const option = BackupOptionsSchema.shape;
  return z
    .object({
      format: option.format.unwrap().optional(),
      jobs: option.jobs.unwrap().nullable().optional(),
      compression: option.compression.unwrap().nullable().optional(),
      schemaOnly: option.schemaOnly.unwrap().optional(),
      dataOnly: option.dataOnly.unwrap().optional(),
      tables: option.tables.unwrap().optional(),
      excludeTables: option.excludeTables.unwrap().optional(),
      schemas: option.schemas.unwrap().optional(),
      excludeSchemas: option.excludeSchemas.unwrap().optional(),
      suffix: option.suffix.unwrap().nullable().optional(),
      // Cleared by the edit's own inheritEncryption, which says what clearing it means.
      encryptTo: option.encryptTo,
      noLocalCopy: option.noLocalCopy.unwrap().nullable().optional(),
    })
    .strict();
});
export type BackupOptionsPatch = z.infer<typeof BackupOptionsPatchSchema>;

/** The options with the patch applied, checked whole: a combination the patch makes invalid is refused. */
export function applyOptionsPatch(current: BackupOptions, patch: BackupOptionsPatch, clear: ReadonlyArray<keyof BackupOptions> = []): BackupOptions {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  for (const key of clear) delete merged[key];
  const parsed = BackupOptionsSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  throw new HoldfastError(
    'BAD_INPUT',
    `After this change the options contradict each other: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`).join('; ')}.`,
    'Change the options that go together in one edit (e.g. the format with its jobs or compression), or clear one with null.',
  );
}

/** What part of the database a backup holds; "partial" is any table or schema include/exclude filter. */
export type BackupScope = 'full' | 'schema-only' | 'data-only' | 'partial';

/**
 * Schema-only and data-only win over filters: a backup with no rows (or no definitions) at all is
 * the bigger surprise at restore time. Takes flags so the catalogue's summary query, which reads
 * them out of the metadata JSON in SQL, decides the same way as backupScope does for a full record.
 */
export function scopeOf(flags: { schemaOnly: boolean; dataOnly: boolean; filtered: boolean }): BackupScope {
  if (flags.schemaOnly) return 'schema-only';
  if (flags.dataOnly) return 'data-only';
  return flags.filtered ? 'partial' : 'full';
}

/** Partial because sidecars adopted from older versions may lack some options (absent means off). */
export function backupScope(options: Partial<Pick<BackupOptions, 'schemaOnly' | 'dataOnly' | 'tables' | 'excludeTables' | 'schemas' | 'excludeSchemas'>> | undefined): BackupScope {
  const filters = [options?.tables, options?.excludeTables, options?.schemas, options?.excludeSchemas];
  return scopeOf({ schemaOnly: options?.schemaOnly === true, dataOnly: options?.dataOnly === true, filtered: filters.some((list) => (list?.length ?? 0) > 0) });
}

/** "gzip", "gzip:6", "lz4", "zstd:3", "none"; or pg_dump's `-Z` level alone: "0" is none, "1"-"9" gzip at that level. */
export function parseCompression(text: string): Compression {
  const level = /^\d$/.exec(text.trim())?.[0];
  if (level !== undefined) return level === '0' ? { method: 'none' } : { method: 'gzip', level: Number(level) };
  const match = /^(gzip|lz4|zstd|none)(?::(\d{1,2}))?$/.exec(text.trim());
  if (!match || (match[1] === 'none' && match[2] !== undefined)) {
    throw new HoldfastError(
      'BAD_INPUT',
      `--compress "${text}" is not understood.`,
      'Use gzip, gzip:1-9, lz4[:level], zstd[:level], none, or a level alone as pg_dump takes it (0 = none, 1-9 = gzip).',
    );
  }
  const methodLevel = match[2] === undefined ? undefined : Number(match[2]);
  return methodLevel === undefined ? { method: match[1] as CompressionMethod } : { method: match[1] as CompressionMethod, level: methodLevel };
}

/** The compression a backup actually uses: its own, else gzip unless BACKUP_COMPRESSION=false. */
export function effectiveCompression(options: BackupOptions, compressionDefault: boolean): Compression {
  if (options.format === 'tar') return { method: 'none' };
  return options.compression ?? (compressionDefault ? { method: 'gzip' } : { method: 'none' });
}

export function compressionLabel(compression: Compression): string {
  return compression.level === undefined ? compression.method : `${compression.method}:${compression.level}`;
}

export function fileExtension(format: DumpFormat, compression: Compression): string {
  switch (format) {
    case 'custom':
      return 'dump';
    case 'tar':
      return 'tar';
    case 'directory':
      return 'dir';
    case 'plain':
      return compression.method === 'gzip' ? 'sql.gz' : 'sql';
  }
}

const formatFlag: Record<DumpFormat, string> = { custom: 'c', plain: 'p', directory: 'd', tar: 't' };

/**
 * pg_dump's compression flag for a client major: 16+ takes "method:level"; 15 and older only know
 * gzip levels (-Z 0-9), and lz4/zstd need 16.
 */
export function compressionArgs(compression: Compression, clientMajor: number): string[] {
  if (compression.method === 'none') return ['--compress=0'];
  if (clientMajor >= 16) return [`--compress=${compressionLabel(compression)}`];
  if (!compressionMethodsFor(clientMajor).includes(compression.method)) {
    throw new HoldfastError(
      'VERSION_MISMATCH',
      `${compression.method} compression needs pg_dump 16 or newer; the client chosen is ${clientMajor}.`,
      'Use --compress gzip, or install postgresql-client-16 (or newer) / set HOLDFAST_PG_BIN.',
    );
  }
  return [`--compress=${compression.level ?? 6}`];
}

/** The compression methods a pg_dump of this major can write: the one statement of it (the UI's choices come from here, through profile.test). */
export function compressionMethodsFor(clientMajor: number): CompressionMethod[] {
  return clientMajor >= 16 ? [...COMPRESSION_METHODS] : ['gzip', 'none'];
}

/** outputPath undefined: pg_dump writes to its stdout (an encrypted backup's plaintext goes no further than a pipe). */
export function pgDumpArgs(input: {
  options: BackupOptions;
  compression: Compression;
  clientMajor: number;
  /** Where pg_dump writes: a file (or directory), a FIFO (backup/dump-pipe.ts), or its stdout. */
  output: { file: string } | { fifo: string } | 'stdout';
  snapshot: string | undefined;
  dbnameConninfo: string;
}): string[] {
  const { options, output } = input;
  const args = [`--format=${formatFlag[options.format]}`, '--no-password', `--dbname=${input.dbnameConninfo}`];
  if (output !== 'stdout') args.splice(1, 0, `--file=${'file' in output ? output.file : output.fifo}`);
  // pg_dump fsyncs its --file when done, which a FIFO refuses (EINVAL): the dump would fail at its end.
  if (output !== 'stdout' && 'fifo' in output) args.push('--no-sync');
  if (options.format !== 'tar') args.push(...compressionArgs(input.compression, input.clientMajor));
  if (options.format === 'directory' && options.jobs !== undefined) args.push(`--jobs=${options.jobs}`);
  if (input.snapshot) args.push(`--snapshot=${input.snapshot}`);
  if (options.schemaOnly) args.push('--schema-only');
  if (options.dataOnly) args.push('--data-only');
  // "--flag=value" keeps a pattern that starts with "-" from being read as an option.
  for (const value of options.tables) args.push(`--table=${value}`);
  for (const value of options.excludeTables) args.push(`--exclude-table=${value}`);
  for (const value of options.schemas) args.push(`--schema=${value}`);
  for (const value of options.excludeSchemas) args.push(`--exclude-schema=${value}`);
  // A mistyped --table or --schema must fail the backup, not leave it quietly without that table.
  if (options.tables.length > 0 || options.schemas.length > 0) args.push('--strict-names');
  return args;
}
