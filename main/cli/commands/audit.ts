// `holdfast audit`: the audit log, newest first.
import type { Command } from 'commander';
import { integer, type CommandContext } from '../runner.ts';

export function auditCommand(program: Command, { run }: CommandContext): void {
  program
    .command('audit')
    .description('The audit log: who did what, when')
    .option('--limit <n>', 'entries to show (newest first)', integer('--limit'), 100)
    .option('--json', 'print JSON')
    .action(async (options: { limit: number; json?: boolean }) => {
      await run(
        'audit.list',
        { limit: options.limit },
        Boolean(options.json),
        (entries) => entries.map((e) => `${e.at}  ${e.actor}  ${e.action}  ${e.target ?? ''}${e.detail ? `  ${JSON.stringify(e.detail)}` : ''}`).join('\n') || 'The audit log is empty.',
      );
    });
}
