// The `holdfast` CLI: a thin shell that turns flags into contract input, calls the engine through
// the contract, and prints. Exit codes: 0 ok, 1 operation failed, 2 bad usage. Results go to stdout
// (JSON with --json), logs and progress to stderr.
import { Command, CommanderError, Option } from 'commander';
import { invoke, type Channel, type ChannelOutput, type ProgressEvent } from '../contract.ts';
import { parseCompression, DUMP_FORMATS } from '../core/backup/options.ts';
import { loadConfig } from '../core/config/config.ts';
import { ROLES } from '../core/users/users.ts';
import { exitCodeFor, HoldfastError, toErrorInfo, type ErrorInfo } from '../core/model/errors.ts';
import { Holdfast } from '../core/holdfast.ts';
import { profileFromUri } from '../core/profiles/profiles.ts';
import { describeSchedulingStatus } from '../core/schedule/host-status.ts';
import { renderSchedulingHosts } from './schedule-hosts-view.ts';
import type { ServeFlags } from './serve.ts';
import { formatBackup, formatCleanup, formatDecision, formatList, formatRecoveries, formatRestoreTest, formatProfile, formatProfileTest, formatRestore, formatVerify, humanBytes, humanDuration } from './format.ts';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
}

const defaultIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stderr.isTTY),
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The whole of standard input, less one trailing newline, as `echo pw |` or a password manager sends it. */
async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password.length === 0) throw new HoldfastError('BAD_INPUT', '--password-stdin read an empty password.', 'Pipe the password in: printf %s "$PASSWORD" | holdfast profile add …');
  return password;
}

function integer(name: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new HoldfastError('BAD_INPUT', `${name} must be a whole number, not "${value}".`);
    return Number(value);
  };
}

