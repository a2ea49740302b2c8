// Which secret store this host uses, chosen per host by HOLDFAST_SECRET_STORE: the OS keychain (the
// desktop's default), or the encrypted credentials file (a daemon or serve under systemd, where no
// D-Bus session reaches the keychain). Never both, never a silent fallback from one to the other: a
// password stored in one store is not in the other, and the credential check says so.
import { EncryptedFileSecretStore } from './file-store.ts';
import { KeytarSecretStore, type SecretStore } from './secret-store.ts';

export const SECRET_STORE_KINDS = ['keychain', 'file'] as const;
export type SecretStoreKind = (typeof SECRET_STORE_KINDS)[number];

/** Where a host of each kind keeps the passwords it is given, for messages: "stored in …". */
export const SECRET_STORE_NAMES: Record<SecretStoreKind, string> = { keychain: 'the OS keychain', file: 'the credentials file' };

export function openSecretStore(kind: SecretStoreKind, home: string, env: NodeJS.ProcessEnv): SecretStore {
  return kind === 'file' ? new EncryptedFileSecretStore(home, env) : new KeytarSecretStore();
}

/** What to do when this host cannot read a profile's password: said once, for the backup's error and the credential check. */
export const UNREACHABLE_SECRET_HINT =
  'On a desktop, unlock or start the keychain (on Linux: gnome-keyring or KWallet in the session). A service (holdfast daemon or serve under systemd) has no keychain: set HOLDFAST_SECRET_STORE=file with a key from LoadCredential= and store the password with `holdfast profile edit <name> --password-stdin` run the same way (README: systemd), or move it to ~/.pgpass and run `holdfast profile edit <name> --forget-password`.';
