// `holdfast backup <profile>`: one backup now, with progress on stderr.
import type { Command } from 'commander';
import { formatBackupOrSet } from '../format-sets.ts';
import { collect, type CommandContext } from '../runner.ts';
import { backupOptionFlags, backupOptionsFrom } from './backup-options.ts';

export function backupCommand(program: Command, { run }: CommandContext): void {
  backupOptionFlags(program.command('backup <profile>').description('Back up a profile now'))
    .option(
      '--copy-to <destination>',
      "copy the sealed backup to this named destination, read it back and compare it (repeatable; overrides the profile's default destinations); a failed copy leaves the backup completed",
      collect,
    )
    .option('--json', 'print the backup metadata as JSON')
    .action(async (name: string, options: Record<string, unknown>) => {
      await run(
        'backup.take',
        { profile: name, options: backupOptionsFrom(options), ...(options.copyTo ? { copyTo: options.copyTo } : {}) },
        Boolean(options.json),
        formatBackupOrSet,
        (taken) => 'kind' in taken && taken.status !== 'completed',
        { helpersYield: true },
      );
    });
}
