// Before a secret is written: this host's store must be able to take it, or the caller is told why and what to do.
import { HoldfastError } from '../model/errors.ts';
import { CREDENTIALS_KEY_HINT, EncryptedFileSecretStore } from './file-store.ts';
import { noKeychainError, type SecretKind, type SecretStore } from './secret-store.ts';

/** Refuses, saying why and what to do, when this host's secret store cannot take a secret now. */
export async function requireSecretStore(secrets: SecretStore, kind: SecretKind = 'password'): Promise<void> {
  const availability = await secrets.availability();
  if (availability.ok) return;
  // The credentials file's own reason and hint say what is wrong and what to do: no key (give one), a
  // wrong key (give the file's, not a new one), an unreadable or foreign file.
  if (secrets instanceof EncryptedFileSecretStore)
    throw new HoldfastError(
      'NO_KEYCHAIN',
      `${kind === 'key' ? "The key's secret" : 'The password'} cannot be stored in ${secrets.description}: ${availability.reason}`,
      availability.hint ?? CREDENTIALS_KEY_HINT,
    );
  throw noKeychainError(availability.reason, kind);
}
