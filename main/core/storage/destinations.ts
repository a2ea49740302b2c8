// Named destinations beyond BACKUP_DIR: added, listed, tested and removed, and opened as a Destination
// for the engine. Their settings are catalogue rows (destination-settings.ts); a secret (the S3 secret
// access key) goes to this host's secret store under the account "destination:<id>" and nowhere else:
// never the catalogue, a sidecar, a log or argv. BACKUP_REMOTE_BUCKET (s3://bucket/prefix) with the
// standard AWS_* variables defines one more, named "remote", that lives in the environment only.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { HoldfastError } from '../model/errors.ts';
import { requireSecretStore } from '../secrets/require-store.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { Destination, TreeEntry } from './destination.ts';
import {
  describeSpec,
  DestinationSpecSchema,
  ENVIRONMENT_DESTINATION,
  S3SettingsSchema,
  type DestinationRecord,
  type DestinationSpec,
  type DestinationType,
  type S3Settings,
} from './destination-settings.ts';
import { LocalDirectoryDestination } from './local-directory.ts';
import type { S3Credentials } from './s3-destination.ts';

/**
 * The S3 destination and the AWS SDK behind it, loaded only when an S3 destination is opened: the SDK
 * is a large share of the CLI's start-up, and most commands (every backup without an S3 copy) never
 * touch it.
 */
const loadS3 = () => import('./s3-destination.ts');

interface DestinationRow {
  id: string;
  name: string;
  type: DestinationType;
  settings: string;
  has_secret: number;
  created_at: string;
}

export interface DestinationTestReport {
  name: string;
  type: DestinationType;
  where: string;
  /** A probe object was written, read back, compared and removed. */
  ok: true;
  elapsedMs: number;
}

export interface NewDestination {
  name: string;
  spec: DestinationSpec;
  /** From --secret-access-key-stdin; stored in the secret store only. */
  secretAccessKey?: string | undefined;
}

const secretAccount = (id: string) => `destination:${id}`;

export class Destinations {
  constructor(
    private readonly db: Database.Database,
    private readonly secrets: SecretStore,
    private readonly settings: { backupDir: string; env: NodeJS.ProcessEnv },
  ) {}

  async add(input: NewDestination): Promise<DestinationRecord> {
    const spec = DestinationSpecSchema.parse(input.spec) as DestinationSpec;
    if (this.row(input.name)) throw new HoldfastError('CONFLICT', `A destination named "${input.name}" already exists.`, 'Choose another name, or remove it first (holdfast destination remove).');
    if (spec.type === 'directory' && resolve(spec.settings.path) === resolve(this.settings.backupDir))
      throw new HoldfastError('BAD_INPUT', `${spec.settings.path} is BACKUP_DIR itself; a copy there would be no second copy.`, 'Give another disk or a mounted share (a NAS).');
    if (spec.type === 's3' && (input.secretAccessKey === undefined) !== (spec.settings.accessKeyId === undefined))
      throw new HoldfastError(
        'BAD_INPUT',
        'An S3 destination takes the access key id and the secret access key together (--access-key-id and --secret-access-key-stdin), or neither (the AWS_* variables or ~/.aws then answer).',
        'Give both, or leave both out.',
      );
    if (spec.type === 'directory' && input.secretAccessKey !== undefined) throw new HoldfastError('BAD_INPUT', 'A directory destination takes no secret.', 'Leave --secret-access-key-stdin out.');
    const id = randomBytes(6).toString('hex');
    const now = new Date().toISOString();
    if (input.secretAccessKey !== undefined) {
      await requireSecretStore(this.secrets);
      await this.secrets.set(secretAccount(id), input.secretAccessKey);
    }
    try {
      this.db
        .prepare('INSERT INTO destinations (id, name, type, settings, has_secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, input.name, spec.type, JSON.stringify(spec.settings), input.secretAccessKey === undefined ? 0 : 1, now, now);
    } catch (error) {
      if (input.secretAccessKey !== undefined) await this.secrets.delete(secretAccount(id)).catch(() => undefined);
      throw error;
    }
    return this.show(input.name);
  }

  list(): DestinationRecord[] {
    const rows = (this.db.prepare('SELECT * FROM destinations ORDER BY name').all() as DestinationRow[]).map(recordOf);
    const environment = this.environmentSpec();
    return environment
      ? [...rows, { name: ENVIRONMENT_DESTINATION, type: 's3', settings: environment.settings, source: 'environment', hasSecret: environment.credentials !== undefined, createdAt: null }]
      : rows;
  }

  show(name: string): DestinationRecord {
    const found = this.list().find((destination) => destination.name === name);
    if (!found) throw notFound(name);
    return found;
  }

  /** Writes a small probe object, reads it back, compares it and removes it; throws saying what failed. */
  async test(name: string): Promise<DestinationTestReport> {
    const started = performance.now();
    const record = this.show(name);
    const destination = await this.open(name);
    const { S3Destination } = await loadS3();
    try {
      if (destination instanceof S3Destination) await destination.probe();
      else await probe(destination);
    } finally {
      if (destination instanceof S3Destination) destination.destroy();
    }
    return { name, type: record.type, where: describeSpec({ type: record.type, settings: record.settings } as DestinationSpec), ok: true, elapsedMs: Math.round(performance.now() - started) };
  }

  /** Forgets the destination and its secret; what it stores stays where it is. */
  async remove(name: string): Promise<{ name: string; removed: true; secret: 'removed' | 'none' }> {
    if (name === ENVIRONMENT_DESTINATION && this.environmentSpec())
      throw new HoldfastError('BAD_INPUT', `"${ENVIRONMENT_DESTINATION}" is defined by BACKUP_REMOTE_BUCKET.`, 'Unset BACKUP_REMOTE_BUCKET in the environment instead.');
    const row = this.row(name);
    if (!row) throw notFound(name);
    this.db.prepare('DELETE FROM destinations WHERE id = ?').run(row.id);
    if (!row.has_secret) return { name, removed: true, secret: 'none' };
    await this.secrets.delete(secretAccount(row.id));
    return { name, removed: true, secret: 'removed' };
  }

  /** The destination as the storage room's interface; an S3 one reads its secret from the store now. */
  async open(name: string): Promise<Destination> {
    if (name === ENVIRONMENT_DESTINATION) {
      const environment = this.environmentSpec();
      if (environment) return new (await loadS3()).S3Destination(name, environment.settings, environment.credentials);
    }
    const row = this.row(name);
    if (!row) throw notFound(name);
    const record = recordOf(row);
    if (record.type === 'directory') return new MountedDirectoryDestination(name, (record.settings as { path: string }).path);
    const settings = record.settings as S3Settings;
    let credentials: S3Credentials | undefined;
    if (row.has_secret && settings.accessKeyId) {
      await requireSecretStore(this.secrets);
      const secretAccessKey = await this.secrets.get(secretAccount(row.id));
      if (secretAccessKey === undefined)
        throw new HoldfastError(
          'NO_KEYCHAIN',
          `Destination "${name}"'s secret access key is not in ${this.secrets.description} on this host.`,
          `Store it on this host: holdfast destination remove ${name}, then holdfast destination add ${name} … --access-key-id ID --secret-access-key-stdin.`,
        );
      credentials = { accessKeyId: settings.accessKeyId, secretAccessKey };
    }
    return new (await loadS3()).S3Destination(name, settings, credentials);
  }

  private row(name: string): DestinationRow | undefined {
    return this.db.prepare('SELECT * FROM destinations WHERE name = ?').get(name) as DestinationRow | undefined;
  }

  /** BACKUP_REMOTE_BUCKET=s3://bucket[/prefix] with AWS_REGION, AWS_ENDPOINT_URL(_S3), AWS_S3_FORCE_PATH_STYLE and the key pair. */
  private environmentSpec(): { settings: S3Settings; credentials: S3Credentials | undefined } | undefined {
    const env = this.settings.env;
    const url = env.BACKUP_REMOTE_BUCKET?.trim();
    if (!url) return undefined;
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
    const parsed = match
      ? S3SettingsSchema.safeParse({
          bucket: match[1],
          prefix: match[2] ?? '',
          region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
          ...(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL } : {}),
          pathStyle: /^(1|true|yes)$/i.test(env.AWS_S3_FORCE_PATH_STYLE ?? ''),
          ...(env.AWS_ACCESS_KEY_ID ? { accessKeyId: env.AWS_ACCESS_KEY_ID } : {}),
        })
      : undefined;
    if (!parsed?.success)
      throw new HoldfastError(
        'BAD_INPUT',
        `BACKUP_REMOTE_BUCKET=${JSON.stringify(url)} is not valid${parsed ? `: ${parsed.error.issues[0]?.message}` : ''}.`,
        'Give it as s3://bucket or s3://bucket/prefix, with AWS_REGION (and AWS_ENDPOINT_URL for a service other than AWS).',
      );
    const credentials = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } : undefined;
    return { settings: parsed.data, credentials };
  }
}

