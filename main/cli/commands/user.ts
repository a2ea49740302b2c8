// `holdfast user add|list|remove|rotate`: API users of holdfast serve. A token is printed once, when
// it is made; only its hash is stored.
import { Option, type Command } from 'commander';
import type { ChannelOutput } from '../../contract.ts';
import { ROLES } from '../../core/users/users.ts';
import type { CommandContext } from '../runner.ts';

const printIssued = (verb: string) => (issued: ChannelOutput<'user.add'>) =>
  `${verb} user ${issued.user.name} (${issued.user.role}). Its API token, shown only this once:\n${issued.token}\nSend it as "Authorization: Bearer <token>", or open holdfast serve's address with ?token=<token>.`;

export function userCommands(program: Command, { run }: CommandContext): void {
  const user = program.command('user').description('API users of holdfast serve: each has a role and its own token (only a hash is stored)');
  user
    .command('add <name>')
    .description('Add a user and print their new API token once')
    .addOption(new Option('--role <role>', 'admin: backups, verify, stats, schedules; super-admin: also restore and users').choices([...ROLES]).makeOptionMandatory())
    .option('--json', 'print JSON')
    .action(async (name: string, options: { role: string; json?: boolean }) => {
      await run('user.add', { name, role: options.role }, Boolean(options.json), printIssued('Added'));
    });
  user
    .command('list')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await run('user.list', {}, Boolean(options.json), (users) =>
        users.length === 0
          ? 'No API users. Add one with `holdfast user add <name> --role admin`.'
          : users.map((u) => `${u.name}  ${u.role}  created ${u.createdAt}  last used ${u.lastUsedAt ?? '-'}`).join('\n'),
      );
    });
  user
    .command('remove <name>')
    .description('Remove a user; their token stops working at once')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await run('user.remove', { name }, Boolean(options.json), (r) => `Removed user ${r.removed}.`);
    });
  user
    .command('rotate <name>')
    .description('Give a user a new token; the old one stops working at once')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await run('user.rotate', { name }, Boolean(options.json), printIssued('Rotated the token of'));
    });
}
