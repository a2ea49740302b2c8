// `holdfast import <file> --profile NAME`: a dump made elsewhere, copied into BACKUP_DIR, checked,
// checksummed and catalogued as imported (and pinned). The file named is never moved or changed.
import type { Command } from 'commander';
import { plural } from '../../core/model/human.ts';
import type { CommandContext } from '../runner.ts';

export function importCommand(program: Command, { run }: CommandContext): void {
  program
    .command('import <file>')
    .description('Import a dump made elsewhere (pg_dump custom, tar, directory or plain): copied into the backup directory, checked, catalogued as imported and pinned')
    .requiredOption('--profile <name>', 'the profile it is listed under (and restored to by default)')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { profile: string; json?: boolean }) => {
      await run('backup.import', { file, profile: options.profile }, Boolean(options.json), (backup) =>
        [
          `Imported ${backup.imported?.from ?? file} as ${backup.filename} (${backup.id}), pinned: retention keeps it until you unpin it.`,
          `  ${backup.format}${backup.compression === 'none' ? '' : `, ${backup.compression}`}, ${plural(backup.tables.length, 'table')}, ${plural(backup.size, 'byte')}, ${backup.checksum}`,
          `  made by ${backup.clientVersion} from ${backup.version}`,
          ...(backup.pgRestore ? [`  pg_restore: ${backup.pgRestore.detail}`] : []),
          // The record's own words: what to do instead depends on the format (--no-owner is for archives only).
          `  no roles file: ${backup.globals.note ?? "create the dump's roles on the target before restoring"}`,
        ].join('\n'),
      );
    });
}
