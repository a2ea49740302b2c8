// `holdfast destination add|list|show|test|remove`: named places a backup's copies go beyond
// BACKUP_DIR. A secret access key arrives only on standard input (--secret-access-key-stdin) and goes
// to this host's secret store; it is never an argument, printed, or written to the catalogue.
import { Option, type Command } from 'commander';
import type { ChannelOutput } from '../../contract.ts';
import { HoldfastError } from '../../core/model/errors.ts';
import { DESTINATION_TYPES, describeSpec, type DestinationSpec } from '../../core/storage/destination-settings.ts';
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

interface AddOptions {
  type: (typeof DESTINATION_TYPES)[number];
  path?: string;
  bucket?: string;
  prefix?: string;
  region?: string;
  endpoint?: string;
  pathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKeyStdin?: boolean;
  json?: boolean;
}

/** The flags as the contract's spec; zod (in the contract) says what is missing or wrong. */
function specFrom(options: AddOptions): unknown {
  if (options.type === 'directory') return { type: 'directory', settings: { path: options.path } };
  const settings: Record<string, unknown> = { bucket: options.bucket, pathStyle: Boolean(options.pathStyle) };
  for (const field of ['prefix', 'region', 'endpoint', 'accessKeyId'] as const) if (options[field] !== undefined) settings[field] = options[field];
  return { type: 's3', settings };
}

type ShownDestination = ChannelOutput<'destination.show'>;
const where = (destination: ShownDestination) => describeSpec({ type: destination.type, settings: destination.settings } as DestinationSpec);

function formatDestination(destination: ShownDestination): string {
  const lines = [`${destination.name}  ${destination.type}  ${where(destination)}`];
  if (destination.type === 's3') {
    const settings = destination.settings as { region: string; pathStyle: boolean; accessKeyId?: string };
    lines.push(`  region ${settings.region}${settings.pathStyle ? ', path-style' : ''}`);
    lines.push(
      `  credentials: ${destination.hasSecret ? `access key ${settings.accessKeyId ?? '(from the environment)'}, secret in this host's secret store` : 'the AWS_* variables or ~/.aws (none stored)'}`,
    );
  }
  if (destination.source === 'environment') lines.push('  defined by BACKUP_REMOTE_BUCKET');
  return lines.join('\n');
}

export function destinationCommands(program: Command, { run }: CommandContext): void {
  const destination = program.command('destination').description('Places backups are copied to beyond BACKUP_DIR: a second directory (a NAS) or an S3-compatible bucket');
  destination
    .command('add <name>')
    .description('Add a destination; test it with holdfast destination test')
    .addOption(new Option('--type <type>', 'directory or s3').choices([...DESTINATION_TYPES]).makeOptionMandatory())
    .option('--path <dir>', 'directory: an absolute path that exists (a mounted share)')
    .option('--bucket <bucket>', 's3: the bucket')
    .option('--prefix <prefix>', 's3: a key prefix inside the bucket')
    .option('--region <region>', 's3: the region (default us-east-1)')
    .option('--endpoint <url>', 's3: the service URL, for any S3-compatible service but AWS (MinIO, R2, B2, …)')
    .option('--path-style', 's3: address the bucket in the path (MinIO and most self-hosted services need it)')
    .option('--access-key-id <id>', 's3: the access key id (with --secret-access-key-stdin)')
    .option('--secret-access-key-stdin', "s3: read the secret access key from standard input and keep it in this host's secret store")
    .option('--json', 'print JSON')
    .action(async (name: string, options: AddOptions) => {
      const secretAccessKey = options.secretAccessKeyStdin ? await readSecretFromStdin('--secret-access-key-stdin') : undefined;
      await run(
        'destination.add',
        { name, spec: specFrom(options), ...(secretAccessKey !== undefined ? { secretAccessKey } : {}) },
        Boolean(options.json),
        (added) => `Added destination ${formatDestination(added)}`,
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
        (report) => `Destination ${report.name} works: ${report.where} took a test object, gave it back intact and removed it (${report.elapsedMs} ms).`,
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
