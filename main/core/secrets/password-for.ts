// A profile's password for libpq: from the OS keychain when the profile keeps it there, else none
// (libpq's own sources: ~/.pgpass, PGPASSWORD, a service file).
import { HoldfastError } from '../model/errors.ts';
import type { Profile } from '../model/types.ts';
import type { SecretStore } from './secret-store.ts';

export async function passwordFor(secrets: SecretStore, profile: Profile): Promise<string | undefined> {
  if (!profile.keychainPassword) return undefined;
  const availability = await secrets.availability();
  if (!availability.ok) {
    throw new HoldfastError(
      'NO_KEYCHAIN',
      `Profile "${profile.name}" keeps its password in the OS keychain, which cannot be reached now (${availability.reason}).`,
      'Unlock or start the keychain (on Linux: a desktop session with gnome-keyring or KWallet), or move the password to ~/.pgpass and run `holdfast profile edit --forget-password`.',
    );
  }
  // An entry deleted outside Holdfast leaves libpq's own sources, as for a profile without one.
  return secrets.get(profile.id);
}
