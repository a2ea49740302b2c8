// `holdfast adopt <dir>`: catalogue backups found beside their .json sidecars (after a reinstall).
import type { Command } from 'commander';
import type { CommandContext } from '../runner.ts';

export function adoptCommand(program: Command, { run }: CommandContext): void {
  program
    .command('adopt <dir>')
    .description('Add backups found in a directory (by their .json sidecars) to the catalogue')
    .option('--json', 'print JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      await run('backup.adopt', { dir }, Boolean(options.json), (report) =>
        [`Adopted ${report.adopted.length} backups.`, ...report.adopted.map((f) => `  + ${f}`), ...report.skipped.map((s) => `  - ${s.file}: ${s.reason}`)].join('\n'),
      );
    });
}
