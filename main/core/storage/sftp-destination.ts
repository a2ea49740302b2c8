// A destination in a directory on an SSH server, over SFTP (ssh2, pure JavaScript).
//
// - Keys are paths under the destination's remote directory, which must exist (like a mounted share,
//   Holdfast does not create a destination's root; it creates a key's parent folders under it).
// - put writes a hidden ".<name>.put-<random>.tmp" beside the final name, checking the bytes on their
//   way out, reads that file back and compares it, and only then renames it to the final name. SFTP's
//   plain rename refuses an existing target, so nothing is ever overwritten, and a half-written or
//   unverified file never carries the final name.
// - The server's host key is pinned: its SHA-256 fingerprint (as OpenSSH prints it) is in the
//   destination's settings, and every connection is checked against it before any credential is sent.
//   A connection with nothing pinned is refused, except the one `holdfast destination test` makes to
//   pin it (trust on first use, shown to the DBA); a changed key is refused with what to do.
// - One connection per operation (a stream's connection ends with the stream), so no open connection
//   outlives its caller or keeps a CLI process alive.
import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, type SFTPWrapper, type Stats } from 'ssh2';
import { HoldfastError } from '../model/errors.ts';
import { checkKey, keyName, type Destination, type LocalCopy, type ObjectInfo, type ObjectKind } from './destination.ts';
import type { SftpSettings } from './destination-settings.ts';
import { expectBytes, privateDownload, probeBody, readBackOrDiscard, treeRefused, type Expected } from './remote-object.ts';

export type SftpSecret = { privateKey: string; passphrase?: string | undefined } | { password: string };

/** How a connection treats the host key: check it against the pinned one, or (destination test only) pin what is offered when nothing is. */
export type HostKeyPolicy = 'check' | 'pin-if-unpinned';

const NO_SUCH_FILE = 2;
const PUT_TEMP = /^\..+\.put-[0-9a-f]+\.tmp$/;

