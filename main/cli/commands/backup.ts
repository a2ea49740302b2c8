// `holdfast backup <profile>`: one backup now, with progress on stderr.
import type { Command } from 'commander';
import { formatBackup } from '../format.ts';
import type { CommandContext } from '../runner.ts';
import { backupOptionFlags, backupOptionsFrom } from './backup-options.ts';

export function backupCommand(program: Command, { run }: CommandContext): void {
  backupOptionFlags(program.command('backup <profile>').description('Back up a profile now'))
    .option('--json', 'print the backup metadata as JSON')
    .action(async (name: string, options: Record<string, unknown>) => {
      await run('backup.create', { profile: name, options: backupOptionsFrom(options) }, Boolean(options.json), formatBackup);
    });
}
