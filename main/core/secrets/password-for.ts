// A profile's password for libpq: from this host's secret store (the OS keychain or the credentials file) when the profile keeps it there, else none
// (libpq's own sources: ~/.pgpass, PGPASSWORD, a service file).
import { HoldfastError } from '../model/errors.ts';
import type { Profile } from '../model/types.ts';
import { asClause, type SecretStore } from './secret-store.ts';
import { UNREACHABLE_SECRET_HINT } from './store-choice.ts';

export async function passwordFor(secrets: SecretStore, profile: Profile): Promise<string | undefined> {
  if (!profile.keychainPassword) return undefined;
  const availability = await secrets.availability();
  if (!availability.ok) {
    throw new HoldfastError(
      'NO_KEYCHAIN',
      `Profile "${profile.name}" keeps its password in ${secrets.description}, which this host cannot open now: ${asClause(availability.reason)}.`,
      availability.hint ?? UNREACHABLE_SECRET_HINT,
    );
  }
  // An entry deleted outside Holdfast leaves libpq's own sources, as for a profile without one.
  return secrets.get(profile.id);
}
