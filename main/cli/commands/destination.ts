// `holdfast destination add|edit|list|show|test|remove`: named places a backup's copies go beyond
// BACKUP_DIR. A secret (an S3 secret access key, an Azure connection string or SAS URL, an SSH
// password or key passphrase) arrives only on standard input, and an SSH key from its file, read once;
// each goes to this host's secret store and is never an argument, printed, or written to the catalogue.
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { ChannelOutput } from '../../contract.ts';
import { HoldfastError } from '../../core/model/errors.ts';
import { DESTINATION_TYPES, type DestinationSpec } from '../../core/storage/destination-settings.ts';
import { describeSpec } from '../../core/storage/destination-where.ts';
import type { CommandContext } from '../runner.ts';

async function readSecretFromStdin(flag: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const secret = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (secret.length === 0) throw new HoldfastError('BAD_INPUT', `${flag} read nothing from standard input.`, `Pipe the secret in: printf %s "$SECRET" | holdfast destination add … ${flag}`);
  return secret;
}

interface SettingsOptions {
  path?: string;
  bucket?: string;
  prefix?: string;
  region?: string;
  endpoint?: string;
  pathStyle?: boolean;
  accessKeyId?: string;
  storageClass?: string;
  sse?: string;
  sseKmsKeyId?: string;
  container?: string;
  host?: string;
  port?: string;
  user?: string;
  hostKey?: string;
}

interface SecretOptions {
  secretAccessKeyStdin?: boolean;
  connectionStringStdin?: boolean;
  sasUrlStdin?: boolean;
  key?: string;
  keyPassphraseStdin?: boolean;
  passwordStdin?: boolean;
}

type AddOptions = SettingsOptions & SecretOptions & { type: (typeof DESTINATION_TYPES)[number]; json?: boolean };
type EditOptions = SettingsOptions & SecretOptions & { acceptHostKey?: string; retention?: string; json?: boolean };

const SETTING_FLAGS = ['path', 'bucket', 'prefix', 'region', 'endpoint', 'accessKeyId', 'storageClass', 'sse', 'sseKmsKeyId', 'container', 'host', 'user', 'hostKey'] as const;

/** The settings the flags give (a port as a number); zod (in the contract) says what is missing, wrong, or not for this type. */
function settingsFrom(options: SettingsOptions & SecretOptions): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const field of SETTING_FLAGS) if (options[field] !== undefined) settings[field] = options[field];
  if (options.pathStyle) settings.pathStyle = true;
  if (options.port !== undefined) settings.port = /^\d+$/.test(options.port) ? Number(options.port) : options.port;
  if (options.connectionStringStdin) settings.credential = 'connection-string';
  if (options.sasUrlStdin) settings.credential = 'sas-url';
  if (options.key !== undefined) settings.auth = 'key';
  if (options.passwordStdin) settings.auth = 'password';
  return settings;
}

/** The one secret the flags ask for: read from standard input (or, for --key, the file, read once), never from argv. */
async function secretFrom(options: SecretOptions): Promise<{ secretAccessKey?: string; secret?: Record<string, string> }> {
  const stdinFlags = (['secretAccessKeyStdin', 'connectionStringStdin', 'sasUrlStdin', 'keyPassphraseStdin', 'passwordStdin'] as const).filter((flag) => options[flag]);
  if (stdinFlags.length > 1)
    throw new HoldfastError('BAD_INPUT', 'Only one secret can come from standard input at a time.', 'Give one of the --…-stdin flags; edit the destination again for another.');
  if (options.keyPassphraseStdin && options.key === undefined) throw new HoldfastError('BAD_INPUT', '--key-passphrase-stdin goes with --key FILE.', 'Give the key file too.');
  if (options.key !== undefined && options.passwordStdin)
    throw new HoldfastError('BAD_INPUT', 'An SFTP destination logs in with a key or with a password, not both.', 'Give --key FILE or --password-stdin.');
  if (options.secretAccessKeyStdin) return { secretAccessKey: await readSecretFromStdin('--secret-access-key-stdin') };
  if (options.connectionStringStdin) return { secret: { connectionString: await readSecretFromStdin('--connection-string-stdin') } };
  if (options.sasUrlStdin) return { secret: { sasUrl: await readSecretFromStdin('--sas-url-stdin') } };
  if (options.passwordStdin) return { secret: { password: await readSecretFromStdin('--password-stdin') } };
  if (options.key !== undefined) {
    const privateKey = await readFile(options.key, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new HoldfastError(
        'BAD_INPUT',
        `The key file ${options.key} cannot be read (${error.code ?? error.message}).`,
        'Give the path of the private key file (such as ~/.ssh/id_ed25519) that this user can read.',
      );
    });
    const passphrase = options.keyPassphraseStdin ? await readSecretFromStdin('--key-passphrase-stdin') : undefined;
    return { secret: { privateKey, ...(passphrase !== undefined ? { passphrase } : {}) } };
  }
  return {};
}

