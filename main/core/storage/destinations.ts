// Named destinations beyond BACKUP_DIR: added, edited, listed, tested and removed, and opened as a
// Destination for the engine. Their settings are catalogue rows (destination-settings.ts); a secret
// (an S3 secret access key; an Azure connection string or SAS URL; an SFTP key, its passphrase, or a
// password) goes to this host's secret store under the account "destination:<id>" and nowhere else:
// never the catalogue, a sidecar, a log or argv. An S3 secret is stored as it is; the others as JSON. BACKUP_REMOTE_BUCKET (s3://bucket/prefix) with the
// standard AWS_* variables defines one more, named "remote", that lives in the environment only.
import { parseRetentionPolicy } from '../retention/policy-text.ts';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { onFirstUse } from '../process/first-use.ts';
import { HoldfastError } from '../model/errors.ts';
import { requireSecretStore } from '../secrets/require-store.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { Destination } from './destination.ts';
import { describeSpec } from './destination-where.ts';
import { DestinationTests, type DestinationLastTest } from './destination-tests.ts';
import {
  DestinationSecretSchema,
  DestinationSpecSchema,
  ENVIRONMENT_DESTINATION,
  HostKeyFingerprintSchema,
  S3SettingsSchema,
  secretMatches,
  type DestinationRecord,
  type DestinationSecret,
  type DestinationSpec,
  type DestinationType,
  type S3Settings,
} from './destination-settings.ts';
import { MountedDirectoryDestination, probe } from './mounted-directory.ts';
import type { S3Credentials } from './s3-destination.ts';
import type { AzureSecret } from './azure-destination.ts';
import type { HostKeyPolicy, SftpSecret } from './sftp-destination.ts';

/**
 * Each remote medium and its SDK, loaded only when such a destination is opened: the AWS and Azure
 * SDKs are a large share of the CLI's start-up, and most commands (every backup without a remote
 * copy) never touch them.
 */
const loadS3 = onFirstUse(() => import('./s3-destination.ts'));
const loadAzure = onFirstUse(() => import('./azure-destination.ts'));
const loadSftp = onFirstUse(() => import('./sftp-destination.ts'));

interface DestinationRow {
  id: string;
  name: string;
  type: DestinationType;
  settings: string;
  has_secret: number;
  created_at: string;
  retention: string | null;
}

export interface DestinationTestReport {
  name: string;
  type: DestinationType;
  where: string;
  /** A probe object was written, read back, compared and removed. */
  ok: true;
  elapsedMs: number;
  /** SFTP: the server's host key fingerprint, and whether this test pinned it ('now') or checked it against the pinned one. */
  hostKey?: { fingerprint: string; pinned: 'now' | 'already' };
}

export interface NewDestination {
  name: string;
  spec: DestinationSpec;
  /** S3: from --secret-access-key-stdin; stored in the secret store only. */
  secretAccessKey?: string | undefined;
  /** Azure and SFTP: the connection string, SAS URL, key (and passphrase) or password; stored in the secret store only. */
  secret?: DestinationSecret | undefined;
}

export interface DestinationEdit {
  name: string;
  /** Settings to change; the others stay. null removes an optional setting (a prefix, a storage class, …). */
  settings?: Record<string, unknown> | undefined;
  secretAccessKey?: string | undefined;
  secret?: DestinationSecret | undefined;
  /** SFTP: pin this host key fingerprint instead of the one pinned (after the server's key was changed on purpose). */
  acceptHostKey?: string | undefined;
  /** Its own retention policy, e.g. gfs:7d,4w,12m (checked like any policy); null removes it. */
  retention?: string | null | undefined;
}

const secretAccount = (id: string) => `destination:${id}`;

export class Destinations {
  private readonly tests: DestinationTests;

  constructor(
    private readonly db: Database.Database,
    private readonly secrets: SecretStore,
    private readonly settings: { backupDir: string; env: NodeJS.ProcessEnv },
  ) {
    this.tests = new DestinationTests(db);
  }

