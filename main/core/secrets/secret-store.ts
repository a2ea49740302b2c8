// Passwords live in this host's secret store and nowhere else: the OS keychain here, or the
// credentials file a host chooses with HOLDFAST_SECRET_STORE=file (file-store.ts). A store that is not
// a real keychain (no D-Bus session, no Secret Service, Electron's basic_text fallback) reports itself
// unavailable, and Holdfast then refuses to store a password rather than falling back silently to a file.
import { HoldfastError } from '../model/errors.ts';

export const KEYCHAIN_SERVICE = 'Holdfast';

/** Unavailable: why, and — when the store knows better than the keychain's generic advice — what to do. */
export type Availability = { ok: true } | { ok: false; reason: string; hint?: string };

/** A reason as a clause inside someone else's sentence: no capital to start, no full stop to end. */
export function asClause(reason: string): string {
  const trimmed = reason.trim().replace(/\.+$/, '');
  return /^[A-Z][a-z]/.test(trimmed) ? `${trimmed[0]!.toLowerCase()}${trimmed.slice(1)}` : trimmed;
}

export interface SecretStore {
  /** What backs it, for messages: "OS keychain (libsecret)", … */
  readonly description: string;
  availability(): Promise<Availability>;
  get(account: string): Promise<string | undefined>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

/** What is being stored: a profile's password, or the secret of an encryption key (an age identity or a passphrase). */
export type SecretKind = 'password' | 'key';

export function noKeychainError(reason: string, kind: SecretKind = 'password'): HoldfastError {
  const what = kind === 'key' ? "the key's secret" : 'the password';
  return new HoldfastError(
    'NO_KEYCHAIN',
    `There is no OS keychain available to store ${what} (${reason}), and this host uses the keychain (HOLDFAST_SECRET_STORE=keychain, the default); Holdfast never falls back to another store.`,
    kind === 'key'
      ? // ~/.pgpass holds passwords only: an age identity or a key's passphrase has nowhere to go but a store.
        "On a host with no desktop session (holdfast daemon or serve as a service), use the encrypted credentials file: HOLDFAST_SECRET_STORE=file and a key in HOLDFAST_CREDENTIALS_KEY or systemd's LoadCredential= (README: Schedules and the daemon), then run this command again. Or encrypt to the recipient (age1…) of a key kept on another machine: restoring then needs that key's identity."
      : "Put the password in ~/.pgpass (or the file PGPASSFILE names) instead: host:port:database:user:password, mode 0600; libpq and Holdfast read it from there. Or, on a host with no desktop session (holdfast daemon or serve as a service), use the encrypted credentials file: HOLDFAST_SECRET_STORE=file and a key in HOLDFAST_CREDENTIALS_KEY or systemd's LoadCredential= (README: Schedules and the daemon), then run this command again.",
  );
}

interface KeytarModule {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

const PROBE_TIMEOUT_MS = 5000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** keytar: Keychain on macOS, Credential Vault on Windows, the Secret Service (libsecret) on Linux. */
export class KeytarSecretStore implements SecretStore {
  readonly description = 'OS keychain (keytar)';
  private module: Promise<KeytarModule> | undefined;
  private checked: Promise<Availability> | undefined;

  private load(): Promise<KeytarModule> {
    this.module ??= import('keytar').then((imported) => (imported as { default?: KeytarModule }).default ?? (imported as unknown as KeytarModule));
    return this.module;
  }

  availability(): Promise<Availability> {
    this.checked ??= (async (): Promise<Availability> => {
      try {
        const keytar = await this.load();
        await withTimeout(keytar.findCredentials(KEYCHAIN_SERVICE), 'the keychain');
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: (error as Error).message.split('\n')[0] ?? 'unknown error' };
      }
    })();
    return this.checked;
  }

  private async ready(): Promise<KeytarModule> {
    const availability = await this.availability();
    if (!availability.ok) throw noKeychainError(availability.reason);
    return this.load();
  }

  async get(account: string): Promise<string | undefined> {
    const keytar = await this.ready();
    return (await withTimeout(keytar.getPassword(KEYCHAIN_SERVICE, account), 'the keychain')) ?? undefined;
  }

  async set(account: string, secret: string): Promise<void> {
    const keytar = await this.ready();
    await withTimeout(keytar.setPassword(KEYCHAIN_SERVICE, account, secret), 'the keychain');
  }

  async delete(account: string): Promise<boolean> {
    const keytar = await this.ready();
    return withTimeout(keytar.deletePassword(KEYCHAIN_SERVICE, account), 'the keychain');
  }
}
