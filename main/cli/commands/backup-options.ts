// The pg_dump choices `holdfast backup` and `holdfast schedule add` share: their flags, and how the
// flags become the contract's backup options (BackupOptionsSchema parses them).
import { Option, type Command } from 'commander';
import { DUMP_FORMATS, parseCompression } from '../../core/backup/options.ts';
import { HoldfastError } from '../../core/model/errors.ts';
import { collect, integer } from '../runner.ts';

/** --encrypt-to and --no-encrypt (a backup's, a schedule's or a profile's): recipients and key names, "none", or undefined (the next level decides). */
export function encryptToFrom(options: Record<string, unknown>): string[] | 'none' | undefined {
  const to = options.encryptTo as string[] | undefined;
  if (options.encrypt === false && to) throw new HoldfastError('BAD_INPUT', '--encrypt-to and --no-encrypt contradict each other.', 'Give one of them.');
  if (options.encrypt === false) return 'none';
  return to;
}

export const backupOptionFlags = (command: Command) =>
  command
    .addOption(new Option('--format <format>', 'dump format').choices([...DUMP_FORMATS]).default('custom'))
    .option('--jobs <n>', 'parallel jobs (directory format)', integer('--jobs'))
    .option('--compress <method>', 'gzip[:1-9] (default), lz4[:level], zstd[:level] or none; or a level alone as pg_dump takes it (0 = none, 1-9 = gzip)')
    .option('--schema-only', 'only the schema')
    .option('--data-only', 'only the data')
    .option('--table <pattern>', 'only tables matching (repeatable)', collect, [])
    .option('--exclude-table <pattern>', 'skip tables matching (repeatable)', collect, [])
    .option('--schema <pattern>', 'only schemas matching (repeatable)', collect, [])
    .option('--exclude-schema <pattern>', 'skip schemas matching (repeatable)', collect, [])
    .option('--suffix <suffix>', 'added to the file name, e.g. daily or manual')
    .option(
      '--encrypt-to <recipient-or-key>',
      "encrypt to this age recipient (age1…) or key name, instead of the profile's or BACKUP_ENCRYPTION_KEY (repeatable; a passphrase key only alone)",
      collect,
    )
    .option('--no-encrypt', 'do not encrypt, whatever the profile or BACKUP_ENCRYPTION_KEY says')
    .option('--no-local-copy', 'keep the backup on its destinations only: the local files are removed once every copy was read back and matched (kept, and said so, when one was not)');

export function backupOptionsFrom(options: Record<string, unknown>): Record<string, unknown> {
  const backupOptions: Record<string, unknown> = {
    format: options.format,
    schemaOnly: Boolean(options.schemaOnly),
    dataOnly: Boolean(options.dataOnly),
    tables: options.table,
    excludeTables: options.excludeTable,
    schemas: options.schema,
    excludeSchemas: options.excludeSchema,
  };
  if (options.jobs !== undefined) backupOptions.jobs = options.jobs;
  if (typeof options.compress === 'string') backupOptions.compression = parseCompression(options.compress);
  if (typeof options.suffix === 'string') backupOptions.suffix = options.suffix;
  const encryptTo = encryptToFrom(options);
  if (encryptTo !== undefined) backupOptions.encryptTo = encryptTo;
  // commander's --no-local-copy sets localCopy false; left out, the profile decides.
  if (options.localCopy === false) backupOptions.noLocalCopy = true;
  return backupOptions;
}