  async add(input: NewDestination): Promise<DestinationRecord> {
    const spec = DestinationSpecSchema.parse(input.spec) as DestinationSpec;
    if (this.row(input.name)) throw new HoldfastError('CONFLICT', `A destination named "${input.name}" already exists.`, 'Choose another name, or remove it first (holdfast destination remove).');
    this.checkSpec(spec, input, { hasStoredSecret: false });
    const id = randomBytes(6).toString('hex');
    const now = new Date().toISOString();
    const secret = secretText(input);
    if (secret !== undefined) {
      await requireSecretStore(this.secrets);
      await this.secrets.set(secretAccount(id), secret);
    }
    try {
      this.db
        .prepare('INSERT INTO destinations (id, name, type, settings, has_secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, input.name, spec.type, JSON.stringify(spec.settings), secret === undefined ? 0 : 1, now, now);
    } catch (error) {
      if (secret !== undefined) await this.secrets.delete(secretAccount(id)).catch(() => undefined);
      throw error;
    }
    return this.show(input.name);
  }

  /**
   * Changes settings, stores a new secret, or accepts a new SFTP host key. The merged settings are
   * checked like add's; a new secret replaces the stored one only once the row is written.
   */
  async edit(input: DestinationEdit): Promise<DestinationRecord> {
    if (input.name === ENVIRONMENT_DESTINATION && this.environmentSpec())
      throw new HoldfastError('BAD_INPUT', `"${ENVIRONMENT_DESTINATION}" is defined by BACKUP_REMOTE_BUCKET.`, 'Change the BACKUP_REMOTE_BUCKET and AWS_* variables instead.');
    const row = this.row(input.name);
    if (!row) throw notFound(input.name);
    const merged: Record<string, unknown> = { ...(JSON.parse(row.settings) as Record<string, unknown>) };
    for (const [field, value] of Object.entries(input.settings ?? {})) {
      if (value === null) delete merged[field];
      else merged[field] = value;
    }
    if (input.acceptHostKey !== undefined) {
      if (row.type !== 'sftp') throw new HoldfastError('BAD_INPUT', `Destination "${input.name}" is ${row.type}; only an SFTP destination has a host key.`, 'Leave --accept-host-key out.');
      merged.hostKey = HostKeyFingerprintSchema.parse(input.acceptHostKey);
    }
    const spec = DestinationSpecSchema.parse({ type: row.type, settings: merged }) as DestinationSpec;
    const credentialChanged = (spec.type === 'azure' || spec.type === 'sftp') && credentialKind(spec) !== credentialKind(recordOf(row) as DestinationSpec);
    this.checkSpec(spec, input, { hasStoredSecret: row.has_secret === 1 && !credentialChanged });
    const secret = secretText(input);
    if (secret !== undefined) await requireSecretStore(this.secrets);
    // Parsed now: a typo must fail the edit, not every scheduled cleanup after it.
    if (input.retention) parseRetentionPolicy(input.retention);
    const retention = input.retention === undefined ? row.retention : input.retention;
    this.db
      .prepare('UPDATE destinations SET settings = ?, has_secret = ?, retention = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify(spec.settings), secret !== undefined || row.has_secret === 1 ? 1 : 0, retention, new Date().toISOString(), row.id);
    if (secret !== undefined) await this.secrets.set(secretAccount(row.id), secret);
    // A last test speaks for the settings and credentials it reached; pointed elsewhere, it is untested again.
    if (secret !== undefined || JSON.stringify(spec.settings) !== JSON.stringify(JSON.parse(row.settings))) this.tests.forget(input.name);
    return this.show(input.name);
  }

  list(): DestinationRecord[] {
    const tests = this.tests.all();
    const rows = (this.db.prepare('SELECT * FROM destinations ORDER BY name').all() as DestinationRow[]).map((row) => recordOf(row, tests.get(row.name) ?? null));
    const environment = this.environmentSpec();
    return environment
      ? [
          ...rows,
          {
            name: ENVIRONMENT_DESTINATION,
            type: 's3',
            settings: environment.settings,
            source: 'environment',
            hasSecret: environment.credentials !== undefined,
            createdAt: null,
            retention: null,
            lastTest: tests.get(ENVIRONMENT_DESTINATION) ?? null,
          },
        ]
      : rows;
  }

  show(name: string): DestinationRecord {
    const found = this.list().find((destination) => destination.name === name);
    if (!found) throw notFound(name);
    return found;
  }

  /** Writes a small probe object, reads it back, compares it and removes it; throws saying what failed. Either way the outcome is kept as its last test. */
  async test(name: string): Promise<DestinationTestReport> {
    this.show(name);
    const at = new Date().toISOString();
    try {
      const report = await this.probeTest(name);
      this.tests.record(name, { at, ok: true, message: null });
      return report;
    } catch (error) {
      this.tests.record(name, { at, ok: false, message: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  private async probeTest(name: string): Promise<DestinationTestReport> {
    const started = performance.now();
    const record = this.show(name);
    const where = describeSpec({ type: record.type, settings: record.settings } as DestinationSpec);
    const report = (extra: Partial<DestinationTestReport> = {}): DestinationTestReport => ({ name, type: record.type, where, ok: true, elapsedMs: Math.round(performance.now() - started), ...extra });
    if (record.type === 'sftp') {
      const destination = (await this.open(name, 'pin-if-unpinned')) as import('./sftp-destination.ts').SftpDestination;
      const pinnedBefore = (record.settings as { hostKey?: string }).hostKey;
      await destination.probe();
      const fingerprint = destination.hostKey!;
      if (pinnedBefore === undefined) await this.edit({ name, acceptHostKey: fingerprint });
      return report({ hostKey: { fingerprint, pinned: pinnedBefore === undefined ? 'now' : 'already' } });
    }
    const destination = await this.open(name);
    const probeOf = (destination as { probe?: () => Promise<void> }).probe;
    try {
      await (probeOf ? probeOf.call(destination) : probe(destination));
    } finally {
      (destination as { destroy?: () => void }).destroy?.();
    }
    return report();
  }

  /** Forgets the destination and its secret; what it stores stays where it is. */
  async remove(name: string): Promise<{ name: string; removed: true; secret: 'removed' | 'none' }> {
    if (name === ENVIRONMENT_DESTINATION && this.environmentSpec())
      throw new HoldfastError('BAD_INPUT', `"${ENVIRONMENT_DESTINATION}" is defined by BACKUP_REMOTE_BUCKET.`, 'Unset BACKUP_REMOTE_BUCKET in the environment instead.');
    const row = this.row(name);
    if (!row) throw notFound(name);
    this.db.prepare('DELETE FROM destinations WHERE id = ?').run(row.id);
    this.tests.forget(name);
    if (!row.has_secret) return { name, removed: true, secret: 'none' };
    await this.secrets.delete(secretAccount(row.id));
    return { name, removed: true, secret: 'removed' };
  }

  /** The destination as the storage room's interface; a remote one reads its secret from the store now. */
  async open(name: string, hostKeyPolicy: HostKeyPolicy = 'check'): Promise<Destination> {
    if (name === ENVIRONMENT_DESTINATION) {
      const environment = this.environmentSpec();
      if (environment) return new (await loadS3()).S3Destination(name, environment.settings, environment.credentials);
    }
    const row = this.row(name);
    if (!row) throw notFound(name);
    const spec = recordOf(row) as DestinationSpec;
    switch (spec.type) {
      case 'directory':
        await this.refuseBackupDirAlias(name, spec.settings.path);
        return new MountedDirectoryDestination(name, spec.settings.path);
      case 's3': {
        const secretAccessKey = row.has_secret && spec.settings.accessKeyId ? await this.storedSecret(row) : undefined;
        const credentials: S3Credentials | undefined = secretAccessKey !== undefined && spec.settings.accessKeyId ? { accessKeyId: spec.settings.accessKeyId, secretAccessKey } : undefined;
        return new (await loadS3()).S3Destination(name, spec.settings, credentials);
      }
      case 'azure':
        return new (await loadAzure()).AzureDestination(name, spec.settings, (await this.storedSecretOf(row, spec)) as AzureSecret);
      case 'sftp':
        return new (await loadSftp()).SftpDestination(name, spec.settings, (await this.storedSecretOf(row, spec)) as SftpSecret, hostKeyPolicy);
    }
  }

  /**
   * A directory destination that is BACKUP_DIR under another name (a symlink, a bind mount, or
   * BACKUP_DIR changed since it was added) holds the local files themselves: a retry's clearing of what
   * a failed try left, or the destination's retention, deleted the backup. Checked each time it is
   * opened, by the directories' device and inode.
   */
  private async refuseBackupDirAlias(name: string, path: string): Promise<void> {
    const [destination, local] = await Promise.all([stat(path).catch(() => undefined), stat(this.settings.backupDir).catch(() => undefined)]);
    if (destination && local && destination.dev === local.dev && destination.ino === local.ino)
      throw new HoldfastError(
        'BAD_INPUT',
        `Destination "${name}" (${path}) is BACKUP_DIR itself (${this.settings.backupDir}) under another name; a copy there would be the local file, so nothing is written to or removed from it.`,
        `Point it at another disk or a mounted share: holdfast destination edit ${name} --path <directory>.`,
      );
  }

  /** What add and edit refuse: BACKUP_DIR as a copy of itself, a secret that does not go with the type or its credential setting. */
  private checkSpec(spec: DestinationSpec, input: { secretAccessKey?: string | undefined; secret?: DestinationSecret | undefined }, stored: { hasStoredSecret: boolean }): void {
    if (spec.type === 'directory' && resolve(spec.settings.path) === resolve(this.settings.backupDir))
      throw new HoldfastError('BAD_INPUT', `${spec.settings.path} is BACKUP_DIR itself; a copy there would be no second copy.`, 'Give another disk or a mounted share (a NAS).');
    if (spec.type !== 's3' && input.secretAccessKey !== undefined)
      throw new HoldfastError('BAD_INPUT', `A ${spec.type} destination takes no secret access key.`, 'Leave --secret-access-key-stdin out.');
    if (spec.type === 's3' || spec.type === 'directory') {
      if (input.secret !== undefined) throw new HoldfastError('BAD_INPUT', `A ${spec.type} destination takes no connection string, SAS URL, key or password.`, 'Leave those flags out.');
      const hasSecret = input.secretAccessKey !== undefined || stored.hasStoredSecret;
      if (spec.type === 's3' && hasSecret !== (spec.settings.accessKeyId !== undefined))
        throw new HoldfastError(
          'BAD_INPUT',
          'An S3 destination takes the access key id and the secret access key together (--access-key-id and --secret-access-key-stdin), or neither (the AWS_* variables or ~/.aws then answer).',
          'Give both, or leave both out.',
        );
      return;
    }
    const wanted = credentialKind(spec);
    if (input.secret === undefined && !stored.hasStoredSecret) throw new HoldfastError('BAD_INPUT', `This ${spec.type} destination needs its ${wanted}.`, flagHint(spec));
    if (input.secret !== undefined && !secretMatches(spec, DestinationSecretSchema.parse(input.secret)))
      throw new HoldfastError('BAD_INPUT', `This ${spec.type} destination is set to use a ${wanted}, but another kind of secret was given.`, flagHint(spec));
  }

  private async storedSecret(row: DestinationRow): Promise<string> {
    await requireSecretStore(this.secrets);
    const secret = row.has_secret ? await this.secrets.get(secretAccount(row.id)) : undefined;
    if (secret === undefined)
      throw new HoldfastError(
        'NO_KEYCHAIN',
        `Destination "${row.name}"'s secret is not in ${this.secrets.description} on this host.`,
        `Store it on this host: holdfast destination edit ${row.name} with the secret's flag (--secret-access-key-stdin, --connection-string-stdin, --sas-url-stdin, --key FILE or --password-stdin).`,
      );
    return secret;
  }

  private async storedSecretOf(row: DestinationRow, spec: DestinationSpec): Promise<DestinationSecret> {
    const parsed = DestinationSecretSchema.safeParse(JSON.parse(await this.storedSecret(row)));
    if (!parsed.success || !secretMatches(spec, parsed.data))
      throw new HoldfastError('BAD_INPUT', `Destination "${row.name}"'s stored secret is not the ${credentialKind(spec)} its settings say.`, flagHint(spec));
    return parsed.data;
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

function recordOf(row: DestinationRow, lastTest: DestinationLastTest | null = null): DestinationRecord {
  const spec = DestinationSpecSchema.parse({ type: row.type, settings: JSON.parse(row.settings) });
  return { name: row.name, type: spec.type, settings: spec.settings, source: 'catalogue', hasSecret: row.has_secret === 1, createdAt: row.created_at, retention: row.retention, lastTest };
}

/** The secret as the store keeps it: an S3 secret access key as it is, any other as JSON. */
function secretText(input: { secretAccessKey?: string | undefined; secret?: DestinationSecret | undefined }): string | undefined {
  return input.secretAccessKey ?? (input.secret === undefined ? undefined : JSON.stringify(input.secret));
}

function credentialKind(spec: DestinationSpec): string {
  if (spec.type === 'azure') return spec.settings.credential === 'connection-string' ? 'connection string' : 'SAS URL';
  if (spec.type === 'sftp') return spec.settings.auth === 'key' ? 'private key' : 'password';
  return spec.type === 's3' ? 'secret access key' : 'nothing';
}

function flagHint(spec: DestinationSpec): string {
  const flag =
    spec.type === 'azure'
      ? spec.settings.credential === 'connection-string'
        ? '--connection-string-stdin'
        : '--sas-url-stdin'
      : spec.type === 'sftp' && spec.settings.auth === 'key'
        ? '--key FILE (and --key-passphrase-stdin if it has one)'
        : '--password-stdin';
  return `Give it with ${flag}; it goes to this host's secret store only.`;
}

function notFound(name: string): HoldfastError {
  return new HoldfastError('NOT_FOUND', `No destination named "${name}".`, 'List them with holdfast destination list, or add one with holdfast destination add.');
}
