// `holdfast verify`: read a backup back (and with --test-restore, restore it in a drill).
import type { Command } from 'commander';
import { formatCopiesCheck } from '../format.ts';
import { formatCheck, formatDrill } from '../format-sets.ts';
import { integer, type CommandContext } from '../runner.ts';

export function verifyCommand(program: Command, { run }: CommandContext): void {
  program
    .command('verify <backup>')
    .description('Check a backup: size, SHA-256, structure and that pg_restore can read it (exit 1 if anything is off)')
    .option('--test-restore', "also restore it into a scratch server of its major and compare every table's rows")
    .option('--on-major <n>', 'with --test-restore: a scratch server of this major instead (upgrade rehearsal)', integer('--on-major'))
    .option('--on-profile <profile>', "with --test-restore: a throwaway database on this profile's server (it must be tagged drill-target, and not production) instead of a scratch server")
    .option(
      '--copies',
      "re-read every copy on its named destinations and compare each with the backup's SHA-256 (exit 1 naming any that is off, or whose destination cannot be reached: that copy keeps its recorded state)",
    )
    .option('--json', 'print JSON')
    .action(async (ref: string, options: { json?: boolean; testRestore?: boolean; onMajor?: number; onProfile?: string; copies?: boolean }) => {
      if (options.copies) {
        await run('backup.verifyCopies', { ref }, Boolean(options.json), formatCopiesCheck, (result) => !result.ok);
      } else if (options.testRestore) {
        await run(
          'drill.start',
          { ref, ...(options.onMajor ? { major: options.onMajor } : {}), ...(options.onProfile ? { onProfile: options.onProfile } : {}) },
          Boolean(options.json),
          formatDrill,
          (result) => !result.ok,
        );
      } else {
        await run('backup.check', { ref }, Boolean(options.json), formatCheck, (result) => !result.valid);
      }
    });
}
