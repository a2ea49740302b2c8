// The `holdfast` CLI: a thin shell that turns flags into contract input, calls the engine through
// the contract, and prints. Exit codes: 0 ok, 1 operation failed, 2 bad usage. Results go to stdout
// (JSON with --json), logs and progress to stderr. Each command group lives in commands/; this file
// only builds the program from them and turns what parsing threw into an exit code.
import { Command, CommanderError } from 'commander';
// The version is package.json's, inlined by the bundle: the one place it is written.
import packageJson from '../../package.json' with { type: 'json' };
import { exitCodeFor, HoldfastError } from '../core/model/errors.ts';
import { adoptCommand } from './commands/adopt.ts';
import { importCommand } from './commands/import.ts';
import { copiesCommands } from './commands/copies.ts';
import { auditCommand } from './commands/audit.ts';
import { backupCommand } from './commands/backup.ts';
import { configCommands } from './commands/config.ts';
import { healthCommands } from './commands/health.ts';
import { destinationCommands } from './commands/destination.ts';
import { daemonCommand, serveCommand } from './commands/hosts.ts';
import { listCommand } from './commands/list.ts';
import { pinCommands } from './commands/pin.ts';
import { keyCommands } from './commands/key.ts';
import { profileCommands } from './commands/profile.ts';
import { restoreCommand } from './commands/restore.ts';
import { retentionCommands } from './commands/retention.ts';
import { runsCommands } from './commands/runs.ts';
import { scheduleCommands } from './commands/schedule.ts';
import { userCommands } from './commands/user.ts';
import { verifyCommand } from './commands/verify.ts';
import { defaultIo, terminal, type Io } from './io.ts';
import { commandContext, printError, type CommandGroup } from './runner.ts';

/** In the order `holdfast --help` lists them. */
const COMMAND_GROUPS: readonly CommandGroup[] = [
  profileCommands,
  backupCommand,
  scheduleCommands,
  destinationCommands,
  daemonCommand,
  retentionCommands,
  healthCommands,
  configCommands,
  serveCommand,
  userCommands,
  auditCommand,
  listCommand,
  verifyCommand,
  pinCommands,
  keyCommands,
  restoreCommand,
  runsCommands,
  adoptCommand,
  importCommand,
  copiesCommands,
];

export async function main(argv: readonly string[], rawIo: Io = defaultIo): Promise<number> {
  // Every line the CLI writes goes through here, so no name or value reaches the terminal raw.
  const io = terminal(rawIo);
  const program = new Command('holdfast')
    .description('PostgreSQL backups you can trust: checksummed, catalogued, verified, restorable.')
    .version(packageJson.version)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .showHelpAfterError('(run with --help for usage)');
  const context = commandContext(io);
  for (const addGroup of COMMAND_GROUPS) addGroup(program, context);

  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help asked for is fine; help shown because a command was missing is bad usage.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (argv.includes('--json')) io.stdout(`${JSON.stringify({ ok: false, error: { code: 'BAD_INPUT', message: error.message.replace(/^error: /, '') } })}\n`);
      return 2;
    }
    if (error instanceof HoldfastError) {
      printError(io, error.toInfo(), argv.includes('--json'));
      return exitCodeFor(error.code);
    }
    throw error;
  }
  return context.exitCode();
}
