// The age identities this machine holds. The secret (AGE-SECRET-KEY-1…, or a passphrase) lives in the
// host's secret store (the OS keychain) under "age-identity/<name>" and nowhere else; the list of keys
// — name, public recipient, when it was added — is public and kept in HOLDFAST_HOME/keys.json, so
// `key list` can say which backups a key opens without unlocking anything. A passphrase key has no
// public half: its "recipient" is the label passphrase:<name>, which is what a backup records.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { lazySchema } from '../model/lazy-schema.ts';
import { writeFileDurably } from '../fsutil/durable.ts';
import { HoldfastError } from '../model/errors.ts';
import { requireSecretStore } from '../secrets/require-store.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { loadAge, type AgeSecret } from './age-stream.ts';
import { passphraseProblem } from './passphrase-rule.ts';
import { KEY_NAME, PASSPHRASE_RECIPIENT, passphraseRecipient } from './encrypt-to.ts';

const IDENTITY = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/;

const KeyEntrySchema = lazySchema(() =>
  z.object({
    name: z.string().regex(KEY_NAME),
    recipient: z.string().refine((recipient) => recipient.startsWith('age1') || recipient.startsWith(PASSPHRASE_RECIPIENT), 'a recipient is age1… or passphrase:<name>'),
    /** Absent in lists written before passphrases: an X25519 identity. */
    kind: z.enum(['x25519', 'passphrase']).default('x25519'),
    createdAt: z.string(),
  }),
);
export type KeyEntry = z.infer<typeof KeyEntrySchema>;
const KeyListSchema = lazySchema(() => z.array(KeyEntrySchema));

export interface HeldIdentity {
  name: string;
  recipient: string;
  kind: KeyEntry['kind'];
  /** The secret: an identity (AGE-SECRET-KEY-1…) or a passphrase. Never logged. */
  identity: string;
}

/** What the age stream needs to open a file with a held key. */
export function ageSecret(held: Pick<HeldIdentity, 'kind' | 'identity'>): AgeSecret {
  return held.kind === 'passphrase' ? { passphrase: held.identity } : { identity: held.identity };
}

const account = (name: string) => `age-identity/${name}`;

export function parseKeyName(name: string): string {
  if (!KEY_NAME.test(name)) throw new HoldfastError('BAD_INPUT', `"${name}" is not a valid key name.`, 'A key name is 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit.');
  return name;
}

/** The one identity in an age identity file (comments and blank lines allowed), checked. */
export function parseIdentityFile(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const identities = lines.filter((line) => line.startsWith('AGE-SECRET-KEY-'));
  if (identities.length !== 1 || lines.length !== 1 || !IDENTITY.test(identities[0]!)) {
    throw new HoldfastError(
      'BAD_INPUT',
      identities.length > 1 ? 'The input holds more than one age identity.' : 'The input is not an age identity file (one line AGE-SECRET-KEY-1…, comments allowed).',
      'Pipe in one X25519 identity as `age-keygen` writes it: holdfast key import --name N < key.txt (post-quantum and plugin identities are not supported yet).',
    );
  }
  return identities[0]!;
}

/**
 * The identity's public recipient. The age library's own error quotes the whole identity (a mistyped
 * character leaves the other 57 — the secret — intact), so it is replaced, never passed on.
 */
async function recipientOf(identity: string): Promise<string> {
  try {
    return await (await loadAge()).identityToRecipient(identity);
  } catch {
    throw new HoldfastError(
      'BAD_INPUT',
      'The input has the shape of an age identity, but its checksum is wrong: a character was mistyped or lost in copying.',
      'Copy the identity file again from your offline copy (the line AGE-SECRET-KEY-1…, as age-keygen wrote it), then run holdfast key import again.',
    );
  }
}

const taken = (name: string) => new HoldfastError('CONFLICT', `A key named "${name}" already exists.`, 'Pick another name with --name; keys are never overwritten, as backups may need the old one.');

export class Keyring {
  private readonly listPath: string;

  constructor(
    home: string,
    private readonly store: SecretStore,
  ) {
    this.listPath = join(home, 'keys.json');
  }

