// The roles file a backup carries (pg_dumpall --globals-only) is applied to a drill's sandbox as its
// superuser, so it is read as untrusted input: split into statements the way the server will parse
// them (pg/sql-lexer.ts: E'' strings, standard_conforming_strings as the file sets it, dollar quotes,
// nested comments), and every statement must be a role definition. Tablespaces and parameter
// privileges are left out (a drill has no use for them, and GRANT … ON PARAMETER could hand a role ALTER SYSTEM); anything
// else refuses the whole file, because pg_dumpall never writes it and a file that holds it was altered.
//
// Each statement is later sent on its own through the extended query protocol, which rejects a string
// holding two commands: a statement this splitter got wrong cannot smuggle a second one past the check.

import type { SqlToken } from '../pg/sql-lexer.ts';
import { splitSqlStatements, type SqlStatement } from '../pg/sql-statements.ts';
import { serverEncodingDecoder } from '../pg/server-encoding.ts';
import { codeLoadingSetting } from '../pg/code-loading-settings.ts';

export interface RolesFileStatement {
  sql: string;
  /** 1-based line where the statement starts, for messages. */
  line: number;
  /** The setting an `ALTER ROLE … SET` gives, its name unquoted and its values as the server reads them: a set restore onto a real server takes only the allow-listed ones. */
  setting?: { name: string; values: string[] };
}

export interface RolesFilePlan {
  /** Role definitions to apply, in file order. */
  apply: RolesFileStatement[];
  /** Statements left out on purpose, each with why. */
  skipped: Array<{ statement: string; why: string }>;
}

export class RolesFileRefused extends Error {}

const UNTERMINATED: Partial<Record<SqlToken['kind'], string>> = { string: 'string', 'quoted-name': 'quoted name', 'dollar-string': 'dollar-quoted string' };

/** The file's statements as the server will read them, each sent on its own; a literal left open refuses the file. */
function statementsOf(text: string): SqlStatement[] {
  const statements = splitSqlStatements(text);
  for (const statement of statements) {
    const open = statement.tokens.find((token) => token.unterminated && UNTERMINATED[token.kind]);
    if (open) throw new RolesFileRefused(`an unterminated ${UNTERMINATED[open.kind]} starts at line ${open.line}`);
  }
  return statements;
}

/**
 * The roles file as text. pg_dumpall writes it in the server's encoding and says which
 * (SET client_encoding = '…'); the drill's session stays UTF-8 (the file's SET is not applied), so
 * the file is decoded here: a role named "café" on a LATIN1 server is "café" in the sandbox, not
 * "cafÃ©", and the dump's ALTER … OWNER TO finds it.
 */
