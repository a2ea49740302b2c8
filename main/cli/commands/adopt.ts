// `holdfast adopt <dir>`: catalogue backups found beside their .json sidecars (after a reinstall).
// Exit 1 when a file was refused (damaged, its file missing), so a recovery script sees it.
import type { Command } from 'commander';
import { plural } from '../../core/model/human.ts';
import { refusedFiles } from '../../core/storage/adopt.ts';
import type { CommandContext } from '../runner.ts';

export function adoptCommand(program: Command, { run }: CommandContext): void {
  program
    .command('adopt [dir]')
    .description("Add backups found in a directory, or on a named destination (a lost machine's copies), by their .json sidecars to the catalogue")
    .option('--destination <name>', "adopt the backups on this named destination instead of a directory: each is checked against its sidecar's checksum and restores from there")
    .option('--json', 'print JSON')
    .action(async (dir: string | undefined, options: { json?: boolean; destination?: string }) => {
      await run(
        'backup.adopt',
        { ...(dir === undefined ? {} : { dir }), ...(options.destination === undefined ? {} : { destination: options.destination }) },
        Boolean(options.json),
        (report) => {
          const already = report.skipped.length - refusedFiles(report).length;
          const headline = `Adopted ${plural(report.adopted.length, 'backup')}${already ? `; ${plural(already, 'was', 'were')} already in the catalogue` : ''}.`;
          return [headline, ...report.adopted.map((f) => `  + ${f}`), ...report.skipped.map((s) => `  - ${s.file}: ${s.reason}`)].join('\n');
        },
        // A file that could not be adopted (damaged, its file missing) is what a recovery script must see.
        (report) => refusedFiles(report).length > 0,
      );
    });
}
