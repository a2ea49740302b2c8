// `holdfast profile add|edit|list|show|test|remove|import`: connection profiles. A password arrives
// only by --password-stdin or inside --url, and goes to the OS keychain.
import type { Command } from 'commander';
import { plural } from '../../core/model/human.ts';
import { HoldfastError } from '../../core/model/errors.ts';
import { profileFromUri } from '../../core/profiles/profiles.ts';
import { loadConfig } from '../../core/config/config.ts';
import { MAINTENANCE_DATABASE } from '../../core/profiles/profile-schema.ts';
import { SECRET_STORE_NAMES } from '../../core/secrets/store-choice.ts';
import { formatProfile, formatProfileTest, profileTarget } from '../format.ts';
import type { Io } from '../io.ts';
import { collect, integer, type CommandContext } from '../runner.ts';
import { encryptToFrom } from './backup-options.ts';
import { AUTO_PARALLEL_DATABASES } from '../../core/sets/parallel-default.ts';

/** The whole of standard input, less one trailing newline, as `echo pw |` or a password manager sends it. */
async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password.length === 0) throw new HoldfastError('BAD_INPUT', '--password-stdin read an empty password.', 'Pipe the password in: printf %s "$PASSWORD" | holdfast profile add …');
  return password;
}

const connectionOptions = (command: Command, forAdd: boolean) =>
  command
    .option('--url <uri>', 'a postgresql:// URI; a password in it goes to the OS keychain')
    .option('--host <host>', 'server host name, IP or Unix socket directory')
    .option('--port <port>', 'server port (default 5432)', integer('--port'))
    .option('--user <user>', 'role to connect as')
    .option('--dbname <db>', 'database to back up')
    .option('--sslmode <mode>', 'libpq sslmode: disable, allow, prefer, require, verify-ca, verify-full')
    .option('--sslrootcert <path>', 'CA certificate file')
    .option('--sslcert <path>', 'client certificate file')
    .option('--sslkey <path>', 'client key file')
    .option('--service <name>', 'libpq service name (pg_service.conf) whose settings also apply')
    .option('--pg-bin <dir>', 'client tools directory for this profile only')
    .option('--notes <text>', 'free text')
    .option('--tag <tag>', `a tag such as production (repeatable${forAdd ? '' : '; replaces the tags'})`, collect)
    .option('--drill-check <sql>', `SQL a restore drill must find true, e.g. "SELECT count(*) > 0 FROM users" (repeatable${forAdd ? '' : '; replaces the checks'})`, collect)
    .option(
      '--copy-to <destination>',
      `copy its backups (scheduled ones too) to this named destination by default (repeatable${forAdd ? '' : '; replaces the list'}); backup --copy-to overrides it`,
      collect,
    )
    // --local-copy first: defined alone, commander's --no-local-copy would default to true and always be "given".
    .option('--local-copy', "keep this profile's backups in BACKUP_DIR too (the default)")
    .option('--no-local-copy', "keep this profile's backups on their destinations only (--copy-to): the local files go once every copy is verified")
    .option('--libpq-password-files', "let libpq's password files (~/.pgpass, PGPASSFILE, a service's password) answer for this profile (a super-admin's change under holdfast serve)")
    .option('--no-libpq-password-files', "never send a password from libpq's files for this profile (only the keychain's)")
    .option('--all-databases', 'back up every database of the server as one backup set (templates left out; --dbname, default postgres, is where it connects)')
    .option('--exclude-database <pattern>', `with --all-databases: leave out databases matching this name or pattern (* and ?; repeatable${forAdd ? '' : '; replaces the list'})`, collect)
    .option('--parallel-databases <n>', `with --all-databases: databases dumped at once (default: ${AUTO_PARALLEL_DATABASES})`, integer('--parallel-databases'))
    .option('--password-stdin', "read the password from standard input and store it in this host's secret store (HOLDFAST_SECRET_STORE: the OS keychain, or the credentials file)")
    .option(
      '--encrypt-to <recipient-or-key>',
      `encrypt this profile's backups to this age recipient (age1…) or key name instead of BACKUP_ENCRYPTION_KEY (repeatable${forAdd ? '' : '; replaces the list'})`,
      collect,
    )
    .option('--no-encrypt', "never encrypt this profile's backups, whatever BACKUP_ENCRYPTION_KEY says")
    .option('--json', 'print JSON');

