// `holdfast restore`: a backup into a profile's server, or with --recover, settle replace restores a
// crash left mid-swap.
import type { Command } from 'commander';
import { formatRecoveries } from '../format.ts';
import { formatRestoreOrSet } from '../format-sets.ts';
import { collect, integer, type CommandContext } from '../runner.ts';

export function restoreCommand(program: Command, { run }: CommandContext): void {
  program
    .command('restore [backup]')
    .description("Restore a backup into a profile's server (or, with --recover, settle a replace restore a crash left mid-swap)")
    .option('--to <profile>', 'target profile (required unless --recover)')
    .option('--dbname <db>', "target database (default: the profile's)")
    .option('--create', 'create the target database')
    .option('--clean', 'replace the target database (needs --confirm=<dbname>)')
    .option('--swap', 'replace the target but keep the old database as <db>__before_<time> (needs --confirm)')
    .option('--terminate-connections', 'end other sessions on the database being replaced')
    .option('--confirm <dbname>', 'the target database name (profile/database for a production profile; for a backup set with --clean, its id)')
    .option('--no-owner', 'do not restore ownership')
    .option('--no-acl', 'do not restore privileges')
    .option('--jobs <n>', 'parallel pg_restore jobs', integer('--jobs'))
    .option('--table <schema.table>', 'restore only this table (repeat for more); its indexes, constraints and referenced tables are not restored', collect, [])
    .option('--schema <name>', 'restore only the tables of this schema (repeat for more)', collect, [])
    .option('--from <destination>', "restore from the backup's copy on this named destination (downloaded to a private temp file and checked first)")
    .option('--only <databases>', 'a backup set: restore only these of its databases (comma-separated, or repeat the flag; a name with a comma: its own --only)', collect, [])
    .option('--dry-run', 'check everything and say what would happen; change nothing')
    .option('--recover', 'roll back (or forward) a --clean/--swap that Holdfast stopped in the middle of; every start does this too')
    .option('--json', 'print JSON')
    .action(async (ref: string | undefined, options: Record<string, unknown>, command: Command) => {
      if (options.recover) {
        if (ref !== undefined || options.to !== undefined) command.error('error: --recover takes no backup and no --to: it settles every interrupted restore');
        await run('restore.recover', {}, Boolean(options.json), formatRecoveries, (recoveries) => recoveries.some((r) => r.action === 'needs-attention' || r.action === 'not-reached'));
        return;
      }
      if (ref === undefined) command.error("error: missing required argument 'backup'");
      if (options.to === undefined) command.error("error: required option '--to <profile>' not specified");
      const input: Record<string, unknown> = {
        ref,
        to: options.to,
        create: Boolean(options.create),
        clean: Boolean(options.clean),
        noOwner: options.owner === false,
        noAcl: options.acl === false,
        dryRun: Boolean(options.dryRun),
        swap: Boolean(options.swap),
        terminateConnections: Boolean(options.terminateConnections),
      };
      if (typeof options.dbname === 'string') input.dbname = options.dbname;
      if (typeof options.confirm === 'string') input.confirm = options.confirm;
      if (options.jobs !== undefined) input.jobs = options.jobs;
      if (typeof options.from === 'string') input.from = options.from;
      // Split on commas by the engine (sets/only-members.ts), which knows whether a value is one database's name.
      if (Array.isArray(options.only) && options.only.length) input.only = options.only;
      if (Array.isArray(options.table) && options.table.length) input.tables = options.table;
      if (Array.isArray(options.schema) && options.schema.length) input.schemas = options.schema;
      await run('restore.start', input, Boolean(options.json), formatRestoreOrSet, (result) => !result.ok);
    });
}