function printError(io: Io, error: ErrorInfo, json: boolean): void {
  if (json) io.stdout(`${JSON.stringify({ ok: false, error })}\n`);
  io.stderr(`holdfast: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
}

/** A bar against the previous backup's size; without one there is nothing honest to draw. */
export function progressBar(bytes: number, expectedBytes: number | undefined, width = 20): string {
  if (!expectedBytes) return '';
  const fraction = Math.min(bytes / expectedBytes, 1);
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% `;
}

function progressPrinter(io: Io) {
  let lastPhase = '';
  return (event: ProgressEvent) => {
    if (event.operation === 'restore') {
      io.stderr(`${event.phase}…\n`);
      return;
    }
    const { phase, bytes, elapsedMs, expectedBytes } = event.progress;
    if (io.isTTY) {
      io.stderr(`\r\u001b[K${progressBar(bytes, expectedBytes)}${phase} ${humanBytes(bytes)} · ${humanDuration(elapsedMs)}${phase === 'done' ? '\n' : ''}`);
    } else if (phase !== lastPhase) {
      io.stderr(`${phase}${bytes ? ` (${humanBytes(bytes)})` : ''} at ${humanDuration(elapsedMs)}\n`);
    }
    lastPhase = phase;
  };
}

export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('holdfast')
    .description('PostgreSQL backups you can trust: checksummed, catalogued, verified, restorable.')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .showHelpAfterError('(run with --help for usage)');

  async function run<C extends Channel>(channel: C, input: unknown, json: boolean, render: (value: ChannelOutput<C>) => string, failed?: (value: ChannelOutput<C>) => boolean): Promise<void> {
    let holdfast: Holdfast;
    try {
      const opened = await Holdfast.open(loadConfig());
      holdfast = opened.holdfast;
      const { reconciled } = opened;
      for (const { run, pid } of reconciled.endedProcesses) io.stderr(`holdfast: ended process ${pid} (run ${run}), left running by a Holdfast that stopped.\n`);
      for (const { run, pid } of reconciled.stuckProcesses) io.stderr(`holdfast: process ${pid} (run ${run}), left running by a Holdfast that stopped, would not end; its profile stays locked until it does.\n`);
      const settled = reconciled.recoveredRestores ?? [];
      // A restore's run did not leave partial output to remove: what its recovery did is said instead.
      for (const id of reconciled.interruptedRuns) if (!settled.some((r) => r.runId === id)) io.stderr(`holdfast: run ${id} was interrupted by an earlier crash; its partial output was removed.\n`);
      for (const recovery of settled) io.stderr(`holdfast: restore run ${recovery.runId} of ${recovery.profile}/${recovery.database}: ${recovery.message}\n`);
      for (const filename of reconciled.finishedBackups) io.stderr(`holdfast: backup ${filename} was being sealed when Holdfast stopped; it was finished from its recorded checksum.\n`);
    } catch (error) {
      const info = toErrorInfo(error);
      printError(io, info, json);
      exitCode = exitCodeFor(info.code);
      return;
    }
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const result = await invoke(holdfast, channel, input, { signal: abort.signal, onProgress: progressPrinter(io) });
      if (!result.ok) {
        printError(io, result.error, json);
        exitCode = exitCodeFor(result.error.code);
        return;
      }
      io.stdout(json ? `${JSON.stringify(result.value, null, 2)}\n` : `${render(result.value)}\n`);
      if (failed?.(result.value)) exitCode = 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      holdfast.close();
    }
  }

  const profile = program.command('profile').description('Connection profiles');
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
      .option('--libpq-password-files', "let libpq's password files (~/.pgpass, PGPASSFILE, a service's password) answer for this profile (a super-admin's change under holdfast serve)")
      .option('--no-libpq-password-files', "never send a password from libpq's files for this profile (only the keychain's)")
      .option('--password-stdin', "read the password from standard input and store it in this host's secret store (HOLDFAST_SECRET_STORE: the OS keychain, or the credentials file)")
      .option('--json', 'print JSON');

  function profileFields(options: Record<string, unknown>): Record<string, unknown> {
    const fields: Record<string, unknown> = {};
    const copy: Array<[string, string]> = [
      ['host', 'host'], ['port', 'port'], ['user', 'user'], ['dbname', 'dbname'], ['sslmode', 'sslmode'], ['sslrootcert', 'sslrootcert'],
      ['sslcert', 'sslcert'], ['sslkey', 'sslkey'], ['service', 'service'], ['pgBin', 'pgBinDir'], ['notes', 'notes'], ['tag', 'tags'], ['drillCheck', 'drillChecks'],
      ['libpqPasswordFiles', 'libpqPasswordFiles'],
    ];
    for (const [flag, field] of copy) if (options[flag] !== undefined) fields[field] = options[flag];
    return fields;
  }

  /** A --url's connection fields, and its password (bound for the keychain) with a warning. */
  function connectionFromUrl(name: string, url: string) {
    const fromUri = profileFromUri(name, url);
    if (fromUri.password !== undefined) {
      io.stderr('holdfast: warning: the password in --url was visible to other users (process list) and is in your shell history; it is now stored in the OS keychain. Next time use --password-stdin.\n');
    }
    return fromUri;
  }

  connectionOptions(profile.command('add <name>').description('Add a connection profile'), true).action(async (name: string, options: Record<string, unknown>) => {
    let input: Record<string, unknown> = { name, ...profileFields(options) };
    let password = options.passwordStdin ? await readPasswordFromStdin() : undefined;
    if (typeof options.url === 'string') {
      const fromUri = connectionFromUrl(name, options.url);
      input = { ...fromUri.input, ...input };
      password ??= fromUri.password;
    }
    if (password !== undefined) input.password = password;
    await run('profile.add', input, Boolean(options.json), (p) => `Added profile ${p.name}: ${p.user}@${p.host}:${p.port}/${p.dbname}${p.keychainPassword ? ' (password in the OS keychain)' : ''}`);
  });
  connectionOptions(profile.command('edit <name>').description('Change a profile; unspecified fields stay as they are'), false)
    .option('--rename <new-name>', 'give the profile a new name')
    .option('--forget-password', 'remove its password from the OS keychain')
    .action(async (name: string, options: Record<string, unknown>) => {
      let changes = profileFields(options);
      let password = options.passwordStdin ? await readPasswordFromStdin() : undefined;
      if (typeof options.url === 'string') {
        // The URI is the new connection (host, port, user, dbname, SSL, service); flags beside it win.
        const fromUri = connectionFromUrl(name, options.url);
        const { name: _name, ...connection } = fromUri.input;
        changes = { ...connection, ...changes };
        password ??= fromUri.password;
      }
      if (typeof options.rename === 'string') changes.name = options.rename;
      const input: Record<string, unknown> = { name, changes, forgetPassword: Boolean(options.forgetPassword) };
      if (password !== undefined) input.password = password;
      await run('profile.edit', input, Boolean(options.json), (p) => `Updated profile ${p.name}: ${p.user}@${p.host}:${p.port}/${p.dbname}`);
    });
  profile
    .command('list')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await run('profile.list', {}, Boolean(options.json), (profiles) =>
        profiles.length === 0 ? 'No profiles. Add one with `holdfast profile add`.' : profiles.map((p) => `${p.name}  ${p.user}@${p.host}:${p.port}/${p.dbname}${p.tags.length ? `  [${p.tags.join(', ')}]` : ''}`).join('\n'),
      );
    });
  profile
    .command('show <name>')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await run('profile.show', { name }, Boolean(options.json), formatProfile);
    });
  profile
    .command('test <name>')
    .description('Connect and report version, role, privileges, size, SSL and client-tool match')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await run('profile.test', { name }, Boolean(options.json), formatProfileTest, (report) => !report.clientTools.compatible || report.unreadable.length > 0);
    });
  profile
    .command('remove <name>')
    .description('Remove a profile and its keychain entry; its backups are kept unless --delete-backups')
    .option('--delete-backups', 'also delete its backup files (catalogue history stays)')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { deleteBackups?: boolean; json?: boolean }) => {
      await run('profile.remove', { name, backups: options.deleteBackups ? 'delete' : 'keep' }, Boolean(options.json), (r) =>
        `Removed profile ${r.removed}; ${r.backups} its ${r.backupCount} backups${r.keychain === 'removed' ? '; removed its keychain password' : r.keychain === 'none' ? '' : `; ${r.keychain}`}.`,
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
        [`Created ${report.created.length} profiles.`, ...report.created.map((n) => `  + ${n}`), ...report.skipped.map((s) => `  - ${s.entry}: ${s.reason}`)].join('\n'),
      );
    });

  const backupOptionFlags = (command: Command) =>
    command
      .addOption(new Option('--format <format>', 'dump format').choices([...DUMP_FORMATS]).default('custom'))
      .option('--jobs <n>', 'parallel jobs (directory format)', integer('--jobs'))
      .option('--compress <method>', 'gzip[:1-9] (default), lz4[:level], zstd[:level] or none')
      .option('--schema-only', 'only the schema')
      .option('--data-only', 'only the data')
      .option('--table <pattern>', 'only tables matching (repeatable)', collect, [])
      .option('--exclude-table <pattern>', 'skip tables matching (repeatable)', collect, [])
      .option('--schema <pattern>', 'only schemas matching (repeatable)', collect, [])
      .option('--exclude-schema <pattern>', 'skip schemas matching (repeatable)', collect, [])
      .option('--suffix <suffix>', 'added to the file name, e.g. daily or manual');

  function backupOptionsFrom(options: Record<string, unknown>): Record<string, unknown> {
    const backupOptions: Record<string, unknown> = {
      format: options.format,
      schemaOnly: Boolean(options.schemaOnly),
      dataOnly: Boolean(options.dataOnly),
      tables: options.table,
      excludeTables: options.excludeTable,
      schemas: options.schema,
      excludeSchemas: options.excludeSchema,
    };
    if (options.jobs !== undefined) backupOptions.jobs = options.jobs;
    if (typeof options.compress === 'string') backupOptions.compression = parseCompression(options.compress);
    if (typeof options.suffix === 'string') backupOptions.suffix = options.suffix;
    return backupOptions;
  }

  backupOptionFlags(program.command('backup <profile>').description('Back up a profile now'))
    .option('--json', 'print the backup metadata as JSON')
    .action(async (name: string, options: Record<string, unknown>) => {
      await run('backup.create', { profile: name, options: backupOptionsFrom(options) }, Boolean(options.json), formatBackup);
    });

  const schedule = program.command('schedule').description('Scheduled backups (run by `holdfast daemon` or the desktop app)');
  backupOptionFlags(schedule.command('add <profile>').description('Add a schedule: a preset or a cron expression'))
    .option('--daily', `every day (BACKUP_DAILY_SCHEDULE, default "0 2 * * *")`)
    .option('--weekly', `every week (BACKUP_WEEKLY_SCHEDULE, default "0 3 * * 0")`)
    .option('--monthly', `every month (BACKUP_MONTHLY_SCHEDULE, default "0 4 1 * *")`)
    .option('--cron <expression>', 'a five-field cron expression')
    .option('--tz <zone>', 'IANA time zone (default: the system\'s)')
    .option('--retention <policy>', 'keep policy for this schedule, e.g. 30d or gfs:7d,4w,12m,3y')
    .option('--test-restore', 'prove each backup with a restore drill on a scratch server')
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
      await run('schedule.add', input, Boolean(options.json), (s) => `Added schedule ${s.id}: ${s.profile} ${s.description} (${s.schedule}, ${s.timeZone}); next run ${s.nextRun}`);
    });
  schedule
    .command('list [profile]')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: { json?: boolean }) => {
      await run('schedule.list', name ? { profile: name } : {}, Boolean(options.json), (schedules) =>
        schedules.length === 0
          ? 'No schedules. Add one with `holdfast schedule add <profile> --daily`.'
          : schedules.map((s) => `${s.id}  ${s.profile}  ${s.type}  ${s.description} (${s.timeZone})  next ${s.nextRun ?? '-'}  last ${s.lastRun ?? '-'} ${s.status}`).join('\n'),
      );
      if (!options.json && exitCode === 0) await run('schedule.hosts', {}, false, renderSchedulingHosts);
    });
  schedule.command('hosts').description('Which processes run the schedules, and which passwords they cannot read').option('--json', 'print JSON').action(async (options: { json?: boolean }) => run('schedule.hosts', {}, Boolean(options.json), renderSchedulingHosts));
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
    .command('remove <id>')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      await run('schedule.remove', { id }, Boolean(options.json), (r) => `Removed schedule ${r.removed}.`);
    });

  program
    .command('daemon')
    .description('Run the scheduler headless until SIGTERM/SIGINT (for servers; see the README for a systemd unit)')
    .option('--grace <seconds>', 'on shutdown, how long a running backup may take to finish', integer('--grace'), 300)
    .action(async (options: { grace: number }) => {
      // Loaded only for these commands: the HTTP host and its dependencies are most of the bundle, and
      // every other command would pay for parsing them at start (about 0.2 s of a backup's CPU).
      const { runDaemon } = await import('./daemon.ts');
      exitCode = await runDaemon(io, options.grace * 1000);
    });

  program
    .command('cleanup [profile]')
    .description('Apply retention: delete backups the policy lets go (file, sidecar, roles file); history stays')
    .option('--policy <policy>', 'e.g. 30d or gfs:7d,4w,12m,3y (default: the schedule\'s, else BACKUP_RETENTION_DAYS)')
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
    .option('--profile <profile>', 'only this profile\'s backups')
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

  program
    .command('stats')
    .description('Backup statistics (the specification\'s shape, plus per profile)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await run('backup.stats', {}, Boolean(options.json), (stats) =>
        [
          `${stats.totalBackups} backups, ${humanBytes(stats.totalSize)}; ${stats.successfulBackups} succeeded, ${stats.failedBackups} failed`,
          `newest ${stats.newestBackup ?? '-'}, oldest ${stats.oldestBackup ?? '-'}; last 24 h: ${stats.backupsLast24Hours}, last 7 days: ${stats.backupsLast7Days}`,
          ...stats.profiles.map((p) => `  ${p.profile}: ${p.totalBackups} backups, ${humanBytes(p.totalSize)}, last run ${p.lastRunStatus ?? '-'}`),
        ].join('\n'),
      );
    });

  program
    .command('health')
    .description('healthy / degraded / unhealthy, with the reasons (exit 1 unless healthy)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await run('backup.health', {}, Boolean(options.json), (health) =>
        [`${health.status}${health.lastBackup ? ` (last backup ${health.lastBackup})` : ''}`, ...health.reasons.map((r) => `  ${r.severity}: ${r.message}`), ...(health.scheduling.running.length ? [`  ${describeSchedulingStatus(health.scheduling)}`] : [])].join('\n'),
      (health) => health.status !== 'healthy');
    });

  program
    .command('serve')
    .description('Serve the UI, the REST API and the contract over HTTP with a token; prints the URL')
    .option('--host <address>', 'address to bind; beyond loopback only with --tls-cert/--tls-key or --insecure', '127.0.0.1')
    .option('--port <port>', 'port (default: a free one)', integer('--port'))
    .option('--tls-cert <file>', 'PEM certificate: serve https')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--insecure', 'allow a non-loopback --host without TLS (something else protects the connection)')
    .option('--public-health', 'GET /api/backup/health answers without a token (the verdict only), for monitors')
    .option('--no-schedules', 'run no schedules here (the desktop app or holdfast daemon runs them)')
    .action(async (options: ServeFlags) => {
      const { runServe } = await import('./serve.ts');
      exitCode = await runServe(io, options);
    });

  const user = program.command('user').description('API users of holdfast serve: each has a role and its own token (only a hash is stored)');
  const printIssued = (verb: string) => (issued: ChannelOutput<'user.add'>) =>
    `${verb} user ${issued.user.name} (${issued.user.role}). Its API token, shown only this once:\n${issued.token}\nSend it as "Authorization: Bearer <token>", or open holdfast serve's address with ?token=<token>.`;
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
        users.length === 0 ? 'No API users. Add one with `holdfast user add <name> --role admin`.' : users.map((u) => `${u.name}  ${u.role}  created ${u.createdAt}  last used ${u.lastUsedAt ?? '-'}`).join('\n'),
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

  program
    .command('audit')
    .description('The audit log: who did what, when')
    .option('--limit <n>', 'entries to show (newest first)', integer('--limit'), 100)
    .option('--json', 'print JSON')
    .action(async (options: { limit: number; json?: boolean }) => {
      await run('audit.list', { limit: options.limit }, Boolean(options.json), (entries) =>
        entries.map((e) => `${e.at}  ${e.actor}  ${e.action}  ${e.target ?? ''}${e.detail ? `  ${JSON.stringify(e.detail)}` : ''}`).join('\n') || 'The audit log is empty.',
      );
    });

  program
    .command('list [profile]')
    .description('List backups (newest last)')
    .option('--all', 'also list failed, interrupted and running attempts')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: { all?: boolean; json?: boolean }) => {
      await run('backup.list', { ...(name ? { profile: name } : {}), all: Boolean(options.all) }, Boolean(options.json), formatList);
    });

  program
    .command('verify <backup>')
    .description('Check a backup: size, SHA-256, structure and that pg_restore can read it (exit 1 if anything is off)')
    .option('--test-restore', 'also restore it into a scratch server of its major and compare every table\'s rows')
    .option('--on-major <n>', 'with --test-restore: a scratch server of this major instead (upgrade rehearsal)', integer('--on-major'))
    .option('--on-profile <profile>', 'with --test-restore: a throwaway database on this profile\'s server (it must be tagged drill-target, and not production) instead of a scratch server')
    .option('--json', 'print JSON')
    .action(async (ref: string, options: { json?: boolean; testRestore?: boolean; onMajor?: number; onProfile?: string }) => {
      if (options.testRestore) {
        await run('backup.testRestore', { ref, ...(options.onMajor ? { major: options.onMajor } : {}), ...(options.onProfile ? { onProfile: options.onProfile } : {}) }, Boolean(options.json), formatRestoreTest, (result) => !result.ok);
      } else {
        await run('backup.verify', { ref }, Boolean(options.json), formatVerify, (result) => !result.valid);
      }
    });

  for (const [verb, pinned] of [
    ['pin', true],
    ['unpin', false],
  ] as const) {
    program
      .command(`${verb} <backup>`)
      .description(pinned ? 'Keep a backup whatever the retention policy' : 'Hand a pinned backup back to the retention policy')
      .option('--json', 'print JSON')
      .action(async (ref: string, options: { json?: boolean }) => {
        await run('backup.pin', { ref, pinned }, Boolean(options.json), (backup) => `${backup.pinned ? 'Pinned' : 'Unpinned'}: ${backup.filename} (${backup.id})${backup.pinned ? '; retention keeps it whatever the policy' : ''}`);
      });
  }

  program
    .command('restore [backup]')
    .description('Restore a backup into a profile\'s server (or, with --recover, settle a replace restore a crash left mid-swap)')
    .option('--to <profile>', 'target profile (required unless --recover)')
    .option('--dbname <db>', 'target database (default: the profile\'s)')
    .option('--create', 'create the target database')
    .option('--clean', 'replace the target database (needs --confirm=<dbname>)')
    .option('--swap', 'replace the target but keep the old database as <db>__before_<time> (needs --confirm)')
    .option('--terminate-connections', 'end other sessions on the database being replaced')
    .option('--confirm <dbname>', 'the target database name (profile/database for a production profile)')
    .option('--no-owner', 'do not restore ownership')
    .option('--no-acl', 'do not restore privileges')
    .option('--jobs <n>', 'parallel pg_restore jobs', integer('--jobs'))
    .option('--dry-run', 'check everything and say what would happen; change nothing')
    .option('--recover', 'roll back (or forward) a --clean/--swap that Holdfast stopped in the middle of; every start does this too')
    .option('--json', 'print JSON')
    .action(async (ref: string | undefined, options: Record<string, unknown>, command: Command) => {
      if (options.recover) {
        if (ref !== undefined || options.to !== undefined) command.error('error: --recover takes no backup and no --to: it settles every interrupted restore');
        await run('restore.recover', {}, Boolean(options.json), formatRecoveries, (recoveries) => recoveries.some((r) => r.action === 'needs-attention' || r.action === 'not-reached'));
        return;
      }
      if (ref === undefined) command.error('error: missing required argument \'backup\'');
      if (options.to === undefined) command.error('error: required option \'--to <profile>\' not specified');
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
      await run('backup.restore', input, Boolean(options.json), formatRestore, (result) => !result.ok);
    });

  program
    .command('adopt <dir>')
    .description('Add backups found in a directory (by their .json sidecars) to the catalogue')
    .option('--json', 'print JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      await run('backup.adopt', { dir }, Boolean(options.json), (report) =>
        [`Adopted ${report.adopted.length} backups.`, ...report.adopted.map((f) => `  + ${f}`), ...report.skipped.map((s) => `  - ${s.file}: ${s.reason}`)].join('\n'),
      );
    });

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
  return exitCode;
}
