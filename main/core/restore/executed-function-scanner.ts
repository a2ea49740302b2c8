// Reads pg_dump's SQL statement by statement and works out which of the backup's own functions run
// where (see executed-functions.ts for what counts and what a text scan cannot see).
import { PsqlScriptReader } from '../pg/psql-script.ts';
import { splitSqlStatements, standardConformingStringsSetTo, type SqlStatement } from '../pg/sql-statements.ts';
import { beyondDatabase } from './beyond-database.ts';
import { callsIn, NAME, NAMES, parenthesized, QNAME, qualified, shown, splitTopLevel, unquote, type QualifiedName } from './sql-names.ts';

export interface ExecutedFunction {
  /** schema.name as the backup defines it (overloads are one entry). */
  function: string;
  /** Where the backup uses it: "CHECK on public.audit_flags", "called by public.audit_ok", "trigger t on public.orders (later writes)". */
  usedBy: string[];
  securityDefiner: boolean;
  /** True when the restore itself runs it (as the restoring role); false when it only installs it for later writes. */
  duringRestore: boolean;
}

interface Statement {
  /** The statement without comments. */
  text: string;
  /** The same with the contents of string literals and dollar-quoted bodies removed. */
  code: string;
}

/** The two forms the scan reads: comments become spaces; in the code form a literal keeps only its quotes (E'', $$$$). */
function forms(statement: SqlStatement): Statement {
  let text = '';
  let code = '';
  for (const token of statement.tokens) {
    if (token.kind === 'comment') {
      text += ' ';
      code += ' ';
    } else if (token.kind === 'string') {
      text += token.raw;
      code += `${token.raw.slice(0, token.raw.indexOf("'") + 1)}'`;
    } else if (token.kind === 'dollar-string') {
      const tag = token.raw.slice(0, token.raw.indexOf('$', 1) + 1);
      text += token.raw;
      code += tag + tag;
    } else {
      text += token.raw;
      code += token.raw;
    }
  }
  return { text: text.trim(), code: code.trim() };
}

interface Use {
  call: QualifiedName;
  usedBy: string;
  duringRestore: boolean;
}

interface Definition {
  name: string;
  securityDefiner: boolean;
  calls: QualifiedName[];
}

