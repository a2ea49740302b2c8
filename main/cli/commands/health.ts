// `holdfast stats` and `holdfast health`: how the backups stand, for people and for monitors.
import type { Command } from 'commander';
import { describeSchedulingStatus } from '../../core/schedule/host-status.ts';
import { formatStats } from '../format.ts';
import type { CommandContext } from '../runner.ts';

export function healthCommands(program: Command, { run }: CommandContext): void {
  program
    .command('stats')
    .description("Backup statistics (the specification's shape, plus per profile)")
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await run('backup.stats', {}, Boolean(options.json), formatStats);
    });

  program
    .command('health')
    .description('healthy / degraded / unhealthy, with the reasons (exit 1 unless healthy)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await run(
        'backup.health',
        {},
        Boolean(options.json),
        (health) =>
          [
            `${health.status}${health.lastBackup ? ` (last backup ${health.lastBackup})` : ''}`,
            ...health.reasons.map((r) => `  ${r.severity}: ${r.message}`),
            ...(health.scheduling.running.length ? [`  ${describeSchedulingStatus(health.scheduling)}`] : []),
          ].join('\n'),
        (health) => health.status !== 'healthy',
      );
    });
}
