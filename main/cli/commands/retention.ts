// `holdfast cleanup` and `holdfast retention-preview`: what the retention policy lets go.
import type { Command } from 'commander';
import { plural } from '../../core/model/human.ts';
import { formatCleanup, formatDecision } from '../format.ts';
import type { CopyCleanupReport } from '../../core/retention/copy-cleanup.ts';
import type { CommandContext } from '../runner.ts';

function formatCopyCleanup(report: CopyCleanupReport): string {
  const verb = report.dryRun ? 'would remove' : 'removed';
  return [
    `Destination ${report.destination}, policy ${report.policy}: ${verb} ${report.deleted.length} of ${plural(report.decisions.length, 'copy', 'copies')}.`,
    ...report.decisions.map((decision) => `  ${decision.action === 'keep' ? 'keep  ' : 'delete'}  ${decision.filename}  ${decision.reasons.join('; ')}`),
    ...report.errors.map((error) => `  error: ${error.message}`),
  ].join('\n');
}

export function retentionCommands(program: Command, { run }: CommandContext): void {
  program
    .command('cleanup [profile]')
    .description('Apply retention: delete backups the policy lets go (file, sidecar, roles file); history stays')
    .option('--policy <policy>', "e.g. 30d or gfs:7d,4w,12m,3y (default: the schedule's, else BACKUP_RETENTION_DAYS)")
    .option(
      '--destination <name>',
      "apply the policy to this named destination's copies instead (only those copies go; the newest verified copy of each profile there stays); --policy, else its stored one",
    )
    .option('--dry-run', 'list what would go and why; delete nothing')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: { policy?: string; dryRun?: boolean; json?: boolean; destination?: string }) => {
      if (options.destination !== undefined) {
        // Without --policy, the destination's stored one (destination edit --retention) applies.
        const input = { destination: options.destination, ...(options.policy ? { policy: options.policy } : {}), dryRun: Boolean(options.dryRun), ...(name ? { profile: name } : {}) };
        await run('copies.cleanup', input, Boolean(options.json), formatCopyCleanup, (report) => report.errors.length > 0);
        return;
      }
      const input: Record<string, unknown> = { dryRun: Boolean(options.dryRun) };
      if (name) input.profile = name;
      if (options.policy) input.policy = options.policy;
      await run('backup.cleanup', input, Boolean(options.json), formatCleanup, (summary) => summary.errors > 0);
    });

  program
    .command('retention-preview')
    .description('What a policy would keep of the existing backups, and of a year of backups at a cadence (daily by default)')
    .requiredOption('--policy <policy>', 'e.g. 30d or gfs:7d,4w,12m,3y')
    .option('--profile <profile>', "only this profile's backups")
    .option('--cron <expression>', 'simulate backups at this cadence, e.g. "0 * * * *" hourly (default: daily at 02:00)')
    .option('--time-zone <zone>', "the cadence's time zone (default: this machine's)")
    .option('--json', 'print JSON')
    .action(async (options: { policy: string; profile?: string; cron?: string; timeZone?: string; json?: boolean }) => {
      const input = {
        policy: options.policy,
        ...(options.profile ? { profile: options.profile } : {}),
        ...(options.cron ? { cron: options.cron } : {}),
        ...(options.timeZone ? { timeZone: options.timeZone } : {}),
      };
      await run('retention.preview', input, Boolean(options.json), (preview) =>
        [
          `Policy ${preview.policy}: of ${preview.existing.length} existing backups, ${preview.existing.filter((d) => d.action === 'keep').length} kept.`,
          ...preview.existing.map(formatDecision),
          `A year of backups ${preview.simulated.cadence.toLowerCase()} (${preview.simulated.backups}) under it keeps ${preview.simulated.keptCount}:`,
          ...preview.simulated.kept.map((k) => `  ${k.at}  ${k.reasons.join('; ')}`),
        ].join('\n'),
      );
    });
}