/** Flag (commander's camelCase) → profile field, for the flags given. */
const PROFILE_FIELDS: ReadonlyArray<[flag: string, field: string]> = [
  ['host', 'host'],
  ['port', 'port'],
  ['user', 'user'],
  ['dbname', 'dbname'],
  ['sslmode', 'sslmode'],
  ['sslrootcert', 'sslrootcert'],
  ['sslcert', 'sslcert'],
  ['sslkey', 'sslkey'],
  ['service', 'service'],
  ['pgBin', 'pgBinDir'],
  ['notes', 'notes'],
  ['tag', 'tags'],
  ['drillCheck', 'drillChecks'],
  ['copyTo', 'copyTo'],
  ['libpqPasswordFiles', 'libpqPasswordFiles'],
];

function profileFields(options: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [flag, field] of PROFILE_FIELDS) if (options[flag] !== undefined) fields[field] = options[flag];
  const wholeServer = wholeServerFrom(options);
  if (wholeServer !== undefined) fields.wholeServer = wholeServer;
  const encryptTo = options.encryptDefault ? null : encryptToFrom(options);
  if (encryptTo !== undefined) fields.encryptTo = encryptTo;
  if (options.localCopy !== undefined) fields.noLocalCopy = options.localCopy === false;
  return fields;
}

/** --all-databases and its two companions, as the profile's wholeServer; the companions alone are a mistake. */
function wholeServerFrom(options: Record<string, unknown>): Record<string, unknown> | undefined {
  const companions = options.excludeDatabase !== undefined || options.parallelDatabases !== undefined;
  if (!options.allDatabases) {
    if (companions) throw new HoldfastError('BAD_INPUT', '--exclude-database and --parallel-databases apply to a whole-server profile only.', 'Add --all-databases.');
    return undefined;
  }
  return { excludeDatabases: options.excludeDatabase ?? [], parallelDatabases: options.parallelDatabases ?? null };
}

/** The store this process keeps passwords in: the engine's own setting (HOLDFAST_SECRET_STORE), read the same way. */
const hostSecretStore = () => loadConfig().secretStore;

/** A --url's connection fields, and its password (bound for the keychain) with a warning. */
function connectionFromUrl(io: Io, name: string, url: string) {
  const fromUri = profileFromUri(name, url);
  if (fromUri.password !== undefined) {
    io.stderr(
      `holdfast: warning: the password in --url was visible to other users (process list) and is in your shell history; it is now stored in ${SECRET_STORE_NAMES[hostSecretStore()]}. Next time use --password-stdin.\n`,
    );
  }
  return fromUri;
}