  async entries(): Promise<KeyEntry[]> {
    let text: string;
    try {
      text = await readFile(this.listPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const parsed = KeyListSchema.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new HoldfastError(
        'INTERNAL',
        `${this.listPath} is not a valid key list: ${parsed.error.issues[0]?.message ?? ''}`,
        'Restore it from a backup of HOLDFAST_HOME, or remove it and import the keys again.',
      );
    return parsed.data;
  }

  private async add(name: string, identity: string): Promise<KeyEntry> {
    const entries = await this.entries();
    const recipient = await recipientOf(identity);
    if (entries.some((entry) => entry.name === name && entry.kind === 'passphrase')) throw taken(name);
    const same = entries.find((entry) => entry.recipient === recipient);
    if (same && same.name !== name) {
      const secretHere = (await this.store.get(account(same.name)).catch(() => undefined)) !== undefined;
      throw new HoldfastError(
        'CONFLICT',
        `This identity is already listed here as key "${same.name}"${secretHere ? '' : ', whose secret this machine no longer holds'}.`,
        secretHere ? `Use that name (holdfast key export ${same.name}).` : `Import it under that name to restore its secret: holdfast key import --name ${same.name} < key.txt`,
      );
    }
    if (entries.some((entry) => entry.name === name && entry.recipient !== recipient)) {
      throw new HoldfastError('CONFLICT', `A different key named "${name}" already exists.`, 'Pick another name with --name; keys are never overwritten, as backups may need the old one.');
    }
    await this.keepSecret(name, identity);
    const entry: KeyEntry = { name, recipient, kind: 'x25519', createdAt: same?.createdAt ?? new Date().toISOString() };
    if (!same) await this.writeEntries([...entries, entry]);
    return entry;
  }

  /**
   * Puts a key's secret into the store, never over a different one. The store is the user's keychain,
   * shared by every HOLDFAST_HOME of this user on this machine (a second profile set, a test home,
   * holdfast serve with another home), while the list that says which keys exist is per home: the checks
   * against this home's list cannot see another home's key of the same name, and a plain set would
   * replace its secret — that home's encrypted backups would no longer open here. So the account is
   * read first; only an empty one, or one already holding exactly this secret, is written. (Scoping the
   * account per home would also avoid the clash, but needs a migration of every stored key and a second
   * lookup forever; a refusal with a hint costs neither.) Read then write is not atomic: two homes
   * adding one name in the same instant can still race — a person does not, and the suites use distinct names.
   */
  private async keepSecret(name: string, secret: string): Promise<void> {
    await requireSecretStore(this.store, 'key');
    const held = await this.store.get(account(name));
    if (held !== undefined && held !== secret)
      throw new HoldfastError(
        'CONFLICT',
        `A different key named "${name}" is held by another Holdfast home on this machine (${this.store.description}, account ${account(name)}).`,
        'Pick another name with --name: key names are unique across all Holdfast homes of this user on this machine, and a key is never overwritten, as backups may need the old one.',
      );
    if (held === undefined) await this.store.set(account(name), secret);
  }

  private async writeEntries(entries: KeyEntry[]): Promise<void> {
    await writeFileDurably(this.listPath, `${JSON.stringify(entries, null, 2)}\n`);
  }

  /**
   * A passphrase as a key: backups encrypted to it (age's scrypt recipient) open with the passphrase
   * alone, here or with `age -d` anywhere. Never replaces a key of the same name — backups may need
   * the old passphrase.
   */
  async addPassphrase(passphrase: string, name?: string): Promise<KeyEntry> {
    const problem = passphraseProblem(passphrase);
    if (problem) throw new HoldfastError('BAD_INPUT', problem.message, problem.hint);
    const keyName = name ? parseKeyName(name) : await this.freeName();
    const entries = await this.entries();
    if (entries.some((entry) => entry.name === keyName)) throw taken(keyName);
    await this.keepSecret(keyName, passphrase);
    const entry: KeyEntry = { name: keyName, recipient: passphraseRecipient(keyName), kind: 'passphrase', createdAt: new Date().toISOString() };
    await this.writeEntries([...entries, entry]);
    return entry;
  }

  private async freeName(): Promise<string> {
    const taken = new Set((await this.entries()).map((entry) => entry.name));
    for (let n = 1; ; n++) if (!taken.has(`key-${n}`)) return `key-${n}`;
  }

  async generate(name?: string): Promise<KeyEntry> {
    return this.add(name ? parseKeyName(name) : await this.freeName(), await (await loadAge()).generateX25519Identity());
  }

  /**
   * Without a name, an identity the key list already names (its secret lost with a keychain, the case
   * the offline copy is kept for) goes back under that name, so the backups counted against it open.
   */
  async import(identityFile: string, name?: string): Promise<KeyEntry> {
    const identity = parseIdentityFile(identityFile);
    if (name) return this.add(parseKeyName(name), identity);
    const recipient = await recipientOf(identity);
    const listed = (await this.entries()).find((entry) => entry.recipient === recipient);
    return this.add(listed?.name ?? (await this.freeName()), identity);
  }

  async export(name: string): Promise<{ entry: KeyEntry; identity: string }> {
    const entry = (await this.entries()).find((candidate) => candidate.name === parseKeyName(name));
    if (!entry) throw new HoldfastError('NOT_FOUND', `No key named "${name}".`, 'holdfast key list shows the keys this machine knows.');
    if (entry.kind === 'passphrase')
      throw new HoldfastError(
        'BAD_INPUT',
        `Key "${name}" is a passphrase: it has no identity file to export.`,
        'Its offline copy is the passphrase itself, kept where you keep passwords (age -d asks for it).',
      );
    const identity = await this.store.get(account(entry.name));
    if (!identity)
      throw new HoldfastError(
        'NOT_FOUND',
        `The secret of key "${name}" is not on this machine (its keychain has no ${account(entry.name)}).`,
        'Import it from your offline copy: holdfast key import --name ' + name + ' < key.txt',
      );
    return { entry, identity };
  }

  /** Whether each key's secret is here; a store that cannot be read counts as "not here", with why. */
  async withSecrets(): Promise<Array<KeyEntry & { secretHere: boolean }>> {
    const entries = await this.entries();
    const out: Array<KeyEntry & { secretHere: boolean }> = [];
    for (const entry of entries) out.push({ ...entry, secretHere: (await this.store.get(account(entry.name)).catch(() => undefined)) !== undefined });
    return out;
  }

  /** The identities whose secrets are on this machine, for decrypting; never logged. */
  async identities(): Promise<HeldIdentity[]> {
    const held: HeldIdentity[] = [];
    for (const entry of await this.entries()) {
      const identity = await this.store.get(account(entry.name)).catch(() => undefined);
      if (identity) held.push({ name: entry.name, recipient: entry.recipient, kind: entry.kind, identity });
    }
    return held;
  }
}