export function decodeRolesFile(bytes: Buffer): string {
  const declared = /^SET client_encoding = '([A-Za-z0-9_]+)';\r?$/m.exec(bytes.toString('latin1'))?.[1]?.toUpperCase() ?? 'UTF8';
  const decoder = serverEncodingDecoder(declared);
  if (decoder) return decoder.decode(bytes);
  if (bytes.every((byte) => byte < 0x80)) return bytes.toString('latin1');
  throw new RolesFileRefused(`it is written in ${declared}, an encoding the drill cannot read`);
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;

/**
 * Role specifications that are not role names: in the sandbox CURRENT_USER is its bootstrap superuser,
 * whose later sessions a setting would follow (ALTER ROLE CURRENT_USER SET role …, … NOLOGIN). pg_dumpall
 * quotes a role named so ("current_user"); bare, the file was altered.
 */
const SPECIAL_ROLE = /^(?:current_user|current_role|session_user|public)$/i;

const IDENT_LIST = `${IDENT}(?:\\s*,\\s*${IDENT})*`;
const GRANT_OPTION = String.raw`(?:ADMIN|INHERIT|SET)\s+(?:OPTION|TRUE|FALSE)`;
const MEMBERSHIP = new RegExp(`^GRANT\\s+${IDENT_LIST}\\s+TO\\s+${IDENT_LIST}(?:\\s+WITH\\s+${GRANT_OPTION}(?:\\s*,\\s*${GRANT_OPTION})*)?(?:\\s+GRANTED\\s+BY\\s+${IDENT})?$`, 'is');

/** The statements of a pg_dumpall --globals-only file a drill may apply as superuser. */
export function planRolesFile(text: string): RolesFilePlan {
  const plan: RolesFilePlan = { apply: [], skipped: [] };
  for (const statement of statementsOf(text)) {
    const sql = statement.sql;
    const short = sql.replace(/\s+/g, ' ').slice(0, 120);
    const refuse = (why: string): never => {
      throw new RolesFileRefused(`line ${statement.line} of the roles file is ${why}: ${short}`);
    };
    if (statement.metaCommand) {
      // pg_dump 13.22/14.19/15.14/16.10/17.6+ fence their output with \restrict and \unrestrict.
      if (/^\\(?:un)?restrict [A-Za-z0-9]+$/.test(sql)) continue;
      refuse('a psql meta-command');
    }
    // The session stays UTF-8: the file was decoded from its encoding (decodeRolesFile).
    if (/^SET\s+client_encoding\s*(?:=|TO)\s*[^;]*$/i.test(sql)) continue;
    if (
      /^SET\s+(?:default_transaction_read_only|standard_conforming_strings|escape_string_warning|xmloption|statement_timeout|lock_timeout|idle_in_transaction_session_timeout|client_min_messages|row_security)\s*(?:=|TO)\s*[^;]*$/i.test(
        sql,
      )
    ) {
      plan.apply.push({ sql, line: statement.line });
      continue;
    }
    if (/^SELECT\s+pg_catalog\.set_config\('search_path',\s*'',\s*false\)$/i.test(sql)) continue;
    if (new RegExp(`^CREATE\\s+ROLE\\s+${IDENT}$`, 'i').test(sql)) {
      plan.apply.push({ sql, line: statement.line });
      continue;
    }
    const alter = new RegExp(`^ALTER\\s+ROLE\\s+(${IDENT})\\s+(.*)$`, 'is').exec(sql);
    if (alter) {
      if (/^all$/i.test(alter[1]!)) refuse('a setting for every role');
      if (SPECIAL_ROLE.test(alter[1]!)) refuse(`about ${alter[1]}, not a role of the backup`);
      const rest = alter[2]!;
      if (/^WITH\s/i.test(rest)) {
        // Attributes only (SUPERUSER, LOGIN, CONNECTION LIMIT n, VALID UNTIL '…', PASSWORD '…'); the sandbox demotes every role afterwards.
        if (
          !/^WITH(?:\s+(?:NO)?(?:SUPERUSER|CREATEDB|CREATEROLE|INHERIT|LOGIN|REPLICATION|BYPASSRLS)|\s+CONNECTION\s+LIMIT\s+-?\d+|\s+VALID\s+UNTIL\s+'[^']*'|\s+PASSWORD\s+(?:'[^']*'|NULL))+$/i.test(
            rest,
          )
        )
          refuse('not a role attribute list');
        plan.apply.push({ sql, line: statement.line });
        continue;
      }
      const setting = new RegExp(`^(?:IN\\s+DATABASE\\s+${IDENT}\\s+)?SET\\s+(${IDENT}(?:\\.${IDENT})?)\\s+(?:TO|=)\\s+`, 'is').exec(rest);
      if (setting) {
        const name = setting[1]!.replace(/"/g, '');
        const loads = codeLoadingSetting(name);
        if (loads) {
          plan.skipped.push({ statement: short, why: `it ${loads}` });
          continue;
        }
        const values = settingValues(statement.tokens);
        if (values === undefined) refuse('a setting value written in a form pg_dumpall never writes (U& escapes, strings continued over lines)');
        plan.apply.push({ sql, line: statement.line, setting: { name, values: values! } });
        continue;
      }
      refuse('not a role attribute or setting');
    }
    // Membership only: GRANT role[, role] TO role[, role] [WITH ADMIN|INHERIT|SET …] [GRANTED BY role].
    if (MEMBERSHIP.test(sql)) {
      const names = sql.replace(/\s+WITH\s.*?(?=\s+GRANTED\s+BY\s|$)/is, '').match(new RegExp(IDENT, 'g')) ?? [];
      const special = names.find((name) => SPECIAL_ROLE.test(name));
      if (special) refuse(`about ${special}, not a role of the backup`);
      plan.apply.push({ sql, line: statement.line });
      continue;
    }
    if (new RegExp(`^COMMENT\\s+ON\\s+ROLE\\s+${IDENT}\\s+IS\\s+(?:'(?:[^']|'')*'|NULL)$`, 'is').test(sql)) {
      plan.apply.push({ sql, line: statement.line });
      continue;
    }
    if (/^(?:CREATE|ALTER)\s+TABLESPACE\s/i.test(sql) || new RegExp(`^COMMENT\\s+ON\\s+TABLESPACE\\s`, 'i').test(sql) || /^(?:GRANT|REVOKE)\s.*\sON\s+TABLESPACE\s/is.test(sql)) {
      plan.skipped.push({ statement: short, why: 'a drill restores into the default tablespace' });
      continue;
    }
    if (/^(?:GRANT|REVOKE)\s.*\sON\s+PARAMETER\s/is.test(sql)) {
      plan.skipped.push({ statement: short, why: 'privileges on server parameters are not given in a sandbox' });
      continue;
    }
    refuse('not a role definition');
  }
  return plan;
}

/**
 * An `ALTER ROLE … SET name TO v1, v2` statement's values as the server reads them: words folded, quoted
 * names and strings as they are. The statement itself is what runs, so a value read in a way the server
 * might not is undefined: a U& string or name (the lexer decodes its escapes, U&'pg\005Fcatalog' being
 * pg_catalog, but nothing here needs one to be trusted) and a string continued over a line end (the lexer
 * joins 'pg_' NEWLINE 'catalog' as the server does, marked continued). pg_dumpall writes neither: each
 * value is one plain or E'' literal, the values apart by commas.
 */
function settingValues(tokens: readonly SqlToken[]): string[] | undefined {
  const set = tokens.findIndex((t) => t.kind === 'word' && t.value === 'set');
  const to = tokens.findIndex((t, i) => i > set + 1 && ((t.kind === 'word' && t.value === 'to') || (t.kind === 'symbol' && t.raw === '=')));
  const values: string[] = [];
  let expectValue = true;
  for (const t of tokens.slice(to + 1)) {
    if (t.kind === 'space' || t.kind === 'comment' || (t.kind === 'symbol' && t.raw === ';')) continue;
    if (!expectValue) {
      if (t.kind !== 'symbol' || t.raw !== ',') return undefined;
      expectValue = true;
      continue;
    }
    if (t.kind === 'symbol' && (t.raw === '-' || t.raw === '+')) continue; // a signed number's sign
    if (!VALUE_KINDS.has(t.kind) || /^u&/i.test(t.raw) || t.continued) return undefined;
    values.push(t.value);
    expectValue = false;
  }
  return values;
}

const VALUE_KINDS: ReadonlySet<SqlToken['kind']> = new Set(['word', 'quoted-name', 'string', 'dollar-string', 'number']);
