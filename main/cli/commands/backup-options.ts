// The pg_dump choices `holdfast backup` and `holdfast schedule add` share: their flags, and how the
// flags become the contract's backup options (BackupOptionsSchema parses them).
import { Option, type Command } from 'commander';
import { DUMP_FORMATS, parseCompression } from '../../core/backup/options.ts';
import { collect, integer } from '../runner.ts';

export const backupOptionFlags = (command: Command) =>
  command
    .addOption(new Option('--format <format>', 'dump format').choices([...DUMP_FORMATS]).default('custom'))
    .option('--jobs <n>', 'parallel jobs (directory format)', integer('--jobs'))
    .option('--compress <method>', 'gzip[:1-9] (default), lz4[:level], zstd[:level] or none')
    .option('--schema-only', 'only the schema')
    .option('--data-only', 'only the data')
    .option('--table <pattern>', 'only tables matching (repeatable)', collect, [])
    .option('--exclude-table <pattern>', 'skip tables matching (repeatable)', collect, [])
    .option('--schema <pattern>', 'only schemas matching (repeatable)', collect, [])
    .option('--exclude-schema <pattern>', 'skip schemas matching (repeatable)', collect, [])
    .option('--suffix <suffix>', 'added to the file name, e.g. daily or manual');

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
  return backupOptions;
}
