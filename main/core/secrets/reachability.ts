// Can this host obtain what a profile's backup would use as its password? Asked without connecting
// to the server: the password Holdfast holds for it (this host's secret store: the keychain, or the
// credentials file), else libpq's password file. A host that runs schedules asks at start and before
// each slot (schedule/host.ts) and publishes the answer, because the answer is the host's own: the
// desktop session that stored a password reaches the keychain, the daemon under systemd does not.
import { passwordFromLibpqFile } from '../pg/connection.ts';
import type { CredentialCheck, Profile } from '../model/types.ts';
import { asClause, type SecretStore } from './secret-store.ts';
import { UNREACHABLE_SECRET_HINT } from './store-choice.ts';

export interface CredentialSources {
  secrets: SecretStore;
  /** The engine's environment: its PGPASSFILE is the file a child's libpq reads. */
  env: NodeJS.ProcessEnv;
}

export async function checkCredential(sources: CredentialSources, profile: Profile): Promise<CredentialCheck> {
  const { secrets } = sources;
  if (profile.keychainPassword) {
    const availability = await secrets.availability();
    if (!availability.ok) {
      return {
        profile: profile.name,
        ok: false,
        source: 'secret-store',
        problem: `${secrets.description} cannot be reached: ${asClause(availability.reason)}`,
        hint: availability.hint ?? UNREACHABLE_SECRET_HINT,
      };
    }
    let stored: string | undefined;
    try {
      stored = await secrets.get(profile.id);
    } catch (error) {
      return {
        profile: profile.name,
        ok: false,
        source: 'secret-store',
        problem: `${secrets.description} could not be read: ${asClause((error as Error).message)}`,
        hint: UNREACHABLE_SECRET_HINT,
      };
    }
    if (stored !== undefined) return { profile: profile.name, ok: true, source: 'secret-store' };
    // The backup falls back to libpq's password file: good only if that has the password.
    if (!(profile.libpqPasswordFiles && (await passwordFromLibpqFile(profile, profile.dbname, sources.env)) !== undefined)) {
      return {
        profile: profile.name,
        ok: false,
        source: 'secret-store',
        problem: `a password was stored for it, but not in ${secrets.description} (it is in another store, e.g. the keychain of the session that stored it)`,
        hint: UNREACHABLE_SECRET_HINT,
      };
    }
  }
  if (profile.libpqPasswordFiles && (await passwordFromLibpqFile(profile, profile.dbname, sources.env)) !== undefined) {
    return { profile: profile.name, ok: true, source: 'libpq-files' };
  }
  // No password here: fine for a server that trusts this host (peer, cert, trust); the backup says if not.
  return { profile: profile.name, ok: true, source: 'none' };
}