/**
 * A second local or mounted directory (a NAS): the local medium's durable writes, but the directory
 * must already exist. An unmounted share's empty mount point would otherwise be created and filled
 * on the local disk, looking like a copy elsewhere.
 */
class MountedDirectoryDestination extends LocalDirectoryDestination {
  override async put(key: string, source: Readable, expected: { sha256: string; size: number }): Promise<void> {
    await this.requireRoot();
    return super.put(key, source, expected);
  }

  override async putTree(key: string, sourceDir: string, expected: readonly TreeEntry[]): Promise<void> {
    await this.requireRoot();
    return super.putTree(key, sourceDir, expected);
  }

  private async requireRoot(): Promise<void> {
    const info = await stat(this.root).catch(() => undefined);
    if (!info?.isDirectory())
      throw new HoldfastError(
        'CONNECTION_FAILED',
        `Destination "${this.name}": ${this.root} is not a directory that exists.`,
        "Mount the share (or create the directory), then try again; Holdfast does not create a destination's root.",
      );
  }
}

async function probe(destination: Destination): Promise<void> {
  const body = Buffer.from(`holdfast destination test ${new Date().toISOString()}\n`);
  const key = `.holdfast-probe-${randomBytes(6).toString('hex')}`;
  const sha256 = createHash('sha256').update(body).digest('hex');
  try {
    await destination.put(key, Readable.from([body]), { sha256, size: body.length });
    const hash = createHash('sha256');
    for await (const chunk of await destination.open(key)) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== sha256) throw new HoldfastError('VERIFY_FAILED', `Destination "${destination.name}" returned other bytes than were written.`, 'Check the disk or share.');
  } finally {
    await destination.remove(key).catch(() => undefined);
  }
}

function recordOf(row: DestinationRow): DestinationRecord {
  const spec = DestinationSpecSchema.parse({ type: row.type, settings: JSON.parse(row.settings) });
  return { name: row.name, type: spec.type, settings: spec.settings, source: 'catalogue', hasSecret: row.has_secret === 1, createdAt: row.created_at };
}

function notFound(name: string): HoldfastError {
  return new HoldfastError('NOT_FOUND', `No destination named "${name}".`, 'List them with holdfast destination list, or add one with holdfast destination add.');
}
