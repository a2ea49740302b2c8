// "Test connection" in the add/edit form: the connection as typed, before it is saved. The typed
// password is used for this one connection and never stored; no profile row is written. Editing a
// saved profile without typing a password tests with its stored one, but only while host, port,
// user, database and SSL settings are unchanged: a stored password is never sent to a server the form
// points at, nor over a connection checked less than the saved one.
import { randomUUID } from 'node:crypto';
import type * as z from 'zod';
import { NewProfileSchema, type NewProfileInput } from './profile-schema.ts';
import type { CredentialSource } from '../pg/session.ts';
import type { Catalogue } from '../catalogue/catalogue.ts';
import type { Profile } from '../model/types.ts';
import { LIBPQ_PASSWORD_FILES, libpqPasswordFilesByDefault, NO_PASSWORD_SOURCE, probeConnection, type ProfileTestReport } from './profiles.ts';

type Draft = z.output<typeof NewProfileSchema>;

export interface DraftTest {
  /** As a profile.add would take it; checked by the same schema. */
  draft: NewProfileInput;
  /** Typed in the form; used for this test only. */
  password?: string | undefined;
  /** The saved profile being edited, whose stored password may answer when none is typed. */
  editing?: string | undefined;
}

/**
 * The same server, checked the same way: host, port, user, database and service, and the SSL settings
 * (a draft with sslmode disable would hand the stored password to whoever answers a cleartext password
 * request on the path; a profile.edit of any of these is a super-admin's change, auth.ts).
 */
const sameServer = (a: Profile, b: Draft) =>
  a.host === b.host &&
  a.port === b.port &&
  a.user === b.user &&
  a.dbname === b.dbname &&
  (a.service ?? null) === (b.service ?? null) &&
  (a.sslmode ?? null) === (b.sslmode ?? null) &&
  // The form has no certificate fields: left out, the saved ones are not in question (a named one is a super-admin's draft).
  (['sslrootcert', 'sslcert', 'sslkey'] as const).every((field) => b[field] === null || b[field] === a[field]);

export async function testDraftConnection(context: CredentialSource & { catalogue: Catalogue }, input: DraftTest): Promise<ProfileTestReport> {
  const draft = NewProfileSchema.parse(input.draft);
  const saved = input.editing === undefined ? undefined : context.catalogue.requireProfile(input.editing);
  const storedMayAnswer = input.password === undefined && saved?.keychainPassword === true && sameServer(saved, draft);
  const profile: Profile = {
    ...draft,
    // Left unsaid, the same default an add would take (profiles.ts).
    libpqPasswordFiles: draft.libpqPasswordFiles ?? libpqPasswordFilesByDefault(),
    // Never a saved profile's id: nothing here may read or write another profile's secret by id.
    id: `draft-${randomUUID()}`,
    createdAt: new Date().toISOString(),
    keychainPassword: input.password !== undefined || storedMayAnswer,
  };
  const typed = input.password;
  const source: CredentialSource = {
    config: context.config,
    clientTools: (dir) => context.clientTools(dir),
    passwordFor: async () => (typed !== undefined ? typed : storedMayAnswer ? context.passwordFor(saved!) : undefined),
    passwordOrigin: typed !== undefined ? 'the password typed in the form' : context.passwordOrigin,
  };
  const passwordSource = typed !== undefined ? 'typed, not stored' : storedMayAnswer ? 'keychain' : profile.libpqPasswordFiles ? LIBPQ_PASSWORD_FILES : NO_PASSWORD_SOURCE;
  return probeConnection(source, profile, passwordSource);
}
