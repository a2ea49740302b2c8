// The credentials file: a secret store for hosts with no OS keychain (a daemon under systemd has no
// D-Bus session, so the Secret Service cannot be reached). One file under HOLDFAST_HOME, 0600, its
// whole content sealed with AES-256-GCM; the key never lives beside it. It comes from systemd's
// LoadCredential= ($CREDENTIALS_DIRECTORY/holdfast-credentials-key) or HOLDFAST_CREDENTIALS_KEY, and
// is stretched with scrypt and the file's own salt. Invariants:
// - plaintext never touches disk: entries are sealed in memory, then written temp → fsync → rename;
// - a change reads and rewrites the file holding its lock (credentials.enc.lock): two processes (the
//   CLI and serve) or two requests storing a password at once both keep theirs;
// - a key that does not open the file is an error, and the file is never rewritten under another key;
// - a file that is not a credentials file, or was changed, is an error: nothing is guessed.
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import { lazySchema } from '../model/lazy-schema.ts';
import { writeFileDurably } from '../fsutil/durable.ts';
import { withLockFile } from '../fsutil/lock-file.ts';
import { HoldfastError } from '../model/errors.ts';
import type { Availability, SecretStore } from './secret-store.ts';

export const CREDENTIALS_FILE = 'credentials.enc';
/** The name a systemd unit gives the key in LoadCredential=holdfast-credentials-key:/path/to/key. */
export const SYSTEMD_CREDENTIAL_NAME = 'holdfast-credentials-key';

/** The environment variables the key comes through; no child process (pg_dump, psql…) is given them. */
export const CREDENTIALS_KEY_VARIABLES = ['CREDENTIALS_DIRECTORY', 'HOLDFAST_CREDENTIALS_KEY'] as const;

const MIN_KEY_BYTES = 16;
interface KdfParams {
  N: number;
  r: number;
  p: number;
}
const SCRYPT: KdfParams = { N: 2 ** 15, r: 8, p: 1 };

const SealedFileSchema = lazySchema(() =>
  z
    .object({
      format: z.literal('holdfast-credentials'),
      version: z.literal(1),
      kdf: z
        .object({
          name: z.literal('scrypt'),
          salt: z.string().min(1),
          N: z
            .number()
            .int()
            .min(2)
            .max(2 ** 20),
          r: z.number().int().min(1).max(16),
          p: z.number().int().min(1).max(4),
        })
        .strict(),
      iv: z.string().min(1),
      tag: z.string().min(1),
      data: z.string(),
    })
    .strict(),
);
type SealedFile = z.infer<typeof SealedFileSchema>;

const EntriesSchema = lazySchema(() => z.object({ entries: z.record(z.string(), z.string()) }).strict());

/** Where the key comes from: its bytes, and a name for messages (never the key). */
export interface CredentialsKey {
  material: Buffer;
  source: string;
}

function keyProblem(message: string, hint: string): HoldfastError {
  return new HoldfastError('NO_KEYCHAIN', message, hint);
}

export const CREDENTIALS_KEY_HINT = `Give the key with systemd's LoadCredential=${SYSTEMD_CREDENTIAL_NAME}:/etc/holdfast/credentials.key (or HOLDFAST_CREDENTIALS_KEY); make one with: openssl rand -base64 32. The README's systemd section shows the unit.`;

/**
 * The key this host was given: $CREDENTIALS_DIRECTORY/holdfast-credentials-key (systemd) first, else
 * HOLDFAST_CREDENTIALS_KEY. A trailing newline (what `openssl rand -base64 32 > file` leaves) is not key.
 */
export async function readCredentialsKey(env: NodeJS.ProcessEnv): Promise<CredentialsKey> {
  let material: Buffer | undefined;
  let source = '';
  if (env.CREDENTIALS_DIRECTORY) {
    const path = join(env.CREDENTIALS_DIRECTORY, SYSTEMD_CREDENTIAL_NAME);
    try {
      material = await readFile(path);
      source = `systemd credential ${path}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw keyProblem(`The credentials key ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, CREDENTIALS_KEY_HINT);
    }
  }
  if (material === undefined && env.HOLDFAST_CREDENTIALS_KEY) {
    material = Buffer.from(env.HOLDFAST_CREDENTIALS_KEY, 'utf8');
    source = 'HOLDFAST_CREDENTIALS_KEY';
  }
  if (material === undefined) throw keyProblem('The credentials file needs a key, and this host was given none.', CREDENTIALS_KEY_HINT);
  let end = material.length;
  while (end > 0 && (material[end - 1] === 0x0a || material[end - 1] === 0x0d)) end -= 1;
  material = material.subarray(0, end);
  if (material.length < MIN_KEY_BYTES) throw keyProblem(`The credentials key from ${source} is ${material.length} bytes; it must be at least ${MIN_KEY_BYTES}.`, CREDENTIALS_KEY_HINT);
  return { material, source };
}