/** The fingerprint OpenSSH prints (ssh-keygen -lf): "SHA256:" and the unpadded base64 of the key blob's SHA-256. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

export class SftpDestination implements Destination {
  /** put reads the object back and compares it (remote-object.ts). */
  readonly putReadsBack = true;
  /** The pinned host key; under 'pin-if-unpinned', the first one offered once nothing was pinned (what `destination test` stores). */
  private pinned: string | undefined;

  constructor(
    readonly name: string,
    private readonly settings: SftpSettings,
    private readonly secret: SftpSecret,
    private readonly policy: HostKeyPolicy = 'check',
  ) {
    this.pinned = settings.hostKey;
  }

  get hostKey(): string | undefined {
    return this.pinned;
  }

  describe(key: string): string {
    return `sftp://${this.settings.user}@${this.settings.host}:${this.settings.port}${this.remotePath(key)}`;
  }

  async put(key: string, source: Readable, expected: Expected): Promise<void> {
    const where = this.describe(key);
    const target = this.remotePath(key);
    const temp = posix.join(posix.dirname(target), `.${keyName(key)}.put-${randomBytes(6).toString('hex')}.tmp`);
    const checked = expectBytes(expected, where);
    await this.session(`Uploading ${where}`, async (sftp, lost) => {
      if ((await statOf(sftp, target)) !== undefined)
        throw new HoldfastError('CONFLICT', `${where} already exists; it was left as it is.`, 'Remove what is there, or store the backup under another name.');
      await makeParents(sftp, this.root(), posix.dirname(target));
      try {
        // A write whose server is gone is never answered: the lost connection ends the pipeline (and closes the local file).
        await pipeline(source, checked, sftp.createWriteStream(temp, { flags: 'wx', mode: 0o600 }), { signal: lost });
        await readBackOrDiscard(
          where,
          expected,
          async () => sftp.createReadStream(temp),
          () => unlink(sftp, temp),
        );
        await call<void>((done) => sftp.rename(temp, target, done));
      } catch (error) {
        if (!lost.aborted) await unlink(sftp, temp).catch(() => undefined);
        throw checked.problem ?? (lost.aborted ? lost.reason : error);
      }
    });
  }

  async putTree(key: string): Promise<void> {
    throw treeRefused(this.describe(key), 'an SFTP');
  }

  /** The file as a stream; its connection ends when the stream ends, fails or is destroyed. */
  async open(key: string): Promise<Readable> {
    const path = this.remotePath(key);
    const { client, sftp } = await this.connect(`Reading ${this.describe(key)}`);
    try {
      const info = await statOf(sftp, path);
      if (!info?.isFile()) throw new HoldfastError('NOT_FOUND', `Nothing is stored at ${this.describe(key)}.`, 'Check the copy with holdfast verify --copies.');
    } catch (error) {
      client.end();
      throw this.wrap(`Reading ${this.describe(key)}`, error);
    }
    const stream = sftp.createReadStream(path);
    stream.once('close', () => client.end());
    stream.once('error', () => client.end());
    // A read whose server is gone is never answered: the lost connection fails the stream instead.
    client.once('close', () => {
      if (!stream.destroyed) stream.destroy(this.failure(`Reading ${this.describe(key)}`, new Error('the connection to the server was lost')));
    });
    return stream;
  }

  localFile(key: string): Promise<LocalCopy> {
    return privateDownload(key, () => this.open(key));
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    return this.session(`Looking up ${this.describe(key)}`, async (sftp) => {
      const path = this.remotePath(key);
      const info = await statOf(sftp, path);
      if (!info) return undefined;
      return info.isDirectory() ? { kind: 'tree', size: await treeSize(sftp, path) } : { kind: 'file', size: info.size };
    });
  }

  async list(prefix: string): Promise<Array<{ key: string; kind: ObjectKind }>> {
    checkKey(prefix, { allowRoot: true });
    const dir = prefix === '' ? this.root() : this.remotePath(prefix);
    return this.session(`Listing ${this.describe(prefix === '' ? '.' : prefix)}`, async (sftp) => {
      if ((await statOf(sftp, dir)) === undefined) return [];
      const entries = await call<Array<{ filename: string; attrs: Stats }>>((done) => sftp.readdir(dir, done));
      return entries
        .filter((entry) => entry.filename !== '.' && entry.filename !== '..' && !PUT_TEMP.test(entry.filename))
        .map((entry) => ({ key: prefix === '' ? entry.filename : `${prefix}/${entry.filename}`, kind: entry.attrs.isDirectory() ? ('tree' as const) : ('file' as const) }))
        .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    });
  }

  async remove(key: string): Promise<void> {
    await this.session(`Removing ${this.describe(key)}`, (sftp) => removeAll(sftp, this.remotePath(key)));
  }

  /** After a crash: the hidden put temp files of `key` beside it (what an interrupted put leaves; never the final name). */
  async clearAbandonedPut(key: string): Promise<{ cleared: string[]; problems: string[] }> {
    const target = this.remotePath(key);
    const folder = posix.dirname(target);
    const prefix = `.${keyName(key)}.put-`;
    const result = { cleared: [] as string[], problems: [] as string[] };
    try {
      await this.session(`Clearing what an interrupted upload of ${this.describe(key)} left`, async (sftp) => {
        if ((await statOf(sftp, folder)) === undefined) return;
        const entries = await call<Array<{ filename: string }>>((done) => sftp.readdir(folder, done));
        for (const { filename } of entries) {
          if (!filename.startsWith(prefix) || !PUT_TEMP.test(filename)) continue;
          const path = posix.join(folder, filename);
          try {
            await removeAll(sftp, path);
            result.cleared.push(`sftp://${this.settings.user}@${this.settings.host}:${this.settings.port}${path}`);
          } catch (error) {
            result.problems.push(`${path}: ${(error as Error).message}`);
          }
        }
      });
    } catch (error) {
      result.problems.push((error as Error).message);
    }
    return result;
  }

  /** A small file written, read back, compared and removed: what `holdfast destination test` does. */
  async probe(): Promise<void> {
    const { key, body, expected } = probeBody();
    await this.put(key, Readable.from([body]), expected);
    await this.remove(key);
  }

  private root(): string {
    return posix.normalize(this.settings.path).replace(/(.)\/$/, '$1');
  }

  private remotePath(key: string): string {
    return key === '.' ? this.root() : posix.join(this.root(), checkKey(key));
  }

  /**
   * One connection for `work`. ssh2 never answers a request whose connection dropped (the server
   * killed, the network cut: keepalives notice the silent kind), so a lost connection fails the work
   * itself, and `lost` (aborted with the reason) lets it end its streams.
   */
  private async session<T>(what: string, work: (sftp: SFTPWrapper, lost: AbortSignal) => Promise<T>): Promise<T> {
    const { client, sftp } = await this.connect(what);
    const controller = new AbortController();
    let settled = false;
    const dropped = new Promise<never>((_resolve, reject) => {
      const lose = (cause?: Error) => {
        if (settled) return;
        const reason = this.failure(what, new Error(`the connection to the server was lost${cause ? ` (${cause.message})` : ''}`));
        controller.abort(reason);
        reject(reason);
      };
      client.on('error', lose);
      client.once('close', () => lose());
    });
    dropped.catch(() => undefined);
    try {
      return await Promise.race([work(sftp, controller.signal), dropped]);
    } catch (error) {
      throw this.wrap(what, error);
    } finally {
      settled = true;
      client.end();
    }
  }

  private connect(what: string): Promise<{ client: Client; sftp: SFTPWrapper }> {
    const pinned = this.pinned;
    if (pinned === undefined && this.policy === 'check')
      return Promise.reject(
        new HoldfastError(
          'CONNECTION_FAILED',
          `${what} on destination "${this.name}" was not tried: the server's host key is not pinned yet.`,
          `Run holdfast destination test ${this.name}: it shows the host key's fingerprint and pins it; compare it with the server's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub). Or pin it yourself: holdfast destination edit ${this.name} --accept-host-key SHA256:….`,
        ),
      );
    return new Promise((resolve, reject) => {
      const client = new Client();
      let refusedKey: string | undefined;
      client.once('error', (error: Error & { level?: string }) => {
        client.end();
        reject(refusedKey !== undefined ? this.hostKeyChanged(what, pinned!, refusedKey) : this.failure(what, error));
      });
      client.once('ready', () =>
        client.sftp((error, sftp) => {
          if (error) {
            client.end();
            reject(this.failure(what, error));
          } else resolve({ client, sftp });
        }),
      );
      client.connect({
        host: this.settings.host,
        port: this.settings.port,
        username: this.settings.user,
        ...('password' in this.secret ? { password: this.secret.password } : { privateKey: this.secret.privateKey, ...(this.secret.passphrase ? { passphrase: this.secret.passphrase } : {}) }),
        tryKeyboard: false,
        readyTimeout: 20_000,
        // A server that stops answering without closing (a network cut) is given up after ~30 s.
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          const offered = hostKeyFingerprint(key);
          if (pinned === undefined) this.pinned = offered;
          if (pinned === undefined || offered === pinned) return true;
          refusedKey = offered;
          return false;
        },
      });
    });
  }

  private hostKeyChanged(what: string, pinned: string, offered: string): HoldfastError {
    return new HoldfastError(
      'CONNECTION_FAILED',
      `${what} on destination "${this.name}" was refused: ${this.settings.host}:${this.settings.port} offered host key ${offered}, but ${pinned} is pinned. Nothing was sent to it.`,
      `If the server's key was changed on purpose, check ${offered} with its administrator (ssh-keygen -lf on the server's host key) and accept it: holdfast destination edit ${this.name} --accept-host-key ${offered}. Otherwise something else answers at that address: do not accept it.`,
    );
  }

  private wrap(what: string, error: unknown): HoldfastError {
    return error instanceof HoldfastError ? error : this.failure(what, error);
  }

  /** ssh2's and the server's message, with a next step; neither ever holds the password or the key. */
  private failure(what: string, error: unknown): HoldfastError {
    const e = error as { message?: string; level?: string; code?: string | number };
    const message = e?.message ?? String(error);
    const authentication = e?.level === 'client-authentication' || /authentication methods failed/i.test(message);
    const hint = authentication
      ? `The server refused user "${this.settings.user}"'s ${this.settings.auth === 'key' ? 'key' : 'password'}: store the right one with holdfast destination edit ${this.name} ${this.settings.auth === 'key' ? '--key FILE' : '--password-stdin'}.`
      : e?.code === NO_SUCH_FILE || /no such file/i.test(message)
        ? `Check that ${this.settings.path} exists on ${this.settings.host} and that "${this.settings.user}" may write there.`
        : /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|EAI_AGAIN|ECONNRESET|Timed out/i.test(message)
          ? `Check that ${this.settings.host}:${this.settings.port} is reachable from this host and runs an SSH server, then try again.`
          : /permission denied/i.test(message)
            ? `"${this.settings.user}" may not write there: check the permissions of ${this.settings.path} on ${this.settings.host}.`
            : `Check destination "${this.name}" with holdfast destination test.`;
    const detail = authentication ? 'authentication failed (the server accepted none of the credentials given)' : message;
    return new HoldfastError('CONNECTION_FAILED', `${what} on destination "${this.name}" failed: ${detail}`, hint);
  }
}

