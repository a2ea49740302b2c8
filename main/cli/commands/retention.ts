// `holdfast cleanup` and `holdfast retention-preview`: what the retention policy lets go.
import type { Command } from 'commander';
import { formatCleanup, formatDecision } from '../format.ts';
import type { CommandContext } from '../runner.ts';

export function retentionCommands(program: Command, { run }: CommandContext): void {
  program
    .command('cleanup [profile]')
    .description('Apply retention: delete backups the policy lets go (file, sidecar, roles file); history stays')
    .option('--policy <policy>', "e.g. 30d or gfs:7d,4w,12m,3y (default: the schedule's, else BACKUP_RETENTION_DAYS)")
    .option('--dry-run', 'list what would go and why; delete nothing')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: { policy?: string; dryRun?: boolean; json?: boolean }) => {
      const input: Record<string, unknown> = { dryRun: Boolean(options.dryRun) };
      if (name) input.profile = name;
      if (options.policy) input.policy = options.policy;
      await run('backup.cleanup', input, Boolean(options.json), formatCleanup, (summary) => summary.errors > 0);
    });

  program
    .command('retention-preview')
    .description('What a policy would keep of the existing backups, and of a year of daily backups')
    .requiredOption('--policy <policy>', 'e.g. 30d or gfs:7d,4w,12m,3y')
    .option('--profile <profile>', "only this profile's backups")
    .option('--json', 'print JSON')
    .action(async (options: { policy: string; profile?: string; json?: boolean }) => {
      await run('retention.preview', { policy: options.policy, ...(options.profile ? { profile: options.profile } : {}) }, Boolean(options.json), (preview) =>
        [
          `Policy ${preview.policy}: of ${preview.existing.length} existing backups, ${preview.existing.filter((d) => d.action === 'keep').length} kept.`,
          ...preview.existing.map(formatDecision),
          `A year of daily backups under it keeps ${preview.yearOfDailyBackups.keptCount}:`,
          ...preview.yearOfDailyBackups.kept.map((k) => `  ${k.at}  ${k.reasons.join('; ')}`),
        ].join('\n'),
      );
    });
}
