// The roles an archive's privilege entries (ACL, DEFAULT ACL) name, and its objects' owners, read from
// the SQL pg_restore writes for them. pg_restore --list shows only each entry's owner, so a role named
// only as a grantee (GRANT USAGE ON SCHEMA "My Schema" TO analyst) passed the preview and failed the
// restore; and it shows that owner unquoted after a tag that may hold spaces too, so an owner named
// "Odd Name" read as "Name". The SQL quotes every name, so both are read from it.
import { significant, type SqlToken } from '../pg/sql-lexer.ts';
import { splitSqlStatements } from '../pg/sql-statements.ts';

/** Words that stand where a role would and are none: PUBLIC and the current-role keywords. */
const NOT_ROLES = new Set(['public', 'current_user', 'current_role', 'session_user']);

/** Every role a GRANT, REVOKE, ALTER DEFAULT PRIVILEGES or SET SESSION AUTHORIZATION in `sql` names, sorted. */
export function rolesNamedByPrivileges(sql: string): string[] {
  const roles = new Set<string>();
  for (const statement of splitSqlStatements(sql)) {
    if (statement.metaCommand) continue;
    for (const role of rolesIn(significant(statement.tokens))) roles.add(role);
  }
  return [...roles].sort();
}

function rolesIn(tokens: SqlToken[]): string[] {
  const isWord = (at: number, word: string) => tokens[at]?.kind === 'word' && tokens[at].value === word;
  const roles: string[] = [];
  /** The role names from `at` on, comma-separated; PUBLIC and its like left out. */
  const namesFrom = (from: number): number => {
    for (let at = from; ; at += 2) {
      if (isWord(at, 'group')) at += 1;
      const token = tokens[at];
      if (token?.kind === 'quoted-name') roles.push(token.value);
      else if (token?.kind === 'word') {
        if (!NOT_ROLES.has(token.value)) roles.push(token.value);
      } else return at;
      if (tokens[at + 1]?.raw !== ',') return at + 1;
    }
  };
  if (isWord(0, 'set') && isWord(1, 'session') && isWord(2, 'authorization')) {
    namesFrom(3);
    return roles;
  }
  let start = 0;
  if (isWord(0, 'alter') && isWord(1, 'default') && isWord(2, 'privileges')) {
    start = 3;
    if (isWord(3, 'for') && (isWord(4, 'role') || isWord(4, 'user'))) start = namesFrom(5);
    while (start < tokens.length && !isWord(start, 'grant') && !isWord(start, 'revoke')) start++;
  }
  const grant = isWord(start, 'grant');
  if (!grant && !isWord(start, 'revoke')) return roles;
  // TO and FROM are reserved: bare, outside parentheses, they only ever start the grantee list.
  let depth = 0;
  let on = false;
  for (let at = start + 1; at < tokens.length; at++) {
    const token = tokens[at]!;
    if (token.raw === '(') depth++;
    else if (token.raw === ')') depth--;
    else if (depth > 0) continue;
    else if (token.kind === 'word' && token.value === 'on') on = true;
    else if (token.kind === 'word' && token.value === (grant ? 'to' : 'from')) {
      // GRANT role TO role: the granted roles are roles too (no ON before the TO).
      if (!on) namesFrom(isWord(start + 2, 'option') && isWord(start + 3, 'for') ? start + 4 : start + 1);
      at = namesFrom(at + 1);
      if (isWord(at, 'with')) at += 3;
      if (isWord(at, 'granted') && isWord(at + 1, 'by')) namesFrom(at + 2);
      break;
    }
  }
  return roles;
}

/** Every role an ALTER … OWNER TO in `sql` names (the owners of the objects it creates), sorted. */
export function ownersNamedBy(sql: string): string[] {
  const owners = new Set<string>();
  for (const statement of splitSqlStatements(sql)) {
    if (statement.metaCommand) continue;
    const tokens = significant(statement.tokens);
    if (tokens[0]?.kind !== 'word' || tokens[0].value !== 'alter') continue;
    // OWNER TO ends the statement: the role is its last name.
    const at = tokens.length - 1;
    const owner = tokens[at];
    const isWord = (index: number, word: string) => tokens[index]?.kind === 'word' && tokens[index].value === word;
    if (!isWord(at - 2, 'owner') || !isWord(at - 1, 'to')) continue;
    if (owner?.kind === 'quoted-name' || (owner?.kind === 'word' && !NOT_ROLES.has(owner.value))) owners.add(owner.value);
  }
  return [...owners].sort();
}
