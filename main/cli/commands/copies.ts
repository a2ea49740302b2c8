// `holdfast copies retry [backup]`: upload again every offsite copy that does not count (failed,
// missing, or interrupted by a crash), each read back and compared as the first time. Exit 1 when
// one still does not count, so a cron line or a script sees it.
import type { Command } from 'commander';
import { plural } from '../../core/model/human.ts';
import type { CommandContext } from '../runner.ts';

export function copiesCommands(program: Command, { run }: CommandContext): void {
  const copies = program.command('copies').description("A backup's copies on named destinations");
  copies
    .command('retry [backup]')
    .description("Upload again every copy that is not verified (failed, missing, interrupted), or only this backup's")
    .option('--json', 'print JSON')
    .action(async (ref: string | undefined, options: { json?: boolean }) => {
      await run(
        'copies.retry',
        ref === undefined ? {} : { ref },
        Boolean(options.json),
        (report) => {
          if (report.retried.length === 0 && report.skipped.length === 0) return 'Every copy is verified; nothing to retry.';
          const verified = report.retried.filter((entry) => entry.copy.state === 'verified').length;
          return [
            `Retried ${plural(report.retried.length, 'copy', 'copies')}: ${verified} verified.`,
            ...report.retried.map(
              (entry) => `  ${entry.copy.state === 'verified' ? '+' : '-'} ${entry.backup} on ${entry.copy.destination}: ${entry.copy.state}${entry.copy.error ? ` (${entry.copy.error})` : ''}`,
            ),
            ...report.skipped.map((skip) => `  - ${skip.backup} on ${skip.destination}: not retried, ${skip.reason}`),
          ].join('\n');
        },
        (report) => report.skipped.length > 0 || report.retried.some((entry) => entry.copy.state !== 'verified'),
      );
    });
}
