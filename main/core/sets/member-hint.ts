// What to do about a database a whole-server set could not back up, said once for every shell: the
// CLI reads the hint with `holdfast profile edit` and its flags, the app with its connection form's
// "Leave out databases" (model/hint-actions.ts). A database the role may not CONNECT to gets the two
// steps `holdfast profile test` names (grant it, or leave it out); any other failure keeps the hint
// its own backup gave, which a set's member used to drop. The hint ends with the command, no full
// stop: a DBA copies the line, and `limited.` would name another profile.
import { hintFields, type ErrorInfo } from '../model/errors.ts';
import { hintText } from '../model/hint-actions.ts';
import type { Profile } from '../model/types.ts';
import { quoteIdent } from '../pg/connection.ts';
import { shellWord } from '../model/shell-word.ts';

/**
 * `holdfast profile edit`'s arguments that leave `database` out of the profile's sets. Its
 * --exclude-database replaces the list, and --all-databases (which the list needs) resets
 * --parallel-databases, so both lists are given whole. Flags first: a name starting with - follows --.
 */
export function excludeDatabaseArgs(profile: Pick<Profile, 'name' | 'wholeServer'>, database: string): string {
  const excludes = [...(profile.wholeServer?.excludeDatabases ?? []), database];
  const parallel = profile.wholeServer?.parallelDatabases;
  const flags = ['--all-databases', ...excludes.map((pattern) => `--exclude-database ${shellWord(pattern)}`), ...(parallel ? [`--parallel-databases ${parallel}`] : [])];
  return `${flags.join(' ')} ${profile.name.startsWith('-') ? '-- ' : ''}${shellWord(profile.name)}`;
}

export interface MemberFailure {
  database: string;
  /** The role the set connected as (current_user). */
  role: string;
  /** The server said at the set's start that the role may not CONNECT to this database. */
  mayNotConnect: boolean;
  /** The member backup's own hint template, if its error had one. */
  ownHint: string | undefined;
}

/** The hint template for one failed member, with {{action}} placeholders; undefined when there is nothing to say. */
export function failedMemberHintTemplate(profile: Pick<Profile, 'name' | 'wholeServer'>, failure: MemberFailure): string | undefined {
  if (!failure.mayNotConnect) return failure.ownHint;
  return `GRANT CONNECT ON DATABASE ${quoteIdent(failure.database)} TO ${quoteIdent(failure.role)} (as its owner or a superuser), or {{exclude-database:${hintText(excludeDatabaseArgs(profile, failure.database))}}}`;
}

/** The hint as the member carries it: the CLI's words, and the app's where they differ. */
export function failedMemberHint(profile: Pick<Profile, 'name' | 'wholeServer'>, failure: MemberFailure): Pick<ErrorInfo, 'hint' | 'appHint'> {
  const { hint, appHint } = hintFields(failedMemberHintTemplate(profile, failure));
  return { ...(hint === undefined ? {} : { hint }), ...(appHint === undefined ? {} : { appHint }) };
}