/** ssh2's callback style as a promise. */
function call<T>(start: (done: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
}

async function statOf(sftp: SFTPWrapper, path: string): Promise<Stats | undefined> {
  try {
    return await call<Stats>((done) => sftp.lstat(path, done));
  } catch (error) {
    if ((error as { code?: number }).code === NO_SUCH_FILE) return undefined;
    throw error;
  }
}

async function unlink(sftp: SFTPWrapper, path: string): Promise<void> {
  await call<void>((done) => sftp.unlink(path, done));
}

/** The folders between the root (which must exist) and `dir`, created as needed. */
async function makeParents(sftp: SFTPWrapper, root: string, dir: string): Promise<void> {
  if (!(await statOf(sftp, root))?.isDirectory())
    throw new HoldfastError('CONNECTION_FAILED', `${root} is not a directory that exists on the server.`, "Create it (and let the user write there); Holdfast does not create a destination's root.");
  const relative = posix.relative(root, dir);
  let current = root;
  for (const part of relative === '' ? [] : relative.split('/')) {
    current = posix.join(current, part);
    if ((await statOf(sftp, current)) === undefined) await call<void>((done) => sftp.mkdir(current, { mode: 0o700 }, done));
  }
}

async function treeSize(sftp: SFTPWrapper, dir: string): Promise<number> {
  let size = 0;
  for (const entry of await call<Array<{ filename: string; attrs: Stats }>>((done) => sftp.readdir(dir, done))) {
    const path = posix.join(dir, entry.filename);
    size += entry.attrs.isDirectory() ? await treeSize(sftp, path) : entry.attrs.size;
  }
  return size;
}

async function removeAll(sftp: SFTPWrapper, path: string): Promise<void> {
  const info = await statOf(sftp, path);
  if (!info) return;
  if (!info.isDirectory()) return unlink(sftp, path);
  for (const entry of await call<Array<{ filename: string; attrs: Stats }>>((done) => sftp.readdir(path, done))) await removeAll(sftp, posix.join(path, entry.filename));
  await call<void>((done) => sftp.rmdir(path, done));
}