function derive(material: Buffer, salt: Buffer, params: KdfParams): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => scryptCallback(material, salt, 32, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export class EncryptedFileSecretStore implements SecretStore {
  readonly description: string;
  readonly path: string;
  /** The derived key, per salt: scrypt is slow on purpose, once per process is enough. */
  private derived: { material: Buffer; salt: string; key: Buffer } | undefined;

  constructor(
    home: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.path = join(home, CREDENTIALS_FILE);
    this.description = `the encrypted credentials file ${this.path}`;
  }

  async availability(): Promise<Availability> {
    try {
      await this.load();
      return { ok: true };
    } catch (error) {
      const hint = error instanceof HoldfastError ? error.hint : undefined;
      return { ok: false, reason: (error as Error).message, ...(hint ? { hint } : {}) };
    }
  }

  async get(account: string): Promise<string | undefined> {
    return (await this.load()).entries[account];
  }

  async set(account: string, secret: string): Promise<void> {
    await this.change(async ({ entries, salt, kdf }) => {
      await this.save({ ...entries, [account]: secret }, salt, kdf);
    });
  }

  async delete(account: string): Promise<boolean> {
    return this.change(async ({ entries, salt, kdf }) => {
      if (!(account in entries)) return false;
      const { [account]: _gone, ...rest } = entries;
      await this.save(rest, salt, kdf);
      return true;
    });
  }

  /** Read, change and write back with no other writer in between, in this process or another. */
  private change<T>(work: (current: Awaited<ReturnType<EncryptedFileSecretStore['load']>>) => Promise<T>): Promise<T> {
    return withLockFile(this.path, 'The credentials file', async () => {
      await this.removeLeftTemporaries();
      return work(await this.load());
    });
  }

  /** Under the lock no write is in progress: a temp file beside the file is a killed writer's (sealed, but litter). */
  private async removeLeftTemporaries(): Promise<void> {
    const prefix = `.${CREDENTIALS_FILE}.`;
    const names = await readdir(dirname(this.path)).catch(() => [] as string[]);
    for (const name of names) if (name.startsWith(prefix) && name.endsWith('.tmp')) await rm(join(dirname(this.path), name), { force: true });
  }

  /** The entries (none before the first set) and the file's salt; a key that does not open the file throws. */
  private async load(): Promise<{ entries: Record<string, string>; salt: Buffer | undefined; kdf: KdfParams }> {
    const key = await readCredentialsKey(this.env);
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: {}, salt: undefined, kdf: SCRYPT };
      throw keyProblem(
        `The credentials file ${this.path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
        'Run Holdfast as the user that owns HOLDFAST_HOME (the file is 0600).',
      );
    }
    let sealed: SealedFile;
    try {
      sealed = SealedFileSchema.parse(JSON.parse(text));
    } catch {
      throw keyProblem(
        `${this.path} is not a Holdfast credentials file.`,
        'Move it aside (Holdfast never overwrites it) and store the passwords again with `holdfast profile edit <name> --password-stdin`.',
      );
    }
    const salt = Buffer.from(sealed.kdf.salt, 'base64');
    const aesKey = await this.keyFor(key.material, salt, sealed.kdf);
    try {
      const decipher = createDecipheriv('aes-256-gcm', aesKey, Buffer.from(sealed.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
      return { entries: EntriesSchema.parse(JSON.parse(plain.toString('utf8'))).entries, salt, kdf: sealed.kdf };
    } catch {
      throw keyProblem(
        `The key from ${key.source} does not open the credentials file ${this.path} (a different key, or the file was changed).`,
        'Give this host the key the file was made with. Holdfast will not rewrite it under another key: to start over, move the file aside and store the passwords again.',
      );
    }
  }

  private async keyFor(material: Buffer, salt: Buffer, params: KdfParams): Promise<Buffer> {
    const saltText = salt.toString('base64');
    if (this.derived?.salt !== saltText || !this.derived.material.equals(material)) this.derived = { material, salt: saltText, key: await derive(material, salt, params) };
    return this.derived.key;
  }

  /** Only after load() opened the file with this key: a file is never resealed under another one. */
  private async save(entries: Record<string, string>, existingSalt: Buffer | undefined, kdf: KdfParams): Promise<void> {
    const key = await readCredentialsKey(this.env);
    const salt = existingSalt ?? randomBytes(16);
    const params = { N: kdf.N, r: kdf.r, p: kdf.p };
    const aesKey = await this.keyFor(key.material, salt, params);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', aesKey, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify({ entries }), 'utf8'), cipher.final()]);
    const sealed: SealedFile = {
      format: 'holdfast-credentials',
      version: 1,
      kdf: { name: 'scrypt', salt: salt.toString('base64'), ...params },
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
    await writeFileDurably(this.path, `${JSON.stringify(sealed, null, 2)}\n`);
  }
}
