// `holdfast list`: the catalogue's backups (and, with --all, the attempts that made none).
import type { Command } from 'commander';
import { formatListWithSets } from '../format-sets.ts';
import type { CommandContext } from '../runner.ts';

export function listCommand(program: Command, { run }: CommandContext): void {
  program
    .command('list [profile]')
    .description('List backups (newest last)')
    .option('--all', 'also list failed, interrupted and running attempts')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: { all?: boolean; json?: boolean }) => {
      await run('set.list', { ...(name ? { profile: name } : {}), all: Boolean(options.all) }, Boolean(options.json), formatListWithSets);
    });
}
