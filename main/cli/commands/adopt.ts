// `holdfast adopt <dir>`: catalogue backups found beside their .json sidecars (after a reinstall).
// Exit 1 when a file was refused (damaged, its file missing), so a recovery script sees it.
import type { Command } from 'commander';
import { refusedFiles } from '../../core/storage/adopt.ts';
import type { CommandContext } from '../runner.ts';

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function adoptCommand(program: Command, { run }: CommandContext): void {
  program
    .command('adopt <dir>')
    .description('Add backups found in a directory (by their .json sidecars) to the catalogue')
    .option('--json', 'print JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      await run(
        'backup.adopt',
        { dir },
        Boolean(options.json),
        (report) => {
          const already = report.skipped.length - refusedFiles(report).length;
          const headline = `Adopted ${plural(report.adopted.length, 'backup')}${already ? `; ${already === 1 ? '1 was' : `${already} were`} already in the catalogue` : ''}.`;
          return [headline, ...report.adopted.map((f) => `  + ${f}`), ...report.skipped.map((s) => `  - ${s.file}: ${s.reason}`)].join('\n');
        },
        // A file that could not be adopted (damaged, its file missing) is what a recovery script must see.
        (report) => refusedFiles(report).length > 0,
      );
    });
}
