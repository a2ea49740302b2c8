// Everything an operation needs to talk to one profile's server, with its password handled in one
// place: node-postgres gets it in memory, child tools through a temporary passfile that close()
// removes. A profile without a keychain password uses libpq's password files (~/.pgpass, PGPASSFILE,
// its service's password) if it may; if it may not, children get an empty passfile instead and a
// service (whose definition could hold a password) is refused. PGPASSWORD is never passed on.
import type pg from 'pg';
import type { HoldfastConfig } from '../config/config.ts';
import { HoldfastError } from '../model/errors.ts';
import { createPassfile, type Passfile } from '../secrets/passfile.ts';
import type { ClientToolSet } from '../tools/discover.ts';
import type { ProgramAnswers } from '../tools/program-answers.ts';
import type { Profile } from '../model/types.ts';
import { connect, libpqEnv } from './connection.ts';

export interface CredentialSource {
  config: HoldfastConfig;
  /** The keychain password of a profile that has one; undefined otherwise. */
  passwordFor(profile: Profile): Promise<string | undefined>;
  /** Client tools found for an explicit directory (a profile's or HOLDFAST_PG_BIN), else by discovery. */
  clientTools(explicitDir?: string): Promise<ClientToolSet[]>;
  /** What pg_dump and setpriv answered before, kept in HOLDFAST_HOME (tools/program-answers.ts). */
  programAnswers?: ProgramAnswers;
  /** Where passwordFor's answer comes from, as a refused login's hint names it (default: the OS keychain). */
  readonly passwordOrigin?: string;
}

export interface ServerSession {
  readonly profile: Profile;
  connect(database?: string): Promise<pg.Client>;
  /** Environment for a client tool child of this profile. */
  childEnv(): NodeJS.ProcessEnv;
  /** The explicit tools directory in force for this profile, if any. */
  readonly toolsDir: string | undefined;
  close(): Promise<void>;
}

export async function openSession(source: CredentialSource, profile: Profile): Promise<ServerSession> {
  const libpqFiles = profile.libpqPasswordFiles === true;
  if (!libpqFiles && profile.service) {
    throw new HoldfastError(
      'BAD_INPUT',
      `Profile "${profile.name}" names the libpq service "${profile.service}", whose definition may hold a password, and libpq's password files are off for this profile.`,
      `A super-admin can allow them (\`holdfast profile edit ${profile.name} --libpq-password-files\`), or add the connection without --service.`,
    );
  }
  const password = await source.passwordFor(profile);
  // The keychain's password; else nothing (an empty file) when libpq's own files may not answer.
  const passfile: Passfile | undefined = password !== undefined || !libpqFiles ? await createPassfile(profile, password, source.config.home) : undefined;
  const timeout = source.config.connectTimeoutSeconds;
  return {
    profile,
    toolsDir: profile.pgBinDir ?? source.config.pgBinDir,
    connect: (database = profile.dbname) => connect(profile, timeout, database, password, source.config.env, source.passwordOrigin),
    childEnv: () => {
      const env = libpqEnv(profile, timeout, source.config.env);
      return passfile ? passfile.env(env) : env;
    },
    close: async () => {
      await passfile?.remove();
    },
  };
}