const re = (source: string) => new RegExp(source, 'i');
const CONSTRAINT = String.raw`(?:CONSTRAINT\s+${NAME}\s+)?`;
const ROUTINE = re(String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE|AGGREGATE)\s+(${QNAME})\s*\(`);
const TABLE = re(String.raw`^CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED|FOREIGN)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(${QNAME})\s*`);
const ALTER_TABLE = re(String.raw`^ALTER\s+(?:FOREIGN\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${QNAME})\s+([\s\S]*)$`);
const INDEX = re(String.raw`^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:(?:IF\s+NOT\s+EXISTS\s+)?(${NAME})\s+)?ON\s+(?:ONLY\s+)?(${QNAME})([\s\S]*)$`);
const TRIGGER = re(String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\s+(${NAME})\s+[\s\S]*?\bON\s+(${QNAME})([\s\S]*)$`);
const EVENT_TRIGGER = re(String.raw`^CREATE\s+EVENT\s+TRIGGER\s+(${NAME})\s+([\s\S]*)$`);
const VIEW = re(String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:TEMP|TEMPORARY|RECURSIVE)\s+)?(MATERIALIZED\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?(${QNAME})[\s\S]*?\bAS\b([\s\S]*)$`);
const REFRESH = re(String.raw`^REFRESH\s+MATERIALIZED\s+VIEW\s+(?:CONCURRENTLY\s+)?(${QNAME})`);
const ALTER_DEFAULT = re(String.raw`^ALTER\s+(?:COLUMN\s+)?(${NAME})\s+SET\s+DEFAULT\b([\s\S]*)$`);
const ADD_ELEMENT = re(String.raw`^ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?([\s\S]*)$`);
const TABLE_CONSTRAINT = re(String.raw`^${CONSTRAINT}(CHECK|EXCLUDE|PRIMARY|UNIQUE|FOREIGN|LIKE)\b`);
const COLUMN_CLAUSE = String.raw`(?:DEFAULT|GENERATED|CHECK|CONSTRAINT|REFERENCES|COLLATE|NOT\s+NULL|NULL|PRIMARY|UNIQUE)\b`;
const DOMAIN_CLAUSE = String.raw`(?:DEFAULT|CHECK|CONSTRAINT|NOT\s+NULL|NULL|COLLATE)\b`;
const LEADING_NAME = new RegExp(`^${NAME}`);
const DOMAIN = re(String.raw`^CREATE\s+DOMAIN\s+(${QNAME})([\s\S]*)$`);
const ALTER_DOMAIN_CHECK = re(String.raw`^ALTER\s+DOMAIN\s+(${QNAME})\s+ADD\s+${CONSTRAINT}CHECK\b([\s\S]*)$`);
const SEARCH_PATH = re(String.raw`^SET\s+search_path\s*(?:=|TO)\s*(${NAME})`);
const AGGREGATE_SUPPORT = re(String.raw`\b(?:SFUNC|FINALFUNC|COMBINEFUNC|SERIALFUNC|DESERIALFUNC|MSFUNC|MINVFUNC|MFINALFUNC)\s*=\s*(${QNAME})`);
const TOP_LEVEL = /^(SELECT|DO|CALL|WITH|VALUES)\b/i;
const MAX_BEYOND_SHOWN = 5;
/**
 * Built-in and extension functions that reach past the database restored into: other databases and
 * servers (dblink), the server's files, other sessions, the server's configuration. A dump's CHECK,
 * index or refreshed materialized view that calls one runs it, as the restoring role, for its rows.
 */
const SERVER_REACHING = new Set([
  ...['dblink', 'dblink_exec', 'dblink_connect', 'dblink_connect_u', 'dblink_send_query', 'dblink_open', 'dblink_fetch'],
  ...['lo_import', 'lo_export', 'pg_read_file', 'pg_read_binary_file', 'pg_ls_dir', 'pg_stat_file', 'pg_file_write', 'pg_file_rename', 'pg_file_unlink'],
  ...['pg_terminate_backend', 'pg_cancel_backend', 'pg_reload_conf', 'pg_rotate_logfile', 'pg_promote', 'pg_drop_replication_slot', 'pg_logical_emit_message'],
]);

/** Reads SQL statements (pg_dump's output) and works out which of its own functions run where. */
export class ExecutedFunctionScanner {
  private readonly reader = new PsqlScriptReader((statement) => {
    if (!statement.metaCommand) this.statement(forms(statement));
  });
  private readonly definitions = new Map<string, Definition>();
  private readonly uses: Use[] = [];
  private readonly views = new Map<string, { calls: QualifiedName[]; names: Set<string> }>();
  private readonly matviews: Array<{ name: string; withData: boolean }> = [];
  private readonly refreshed = new Set<string>();
  /** Dumps before PostgreSQL 10.3 name objects unqualified under a SET search_path. */
  private schema = 'public';
  /** Statements that act beyond the target database (beyond-database.ts), the first few as said. */
  readonly beyondDatabase: string[] = [];
  /** standard_conforming_strings as the TOC's strings leave it (its STDSTRINGS entry sets it first). */
  private tocStandardStrings = true;

  push(chunk: Buffer): void {
    this.reader.push(chunk);
  }

  finish(): ExecutedFunction[] {
    this.reader.finish();
    for (const mv of this.matviews) {
      const during = mv.withData || this.refreshed.has(mv.name);
      for (const call of this.viewCalls(mv.name, new Set())) this.uses.push({ call, usedBy: `materialized view ${mv.name}${during ? '' : ' (later refreshes)'}`, duringRestore: during });
    }
    const functions = this.resolve();
    this.reachingBeyond(functions);
    return functions;
  }

  /** Calls the restore itself runs (a CHECK, an index, a refreshed view, and the backup's functions these call) that reach past the database. */
  private reachingBeyond(functions: ExecutedFunction[]): void {
    const found = [
      ...this.uses.filter((use) => use.duringRestore).map((use) => ({ call: use.call, where: use.usedBy })),
      ...functions.filter((f) => f.duringRestore).flatMap((f) => (this.definitions.get(f.function)?.calls ?? []).map((call) => ({ call, where: f.function }))),
    ];
    for (const { call, where } of found) {
      if (!SERVER_REACHING.has(call.name) || (call.schema !== undefined && !['pg_catalog', 'public'].includes(call.schema) && this.definitions.has(shown(call)))) continue;
      const said = `${call.name}() in ${where} (reaches beyond the database, and the restore runs it)`;
      if (this.beyondDatabase.length < MAX_BEYOND_SHOWN && !this.beyondDatabase.includes(said)) this.beyondDatabase.push(said);
    }
  }

  /**
   * One SQL string of an archive's TOC (archive/toc-sql.ts), which pg_restore sends as one query:
   * checked for statements beyond the database only. The entries pg_restore runs only with --create
   * (the database's own, which a Holdfast restore never sends) are left out, as it leaves them out.
   */
  sentByPgRestore(entry: { desc: string; tag: string }, sql: string): void {
    if (entry.desc === 'DATABASE' || entry.desc === 'DATABASE PROPERTIES') return;
    if (['ACL', 'COMMENT', 'SECURITY LABEL'].includes(entry.desc) && entry.tag.startsWith('DATABASE ')) return;
    for (const statement of splitSqlStatements(sql, { psql: true, standardConformingStrings: this.tocStandardStrings })) {
      if (statement.metaCommand) continue;
      this.checkBeyond(forms(statement));
      this.tocStandardStrings = standardConformingStringsSetTo(statement.tokens) ?? this.tocStandardStrings;
    }
  }

  private checkBeyond({ text, code }: Statement): void {
    const beyond = beyondDatabase(code.replace(/\s+/g, ' '));
    const said = `${text.replace(/\s+/g, ' ').slice(0, 120)} (${beyond})`;
    if (beyond && this.beyondDatabase.length < MAX_BEYOND_SHOWN && !this.beyondDatabase.includes(said)) this.beyondDatabase.push(said);
  }

  private statement({ text, code }: Statement): void {
    const flat = code.replace(/\s+/g, ' ');
    this.checkBeyond({ text, code });
    let m: RegExpExecArray | null;
    if ((m = SEARCH_PATH.exec(flat))) {
      this.schema = unquote(m[1]!) || 'public';
    } else if ((m = ROUTINE.exec(flat))) {
      const name = qualified(m[2]!, this.schema);
      const key = shown(name);
      const aggregate = m[1]!.toUpperCase() === 'AGGREGATE';
      const calls = aggregate ? [...flat.matchAll(new RegExp(AGGREGATE_SUPPORT, 'gi'))].map((s) => qualified(s[1]!)) : callsIn(text);
      const known = this.definitions.get(key);
      this.definitions.set(key, {
        name: name.name,
        securityDefiner: (known?.securityDefiner ?? false) || (!aggregate && /\bSECURITY\s+DEFINER\b/i.test(flat)),
        calls: [...(known?.calls ?? []), ...calls],
      });
    } else if ((m = TABLE.exec(flat))) {
      const table = shown(qualified(m[1]!, this.schema));
      const open = m.index + m[0].length;
      if (flat[open] === '(') {
        for (const element of splitTopLevel(parenthesized(flat, open) ?? '', ',')) this.tableElement(table, element, false);
      }
    } else if ((m = ALTER_TABLE.exec(flat))) {
      const table = shown(qualified(m[1]!, this.schema));
      for (const action of splitTopLevel(m[2]!, ',')) {
        let a: RegExpExecArray | null;
        if ((a = ALTER_DEFAULT.exec(action))) this.use(a[2]!, `DEFAULT on ${table}.${unquote(a[1]!)} (later inserts)`, false);
        else if ((a = ADD_ELEMENT.exec(action))) this.tableElement(table, a[1]!, true);
      }
    } else if ((m = INDEX.exec(flat))) {
      const table = qualified(m[2]!, this.schema);
      const index = m[1] === undefined ? 'an index' : `index ${unquote(m[1])}`;
      this.use(m[3]!, `${index} on ${shown(table)}`, true);
    } else if ((m = EVENT_TRIGGER.exec(flat))) {
      this.use(m[2]!, `event trigger ${unquote(m[1]!)} (fires on the restore's later DDL)`, true);
    } else if ((m = TRIGGER.exec(flat))) {
      this.use(m[3]!, `trigger ${unquote(m[1]!)} on ${shown(qualified(m[2]!, this.schema))} (later writes)`, false);
    } else if ((m = VIEW.exec(flat))) {
      const name = shown(qualified(m[2]!, this.schema));
      this.views.set(name, { calls: callsIn(m[3]!), names: new Set([...m[3]!.matchAll(NAMES)].map((n) => shown(qualified(n[0], this.schema)))) });
      if (m[1]) this.matviews.push({ name, withData: !/\bWITH\s+NO\s+DATA\s*$/i.test(flat) });
    } else if ((m = REFRESH.exec(flat))) {
      this.refreshed.add(shown(qualified(m[1]!, this.schema)));
    } else if ((m = DOMAIN.exec(flat)) || (m = ALTER_DOMAIN_CHECK.exec(flat))) {
      const domain = shown(qualified(m[1]!, this.schema));
      const alter = flat.toUpperCase().startsWith('ALTER');
      for (const part of splitTopLevel(alter ? `CHECK ${m[2]!}` : m[2]!, DOMAIN_CLAUSE)) {
        if (/^DEFAULT\b/i.test(part)) this.use(part, `DEFAULT of domain ${domain} (later inserts)`, false);
        else if (/^CHECK\b/i.test(part)) {
          const notValid = /\bNOT\s+VALID\s*$/i.test(part);
          this.use(part, `CHECK on domain ${domain}${notValid ? ' (NOT VALID: later writes)' : ''}`, !notValid);
        }
      }
    } else if ((m = TOP_LEVEL.exec(flat))) {
      this.use(m[1]!.toUpperCase() === 'DO' ? text : flat, `${m[1]!.toUpperCase() === 'DO' ? 'DO block' : `${m[1]!.toUpperCase()} statement`} in the backup`, true);
    }
  }

  /** One element of CREATE TABLE (…) or an ALTER TABLE … ADD: a column or a table constraint. */
  private tableElement(table: string, element: string, addedColumn: boolean): void {
    const constraint = TABLE_CONSTRAINT.exec(element);
    if (constraint) {
      const kind = constraint[1]!.toUpperCase();
      if (kind === 'CHECK') {
        const notValid = /\bNOT\s+VALID\s*$/i.test(element);
        this.use(element, `CHECK on ${table}${notValid ? ' (NOT VALID: later writes)' : ''}`, !notValid);
      } else if (kind === 'EXCLUDE') {
        this.use(element, `EXCLUDE constraint on ${table}`, true);
      }
      return;
    }
    const column = LEADING_NAME.exec(element)?.[0];
    if (!column) return;
    const name = `${table}.${unquote(column)}`;
    for (const part of splitTopLevel(element.slice(column.length), COLUMN_CLAUSE)) {
      const keyword = /^\w+/.exec(part)?.[0].toUpperCase();
      // COPY and INSERT in pg_dump's output name every column, so a DEFAULT fires only on later inserts
      // (an ALTER TABLE … ADD COLUMN … DEFAULT evaluates it for the rows already there).
      if (keyword === 'DEFAULT') this.use(part, `DEFAULT on ${name}${addedColumn ? '' : ' (later inserts)'}`, addedColumn);
      else if (keyword === 'GENERATED' && /\bAS\s*\(/i.test(part)) this.use(part, `generated column ${name}`, true);
      else if (keyword === 'CHECK') this.use(part, `CHECK on ${table}`, true);
    }
  }

  private use(sql: string, usedBy: string, duringRestore: boolean): void {
    for (const call of callsIn(sql)) this.uses.push({ call, usedBy, duringRestore });
  }

  /** Calls in a view's query and in the views it reads, so a materialized view over a view is followed. */
  private viewCalls(name: string, seen: Set<string>): QualifiedName[] {
    const view = this.views.get(name);
    if (!view || seen.has(name)) return [];
    seen.add(name);
    return [...view.calls, ...[...view.names].flatMap((other) => this.viewCalls(other, seen))];
  }

  /** Matches calls to the backup's definitions and follows what those call in turn. */
  private resolve(): ExecutedFunction[] {
    const byName = new Map<string, string[]>();
    for (const [key, { name }] of this.definitions) byName.set(name, [...(byName.get(name) ?? []), key]);
    const targets = (call: QualifiedName) => (call.schema === undefined ? (byName.get(call.name) ?? []) : this.definitions.has(shown(call)) ? [shown(call)] : []);
    const found = new Map<string, { usedBy: Set<string>; duringRestore: boolean }>();
    const queue: string[] = [];
    const reach = (key: string, usedBy: string, duringRestore: boolean) => {
      const entry = found.get(key);
      if (!entry) {
        found.set(key, { usedBy: new Set([usedBy]), duringRestore });
        queue.push(key);
      } else {
        entry.usedBy.add(usedBy);
        if (duringRestore && !entry.duringRestore) {
          entry.duringRestore = true;
          queue.push(key);
        }
      }
    };
    for (const use of this.uses) for (const key of targets(use.call)) reach(key, use.usedBy, use.duringRestore);
    while (queue.length) {
      const caller = queue.shift()!;
      const { duringRestore } = found.get(caller)!;
      for (const call of this.definitions.get(caller)!.calls) {
        for (const key of targets(call)) if (key !== caller) reach(key, `called by ${caller}`, duringRestore);
      }
    }
    return [...found]
      .map(([key, entry]) => ({ function: key, usedBy: [...entry.usedBy], securityDefiner: this.definitions.get(key)!.securityDefiner, duringRestore: entry.duringRestore }))
      .sort((a, b) => Number(b.duringRestore) - Number(a.duringRestore) || a.function.localeCompare(b.function));
  }
}
