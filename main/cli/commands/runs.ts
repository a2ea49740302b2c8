// `holdfast runs log <id>`: what a run's client tools wrote to stderr (pg_dump and pg_dumpall for a
// backup, pg_restore or psql for a restore or a drill), kept with the run by the engine, scrubbed
// and bounded. A backup's id finds the run that made it.
import type { Command } from 'commander';
import { MAX_TOOL_OUTPUT } from '../../core/process/tool-output.ts';
import type { CommandContext } from '../runner.ts';

export function runsCommands(program: Command, { run }: CommandContext): void {
  const runs = program.command('runs').description('Runs of backups, restores and drills: what their tools said');
  runs
    .command('log <id>')
    .description("Print the kept stderr of a run's pg_dump, pg_restore or psql (a run's id, or a backup's for the run that made it)")
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      await run(
        'run.toolOutput',
        { id },
        Boolean(options.json),
        (output) =>
          output
            ? `${output.truncated ? `(earlier lines dropped: a run keeps the last ${MAX_TOOL_OUTPUT / 1024} KiB)\n` : ''}${output.text.trimEnd()}`
            : `Run ${id}: its tools wrote nothing to stderr (or the run kept none).`,
        undefined,
        { linesOfItsOwn: true },
      );
    });
}