export function profileCommands(program: Command, { io, run }: CommandContext): void {
  const profile = program.command('profile').description('Connection profiles');

  connectionOptions(profile.command('add <name>').description('Add a connection profile'), true).action(async (name: string, options: Record<string, unknown>) => {
    let input: Record<string, unknown> = { name, ...profileFields(options) };
    if (options.allDatabases && input.dbname === undefined && options.url === undefined) input.dbname = MAINTENANCE_DATABASE;
    let password = options.passwordStdin ? await readPasswordFromStdin() : undefined;
    if (typeof options.url === 'string') {
      const fromUri = connectionFromUrl(io, name, options.url);
      input = { ...fromUri.input, ...input };
      password ??= fromUri.password;
    }
    if (password !== undefined) input.password = password;
    await run('profile.add', input, Boolean(options.json), (p) => `Added profile ${p.name}: ${profileTarget(p)}${p.keychainPassword ? ` (password in ${SECRET_STORE_NAMES[hostSecretStore()]})` : ''}`);
  });
  connectionOptions(profile.command('edit <name>').description('Change a profile; unspecified fields stay as they are'), false)
    .option('--rename <new-name>', 'give the profile a new name')
    .option('--forget-password', "remove its password from this host's secret store (the OS keychain, or the credentials file)")
    .option('--encrypt-default', "forget the profile's --encrypt-to / --no-encrypt: BACKUP_ENCRYPTION_KEY decides again")
    .action(async (name: string, options: Record<string, unknown>) => {
      let changes = profileFields(options);
      let password = options.passwordStdin ? await readPasswordFromStdin() : undefined;
      if (typeof options.url === 'string') {
        // The URI is the new connection (host, port, user, dbname, SSL, service); flags beside it win.
        const fromUri = connectionFromUrl(io, name, options.url);
        const { name: _name, ...connection } = fromUri.input;
        changes = { ...connection, ...changes };
        password ??= fromUri.password;
      }
      if (typeof options.rename === 'string') changes.name = options.rename;
      const input: Record<string, unknown> = { name, changes, forgetPassword: Boolean(options.forgetPassword) };
      if (password !== undefined) input.password = password;
      await run('profile.edit', input, Boolean(options.json), (p) => `Updated profile ${p.name}: ${profileTarget(p)}`);
    });
  profile
    .command('list')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await run('profile.list', {}, Boolean(options.json), (profiles) =>
        profiles.length === 0
          ? 'No profiles. Add one with `holdfast profile add`.'
          : profiles.map((p) => `${p.name}  ${profileTarget(p)}${p.tags.length ? `  [${p.tags.join(', ')}]` : ''}`).join('\n'),
      );
    });
  profile
    .command('show <name>')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await run('profile.show', { name }, Boolean(options.json), (p) => formatProfile(p, hostSecretStore()));
    });
  profile
    .command('test <name>')
    .description('Connect and report version, role, privileges, size, SSL and client-tool match; exit 1 on any ✗ (a check that failed)')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await run(
        'profile.test',
        { name },
        Boolean(options.json),
        (report) => formatProfileTest(report, hostSecretStore()),
        // Exit 1, the code of every failed check, on any ✗ the report prints: a whole-server profile's databases too.
        (report) => !report.clientTools.compatible || report.unreadable.length > 0 || (report.wholeServer?.databases.some((database) => database.problem !== null) ?? false),
      );
    });
  profile
    .command('remove <name>')
    .description('Remove a profile and its keychain entry; its backups are kept unless --delete-backups')
    .option('--delete-backups', 'also delete its backup files (catalogue history stays)')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { deleteBackups?: boolean; json?: boolean }) => {
      await run(
        'profile.remove',
        { name, backups: options.deleteBackups ? 'delete' : 'keep' },
        Boolean(options.json),
        (r) =>
          `Removed profile ${r.removed}; ${r.backups} its ${plural(r.backupCount, 'backup')}${r.keychain === 'removed' ? '; removed its keychain password' : r.keychain === 'none' ? '' : `; ${r.keychain}`}.`,
      );
    });
  profile
    .command('import')
    .description('Create profiles from ~/.pgpass and/or pg_service.conf (passwords stay in .pgpass)')
    .option('--pgpass [path]', 'a .pgpass file (default: PGPASSFILE or ~/.pgpass)')
    .option('--service-file [path]', 'a pg_service.conf (default: PGSERVICEFILE or ~/.pg_service.conf)')
    .option('--json', 'print JSON')
    .action(async (options: { pgpass?: string | true; serviceFile?: string | true; json?: boolean }) => {
      const input: Record<string, unknown> = {};
      if (options.pgpass !== undefined) input.pgpass = options.pgpass;
      if (options.serviceFile !== undefined) input.serviceFile = options.serviceFile;
      await run('profile.import', input, Boolean(options.json), (report) =>
        [`Created ${plural(report.created.length, 'profile')}.`, ...report.created.map((n) => `  + ${n}`), ...report.skipped.map((s) => `  - ${s.entry}: ${s.reason}`)].join('\n'),
      );
    });
}