/** The settings flags every type shares between add and edit. */
function settingsOptions(command: Command): Command {
  return command
    .option('--path <dir>', 'directory: an absolute path that exists (a mounted share); sftp: the remote directory, which must exist')
    .option('--bucket <bucket>', 's3: the bucket')
    .option('--prefix <prefix>', 's3, azure: a key prefix inside the bucket or container')
    .option('--region <region>', 's3: the region (default us-east-1)')
    .option('--endpoint <url>', 's3: the service URL, for any S3-compatible service but AWS (MinIO, R2, B2, …)')
    .option('--path-style', 's3: address the bucket in the path (MinIO and most self-hosted services need it)')
    .option('--access-key-id <id>', 's3: the access key id (with --secret-access-key-stdin)')
    .option('--secret-access-key-stdin', "s3: read the secret access key from standard input and keep it in this host's secret store")
    .option('--storage-class <class>', 's3: the storage class of every upload (STANDARD_IA, GLACIER_IR, …)')
    .addOption(new Option('--sse <algorithm>', 's3: server-side encryption of every upload').choices(['AES256', 'aws:kms']))
    .option('--sse-kms-key-id <id>', "s3: the KMS key for --sse aws:kms (default: the bucket's)")
    .option('--container <name>', 'azure: the container')
    .option('--connection-string-stdin', "azure: read the storage account's connection string from standard input (kept in this host's secret store)")
    .option('--sas-url-stdin', "azure: read a SAS URL (the account's or the container's) from standard input (kept in this host's secret store)")
    .option('--host <host>', 'sftp: the SSH server')
    .option('--port <port>', 'sftp: its port (default 22)')
    .option('--user <user>', 'sftp: the user to log in as')
    .option('--host-key <fingerprint>', 'sftp: pin this host key (SHA256:…, from ssh-keygen -lf on the server) instead of the one the first destination test sees')
    .option('--key <file>', "sftp: a private key file, read once and kept in this host's secret store")
    .option('--key-passphrase-stdin', "sftp: read the key's passphrase from standard input")
    .option('--password-stdin', "sftp: read the user's password from standard input (kept in this host's secret store)")
    .option('--json', 'print JSON');
}

type ShownDestination = ChannelOutput<'destination.show'>;
const where = (destination: ShownDestination) => describeSpec({ type: destination.type, settings: destination.settings } as DestinationSpec);

function formatDestination(destination: ShownDestination): string {
  const lines = [`${destination.name}  ${destination.type}  ${where(destination)}`];
  if (destination.retention) lines.push(`  retention ${destination.retention} (its copies; the newest verified copy of each profile always stays)`);
  if (destination.type === 's3') {
    const settings = destination.settings as { region: string; pathStyle: boolean; accessKeyId?: string };
    lines.push(`  region ${settings.region}${settings.pathStyle ? ', path-style' : ''}`);
    lines.push(
      `  credentials: ${destination.hasSecret ? `access key ${settings.accessKeyId ?? '(from the environment)'}, secret in this host's secret store` : 'the AWS_* variables or ~/.aws (none stored)'}`,
    );
  }
  if (destination.type === 's3') {
    const settings = destination.settings as { storageClass?: string; sse?: string; sseKmsKeyId?: string };
    if (settings.storageClass || settings.sse)
      lines.push(
        `  uploads: ${[settings.storageClass && `storage class ${settings.storageClass}`, settings.sse && `server-side encryption ${settings.sse}${settings.sseKmsKeyId ? ` (key ${settings.sseKmsKeyId})` : ''}`].filter(Boolean).join(', ')}`,
      );
  }
  if (destination.type === 'azure') {
    const settings = destination.settings as { credential: string };
    lines.push(`  credentials: ${settings.credential === 'sas-url' ? 'a SAS URL' : 'a connection string'}${destination.hasSecret ? " in this host's secret store" : ', not stored on this host'}`);
  }
  if (destination.type === 'sftp') {
    const settings = destination.settings as { auth: string; hostKey?: string };
    lines.push(`  login: ${settings.auth === 'key' ? 'a private key' : 'a password'}${destination.hasSecret ? " in this host's secret store" : ', not stored on this host'}`);
    lines.push(`  host key: ${settings.hostKey ?? 'not pinned yet (holdfast destination test pins it)'}`);
  }
  if (destination.source === 'environment') lines.push('  defined by BACKUP_REMOTE_BUCKET');
  const last = destination.lastTest;
  lines.push(
    last === null
      ? `  last test: never (holdfast destination test ${destination.name})`
      : last.ok
        ? `  last test: passed ${last.at}`
        : `  last test: FAILED ${last.at}: ${last.message ?? 'no reason given'}`,
  );
  return lines.join('\n');
}

