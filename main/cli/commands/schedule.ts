// `holdfast schedule add|list|pause|resume|remove`: scheduled backups, which `holdfast daemon`,
// `holdfast serve` or the desktop app run.
import type { Command } from 'commander';
import { drillWord } from '../../core/model/drill-words.ts';
import { HoldfastError } from '../../core/model/errors.ts';
import { describeDelivery } from '../../core/schedule/schedule-delivery.ts';
import { describeOutput } from '../../core/schedule/schedule-output.ts';
import { collect, type CommandContext } from '../runner.ts';
import { renderSchedulingHosts } from '../schedule-hosts-view.ts';
import { backupOptionFlags, backupOptionsFrom, encryptToFrom } from './backup-options.ts';

export function scheduleCommands(program: Command, { run, exitCode }: CommandContext): void {
  const schedule = program.command('schedule').description('Scheduled backups (run by the desktop app, `holdfast daemon` or `holdfast serve`)');
  backupOptionFlags(schedule.command('add <profile>').description('Add a schedule: a preset or a cron expression'))
    .option('--daily', `every day (BACKUP_DAILY_SCHEDULE, default "0 2 * * *")`)
    .option('--weekly', `every week (BACKUP_WEEKLY_SCHEDULE, default "0 3 * * 0")`)
    .option('--monthly', `every month (BACKUP_MONTHLY_SCHEDULE, default "0 4 1 * *")`)
    .option('--cron <expression>', 'a five-field cron expression')
    .option('--tz <zone>', "IANA time zone (default: the system's)")
    .option('--retention <policy>', 'keep policy for this schedule, e.g. 30d or gfs:7d,4w,12m,3y')
    .option('--test-restore', 'prove each backup with a restore drill on a scratch server')
    .option('--copy-to <destination>', "copy its backups to this named destination (repeatable; overrides the profile's default destinations)", collect)
    .option('--json', 'print JSON')
    .action(async (name: string, options: Record<string, unknown>) => {
      const kinds = (['daily', 'weekly', 'monthly'] as const).filter((kind) => options[kind]);
      const chosen = kinds.length + (options.cron ? 1 : 0);
      if (chosen !== 1) throw new HoldfastError('BAD_INPUT', 'Choose exactly one of --daily, --weekly, --monthly or --cron "<expression>".');
      const input: Record<string, unknown> = { profile: name, type: kinds[0] ?? 'custom', options: backupOptionsFrom(options) };
      if (typeof options.cron === 'string') input.cron = options.cron;
      if (typeof options.tz === 'string') input.timeZone = options.tz;
      if (typeof options.retention === 'string') input.retention = options.retention;
      if (options.testRestore) input.testRestore = true;
      if (options.copyTo) input.copyTo = options.copyTo;
      await run('schedule.add', input, Boolean(options.json), (s) => `Added schedule ${s.id}: ${s.profile} ${s.description} (${s.schedule}, ${s.timeZone}); next run ${s.nextRun}`);
    });
  schedule
    .command('edit <id>')
    .description('Change when a schedule runs, its retention, drills, destinations, local copy, or who its backups are encrypted to; what is not given stays')
    .option('--daily', 'every day (the BACKUP_DAILY_SCHEDULE preset)')
    .option('--weekly', 'every week (the BACKUP_WEEKLY_SCHEDULE preset)')
    .option('--monthly', 'every month (the BACKUP_MONTHLY_SCHEDULE preset)')
    .option('--cron <expression>', 'a five-field cron expression')
    .option('--tz <zone>', 'IANA time zone')
    .option('--retention <policy>', 'keep policy for this schedule, e.g. 30d or gfs:7d,4w,12m,3y')
    .option('--default-retention', "back to the profile's (or the default) retention policy")
    .option('--test-restore', 'prove each backup with a restore drill')
    .option('--no-test-restore', 'stop the restore drills')
    .option('--copy-to <destination>', "copy its backups to this named destination (repeatable; replaces the schedule's list)", collect)
    .option('--default-copy-to', "back to the profile's default destinations")
    .option(
      '--encrypt-to <recipient-or-key>',
      "encrypt the schedule's backups to this age recipient (age1…) or key name, instead of the profile's or BACKUP_ENCRYPTION_KEY (repeatable; replaces the schedule's list)",
      collect,
    )
    .option('--no-encrypt', "do not encrypt the schedule's backups, whatever the profile or BACKUP_ENCRYPTION_KEY says")
    .option('--inherit-encryption', "clear the schedule's own --encrypt-to / --no-encrypt: its backups follow the profile's choice, then BACKUP_ENCRYPTION_KEY")
    // --local-copy first: defined alone, commander's --no-local-copy would default to true and always be "given".
    .option('--local-copy', "keep the schedule's backups in BACKUP_DIR too, whatever the profile says")
    .option('--no-local-copy', "keep the schedule's backups on their destinations only: the local files go once every copy is verified")
    .option('--inherit-no-local-copy', "clear the schedule's own --local-copy / --no-local-copy choice: its backups follow the profile's")
    .option('--json', 'print JSON')
    .action(async (id: string, options: Record<string, unknown>) => {
      const kinds = (['daily', 'weekly', 'monthly'] as const).filter((kind) => options[kind]);
      if (kinds.length + (options.cron ? 1 : 0) > 1) throw new HoldfastError('BAD_INPUT', 'Give at most one of --daily, --weekly, --monthly or --cron "<expression>".');
      for (const [flag, reset] of [
        ['--retention', '--default-retention'],
        ['--copy-to', '--default-copy-to'],
      ] as const) {
        if (options[camel(flag)] !== undefined && options[camel(reset)]) throw new HoldfastError('BAD_INPUT', `${flag} and ${reset} contradict each other.`, 'Give one of them.');
      }
      const input: Record<string, unknown> = { id };
      if (kinds[0]) input.type = kinds[0];
      if (typeof options.cron === 'string') Object.assign(input, { type: 'custom', cron: options.cron });
      if (typeof options.tz === 'string') input.timeZone = options.tz;
      if (typeof options.retention === 'string') input.retention = options.retention;
      if (options.defaultRetention) input.retention = null;
      // commander sets testRestore true or false only when a flag was given (no default).
      if (typeof options.testRestore === 'boolean') input.testRestore = options.testRestore;
      if (options.copyTo) input.copyTo = options.copyTo;
      if (options.defaultCopyTo) input.copyTo = null;
      const encryptTo = encryptToFrom(options);
      if (encryptTo !== undefined && options.inheritEncryption)
        throw new HoldfastError('BAD_INPUT', `${encryptTo === 'none' ? '--no-encrypt' : '--encrypt-to'} and --inherit-encryption contradict each other.`, 'Give one of them.');
      if (options.localCopy !== undefined && options.inheritNoLocalCopy)
        throw new HoldfastError('BAD_INPUT', `${options.localCopy ? '--local-copy' : '--no-local-copy'} and --inherit-no-local-copy contradict each other.`, 'Give one of them.');
      // Only the options given change (the contract's options are a patch): the format, filters and suffix stay.
      const optionsPatch: Record<string, unknown> = {};
      if (encryptTo !== undefined) optionsPatch.encryptTo = encryptTo;
      if (options.localCopy !== undefined) optionsPatch.noLocalCopy = options.localCopy === false;
      if (Object.keys(optionsPatch).length > 0) input.options = optionsPatch;
      if (options.inheritEncryption) input.inheritEncryption = true;
      if (options.inheritNoLocalCopy) input.inheritNoLocalCopy = true;
      if (Object.keys(input).length === 1)
        throw new HoldfastError('BAD_INPUT', 'Nothing to change.', 'Give what to change, e.g. --weekly, --retention 30d, --encrypt-to KEY or --inherit-encryption (holdfast schedule edit --help).');
      await run(
        'schedule.edit',
        input,
        Boolean(options.json),
        (s) => `Edited schedule ${s.id}: ${s.profile} ${s.description} (${s.schedule}, ${s.timeZone}); next run ${s.nextRun}${encryptionLine(s.options.encryptTo)}`,
      );
    });
  schedule
    .command('list [profile]')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: { json?: boolean }) => {
      await run('schedule.list', name ? { profile: name } : {}, Boolean(options.json), (schedules) =>
        schedules.length === 0
          ? 'No schedules. Add one with `holdfast schedule add <profile> --daily`.'
          : schedules
              .map(
                (s) =>
                  `${s.id}  ${s.profile}  ${s.type}  ${s.description} (${s.timeZone})  next ${s.nextRun ?? '-'}  last ${s.lastRun ?? '-'} ${s.status}\n    ${describeOutput(s.output)} · ${describeDelivery(s.delivery)}`,
              )
              .join('\n'),
      );
      // Who runs them, after the list: a schedule nothing runs is the thing to see first.
      if (!options.json && exitCode() === 0) await run('schedule.hosts', {}, false, renderSchedulingHosts);
    });
  schedule
    .command('hosts')
    .description('Which processes run the schedules, and which passwords they cannot read')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => run('schedule.hosts', {}, Boolean(options.json), renderSchedulingHosts));
  for (const [verb, channel, done] of [
    ['pause', 'schedule.pause', 'Paused'],
    ['resume', 'schedule.resume', 'Resumed'],
  ] as const) {
    schedule
      .command(`${verb} <id>`)
      .option('--json', 'print JSON')
      .action(async (id: string, options: { json?: boolean }) => {
        await run(channel, { id }, Boolean(options.json), (s) => `${done} schedule ${s.id} (${s.profile}); next run ${s.nextRun ?? '-'}`);
      });
  }
  schedule
    .command('run <id>')
    .description("Run a schedule's backup (and its restore drill) now; its next run stays as it was")
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      await run(
        'schedule.runNow',
        { id },
        Boolean(options.json),
        (r) => `Ran schedule ${r.scheduleId}: ${r.backup.filename}${r.drill ? (r.drill.ok ? `; ${drillWord(r.drill)}` : `; ${drillWord(r.drill).toUpperCase()}: ${r.drill.error}`) : ''}`,
        (r) => r.drill !== null && !r.drill.ok,
      );
    });
  schedule
    .command('remove <id>')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      await run('schedule.remove', { id }, Boolean(options.json), (r) => `Removed schedule ${r.removed}.`);
    });
}

/** "--default-copy-to" → "defaultCopyTo", as commander names the option. */
const camel = (flag: string) => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Whose encryption choice the schedule's backups follow after the edit. */
function encryptionLine(encryptTo: string[] | 'none' | undefined): string {
  if (encryptTo === undefined) return "; encryption: the profile's choice, then BACKUP_ENCRYPTION_KEY";
  return encryptTo === 'none' ? '; encryption: none (the schedule says --no-encrypt)' : `; encrypted to ${encryptTo.join(', ')} (the schedule's own)`;
}