export function destinationCommands(program: Command, { run }: CommandContext): void {
  const destination = program
    .command('destination')
    .description('Places backups are copied to beyond BACKUP_DIR: a second directory (a NAS), an S3-compatible bucket, an Azure Blob container or an SFTP server');
  settingsOptions(
    destination
      .command('add <name>')
      .description('Add a destination; test it with holdfast destination test (an SFTP one must be: the test pins its host key)')
      .addOption(new Option('--type <type>', DESTINATION_TYPES.join(', ')).choices([...DESTINATION_TYPES]).makeOptionMandatory()),
  ).action(async (name: string, options: AddOptions) => {
    const secrets = await secretFrom(options);
    await run(
      'destination.add',
      { name, spec: { type: options.type, settings: settingsFrom(options) }, ...secrets },
      Boolean(options.json),
      (added) => `Added destination ${formatDestination(added)}`,
    );
  });
  settingsOptions(
    destination
      .command('edit <name>')
      .description('Change settings, store a new secret, or accept a changed SFTP host key; what it stores stays where it is')
      .option('--accept-host-key <fingerprint>', "sftp: pin this host key (SHA256:…) after checking it with the server's administrator")
      .option('--retention <policy>', 'keep policy for the copies it holds, e.g. gfs:7d,4w,12m (applied by cleanup and the scheduled cleanup; "none" removes it)'),
  ).action(async (name: string, options: EditOptions) => {
    const secrets = await secretFrom(options);
    const settings = settingsFrom(options);
    await run(
      'destination.edit',
      {
        name,
        ...(Object.keys(settings).length > 0 ? { settings } : {}),
        ...secrets,
        ...(options.acceptHostKey !== undefined ? { acceptHostKey: options.acceptHostKey } : {}),
        ...(options.retention !== undefined ? { retention: options.retention === 'none' ? null : options.retention } : {}),
      },
      Boolean(options.json),
      (edited) => `Changed destination ${formatDestination(edited)}`,
    );
  });
  destination
    .command('list')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await run('destination.list', {}, Boolean(options.json), (all) =>
        all.length === 0 ? 'No destinations: backups live in BACKUP_DIR only. Add one with holdfast destination add.' : all.map(formatDestination).join('\n'),
      );
    });
  destination
    .command('show <name>')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await run('destination.show', { name }, Boolean(options.json), formatDestination);
    });
  destination
    .command('test <name>')
    .description('Write a small object, read it back, compare it and remove it')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await run(
        'destination.test',
        { name },
        Boolean(options.json),
        (report) =>
          `Destination ${report.name} works: ${report.where} took a test object, gave it back intact and removed it (${report.elapsedMs} ms).` +
          (report.hostKey?.pinned === 'now'
            ? `\nPinned the server's host key ${report.hostKey.fingerprint}: compare it with the server's own (ssh-keygen -lf on its host key); a different key is refused from now on.`
            : report.hostKey
              ? `\nHost key ${report.hostKey.fingerprint} matches the pinned one.`
              : ''),
      );
    });
  destination
    .command('remove <name>')
    .description('Forget a destination and its stored secret; what it stores is left where it is')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await run('destination.remove', { name }, Boolean(options.json), (r) => `Removed destination ${r.name}${r.secret === 'removed' ? ' and its secret' : ''}; what it stores was left where it is.`);
    });
}
