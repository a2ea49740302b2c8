// Which of a backup's own functions a restore runs, and where. A restore onto a real server runs the
// dump's code as the restoring role: a CHECK (or a domain's CHECK, or a generated column) is evaluated
// for every row COPY loads, CREATE INDEX evaluates its expressions and predicate for every row,
// REFRESH MATERIALIZED VIEW runs the view's query, and an event trigger fires on the DDL that follows
// it. Triggers and column DEFAULTs do not fire while pg_dump's output loads (triggers are created after
// the data; COPY names every column), but the restore installs them to run on later writes, so they are
// listed too, marked as later.
//
// Found by reading the SQL the restore would send: `pg_restore --schema-only -f -` for archives (the
// same tool and version that will restore it, every archive format and compression, and none of the
// table data), the file itself for plain dumps (COPY data blocks skipped unread). A text scan sees
// names followed by "(": it does not see functions reached through dynamic SQL built from pieces
// (EXECUTE 'SEL' || 'ECT f()'), operators (CREATE OPERATOR … FUNCTION = f used as a symbol), casts,
// type input or range canonical functions (these need C, so superuser, to create), rules (which
// INSERT-based dumps would fire), policies (the restore runs with row_security off), or functions the
// target server already has. Unqualified names count as a match for any schema, so a backup's own
// "lower()" would be listed wherever the built-in one is used: it errs towards listing too much.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { runChild, stderrTail } from '../process/child.ts';
import type { ClientToolSet } from '../tools/discover.ts';
import type { BackupMetadata } from '../model/types.ts';

export interface ExecutedFunction {
  /** schema.name as the backup defines it (overloads are one entry). */
  function: string;
  /** Where the backup uses it: "CHECK on public.audit_flags", "called by public.audit_ok", "trigger t on public.orders (later writes)". */
  usedBy: string[];
  securityDefiner: boolean;
  /** True when the restore itself runs it (as the restoring role); false when it only installs it for later writes. */
  duringRestore: boolean;
}

export type ExecutedFunctionsFinding = { functions: ExecutedFunction[] } | { problem: string };

/** The functions a restore of this backup would run, read from the SQL it would send. */
export async function findExecutedFunctions(tools: ClientToolSet, backup: BackupMetadata, timeoutMs: number): Promise<ExecutedFunctionsFinding> {
  const scanner = new ExecutedFunctionScanner();
  try {
    if (backup.format === 'plain') {
      const file = createReadStream(backup.path, { highWaterMark: 1024 * 1024 });
      const input: Readable = backup.compression.startsWith('gzip') ? file.pipe(createGunzip({ chunkSize: 256 * 1024 })) : file;
      file.on('error', (error) => input.destroy(error));
      for await (const chunk of input) scanner.push(chunk as Buffer);
      return { functions: scanner.finish() };
    }
    const listed = await runChild(tools.paths.pg_restore, ['--schema-only', '--file=-', backup.path], {
      env: process.env,
      // Captured output keeps only a tail; the scanner reads all of it as it comes.
      captureStdout: true,
      timeoutMs,
      onSpawn: (child) => child.stdout?.on('data', (chunk: Buffer) => scanner.push(chunk)),
    });
    if (listed.exitCode !== 0 || listed.stoppedBecause) return { problem: `pg_restore could not print the archive's definitions (${listed.stoppedBecause ?? `exit ${listed.exitCode}`}): ${stderrTail(listed.stderr) || '(no message)'}` };
    return { functions: scanner.finish() };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/** The same, over SQL text in memory. */
export function executedFunctionsInSql(sql: string): ExecutedFunction[] {
  const scanner = new ExecutedFunctionScanner();
  scanner.push(Buffer.from(sql, 'utf8'));
  return scanner.finish();
}

interface Statement {
  /** The statement without comments. */
  text: string;
  /** The same with the contents of string literals and dollar-quoted bodies removed. */
  code: string;
}

const EMPTY = Buffer.alloc(0);
const COPY_END = Buffer.from('\n\\.');

/**
 * Splits psql input into statements the way psql does: quotes, dollar quotes, comments, parentheses
 * and BEGIN ATOMIC bodies keep their semicolons; a line starting with a backslash between statements
 * is a meta-command (\connect, \restrict). After COPY … FROM stdin, the data up to the "\." line is
 * skipped by a byte search, never decoded.
 */
class StatementSplitter {
  private carry: Buffer = EMPTY;
  private inCopy = false;
  private copyAtLineStart = false;
  private copyPending = false;
  private readonly decoder = new TextDecoder('utf-8');
  private mode: 'normal' | 'quote' | 'escape-quote' | 'ident' | 'dollar' | 'block-comment' = 'normal';
  private dollarTag = '';
  private commentDepth = 0;
  private parens = 0;
  private beginDepth = 0;
  private words = 0;
  private routine = false;
  private text = '';
  private code = '';

  constructor(private readonly onStatement: (statement: Statement) => void) {}

  push(input: Buffer): void {
    const chunk = this.carry.length ? Buffer.concat([this.carry, input]) : input;
    this.carry = EMPTY;
    let at = 0;
    while (at < chunk.length) {
      if (this.inCopy) {
        const next = this.skipCopy(chunk, at);
        if (next < 0) return;
        at = next;
        continue;
      }
      const nl = chunk.indexOf(10, at);
      if (nl < 0) {
        this.carry = Buffer.from(chunk.subarray(at));
        return;
      }
      this.line(this.decoder.decode(chunk.subarray(at, nl)));
      at = nl + 1;
    }
  }

  finish(): void {
    if (!this.inCopy && this.carry.length) this.line(this.decoder.decode(this.carry));
    this.carry = EMPTY;
    this.emit();
  }

  /** Returns where statements resume after the "\." line, or -1 having kept what it needs in carry. */
  private skipCopy(chunk: Buffer, from: number): number {
    let at = from;
    let lineStart = this.copyAtLineStart ? at : -1;
    for (;;) {
      if (lineStart < 0) {
        const found = chunk.indexOf(COPY_END, at);
        if (found < 0) {
          // Keep a "\n" or "\n\" at the end: the terminator may continue in the next chunk.
          this.carry = Buffer.from(chunk.subarray(Math.max(at, chunk.length - 2)));
          this.copyAtLineStart = false;
          return -1;
        }
        lineStart = found + 1;
      }
      const left = chunk.length - lineStart;
      if (left < 3 || (left === 3 && chunk[lineStart + 2] === 13)) {
        this.carry = Buffer.from(chunk.subarray(lineStart));
        this.copyAtLineStart = true;
        return -1;
      }
      if (chunk[lineStart] === 0x5c && chunk[lineStart + 1] === 0x2e) {
        const end = chunk[lineStart + 2] === 10 ? lineStart + 3 : chunk[lineStart + 2] === 13 && chunk[lineStart + 3] === 10 ? lineStart + 4 : -1;
        if (end > 0) {
          this.inCopy = false;
          return end;
        }
      }
      at = lineStart;
      lineStart = -1;
    }
  }

  private line(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.mode === 'normal' && !/\S/.test(this.code) && line.trimStart().startsWith('\\')) return;
    this.scan(`${line}\n`);
    if (this.copyPending) {
      this.copyPending = false;
      this.inCopy = true;
      this.copyAtLineStart = true;
    }
  }

  private scan(s: string): void {
    let i = 0;
    while (i < s.length) {
      const c = s[i]!;
      switch (this.mode) {
        case 'quote':
        case 'escape-quote': {
          if (this.mode === 'escape-quote' && c === '\\') {
            this.text += s.slice(i, i + 2);
            i += 2;
          } else if (c === "'" && s[i + 1] === "'") {
            this.text += "''";
            i += 2;
          } else {
            this.text += c;
            i++;
            if (c === "'") {
              this.code += "'";
              this.mode = 'normal';
            }
          }
          continue;
        }
        case 'ident': {
          this.text += c;
          this.code += c;
          i++;
          if (c === '"') {
            if (s[i] === '"') {
              this.text += '"';
              this.code += '"';
              i++;
            } else {
              this.mode = 'normal';
            }
          }
          continue;
        }
        case 'dollar': {
          const end = s.indexOf(this.dollarTag, i);
          if (end < 0) {
            this.text += s.slice(i);
            return;
          }
          this.text += s.slice(i, end + this.dollarTag.length);
          this.code += this.dollarTag;
          i = end + this.dollarTag.length;
          this.mode = 'normal';
          continue;
        }
        case 'block-comment': {
          if (c === '*' && s[i + 1] === '/') {
            i += 2;
            if (--this.commentDepth === 0) {
              this.mode = 'normal';
              this.text += ' ';
              this.code += ' ';
            }
          } else if (c === '/' && s[i + 1] === '*') {
            i += 2;
            this.commentDepth++;
          } else {
            i++;
          }
          continue;
        }
        case 'normal':
          break;
      }
      if (c === '-' && s[i + 1] === '-') {
        const nl = s.indexOf('\n', i);
        this.text += '\n';
        this.code += '\n';
        i = nl < 0 ? s.length : nl + 1;
        continue;
      }
      if (c === '/' && s[i + 1] === '*') {
        this.mode = 'block-comment';
        this.commentDepth = 1;
        i += 2;
        continue;
      }
      if (c === "'") {
        const prefix = this.text.at(-1);
        this.mode = (prefix === 'E' || prefix === 'e') && !/[\w$]/.test(this.text.at(-2) ?? '') ? 'escape-quote' : 'quote';
        this.text += c;
        this.code += c;
        i++;
        continue;
      }
      if (c === '"') {
        this.mode = 'ident';
        this.text += c;
        this.code += c;
        i++;
        continue;
      }
      if (c === '$' && !/[\w$]/.test(this.text.at(-1) ?? '')) {
        const tag = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(s.slice(i, i + 64))?.[0];
        if (tag) {
          this.mode = 'dollar';
          this.dollarTag = tag;
          this.text += tag;
          this.code += tag;
          i += tag.length;
          continue;
        }
      }
      const word = /^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/.exec(s.slice(i, i + 128))?.[0];
      if (word && !/[\w$]/.test(this.text.at(-1) ?? '')) {
        this.word(word);
        this.text += word;
        this.code += word;
        i += word.length;
        continue;
      }
      if (c === '(') this.parens++;
      else if (c === ')') this.parens = Math.max(0, this.parens - 1);
      else if (c === ';' && this.parens === 0 && this.beginDepth === 0) {
        i++;
        this.emit();
        continue;
      }
      this.text += c;
      this.code += c;
      i++;
    }
  }

  /** psql's heuristic: inside CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN … END (and CASE within it) hold semicolons. */
  private word(word: string): void {
    if (++this.words <= 4) this.routine = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\b/i.test(`${this.code} ${word} `);
    if (!this.routine || this.parens > 0) return;
    const upper = word.toUpperCase();
    if (upper === 'BEGIN') this.beginDepth++;
    else if (upper === 'CASE' && this.beginDepth > 0) this.beginDepth++;
    else if (upper === 'END' && this.beginDepth > 0) this.beginDepth--;
  }

  private emit(): void {
    const code = this.code.trim();
    const text = this.text.trim();
    this.text = this.code = '';
    this.parens = this.beginDepth = this.words = 0;
    this.routine = false;
    if (this.mode !== 'normal') this.mode = 'normal';
    if (!code) return;
    if (/^COPY\b[\s\S]*\bFROM\s+STDIN\b/i.test(code)) this.copyPending = true;
    this.onStatement({ text, code });
  }
}

// Identifiers as pg_dump writes them: bare, or double-quoted with "" for a quote.
const NAME = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)`;
const QNAME = String.raw`${NAME}(?:\s*\.\s*${NAME})?`;
const NAMES = new RegExp(String.raw`(?<![\w$".])${QNAME}`, 'g');
const CALL = new RegExp(String.raw`(?<![\w$".])(?:(${NAME})\s*\.\s*)?(${NAME})\s*\(`, 'g');

function unquote(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name.toLowerCase();
}

interface QualifiedName {
  schema: string | undefined;
  name: string;
}

function qualified(text: string, defaultSchema?: string): QualifiedName {
  const parts = new RegExp(String.raw`^(${NAME})(?:\s*\.\s*(${NAME}))?$`).exec(text.trim());
  if (!parts) return { schema: defaultSchema, name: text.trim() };
  return parts[2] === undefined ? { schema: defaultSchema, name: unquote(parts[1]!) } : { schema: unquote(parts[1]!), name: unquote(parts[2]) };
}

const shown = (n: QualifiedName) => (n.schema === undefined ? n.name : `${n.schema}.${n.name}`);

/** Function-call shaped names in SQL text: "public.audit_ok(", "audit_ok (". */
function callsIn(sql: string): QualifiedName[] {
  const calls: QualifiedName[] = [];
  for (const m of sql.matchAll(CALL)) calls.push({ schema: m[1] === undefined ? undefined : unquote(m[1]), name: unquote(m[2]!) });
  return calls;
}

/** Splits before each `separator` (a comma is dropped) outside parentheses and double quotes; the code form has no string contents left. */
function splitTopLevel(code: string, separator: string): string[] {
  const at = new RegExp(separator, 'iy');
  // A keyword starts a part only as a whole word, not inside "public.check_ok" or "recheck".
  const keyword = separator !== ',';
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (c === '"') quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && i > start && !(keyword && /[\w$.]/.test(code[i - 1] ?? ''))) {
      at.lastIndex = i;
      if (at.test(code)) {
        parts.push(code.slice(start, i));
        start = c === ',' ? i + 1 : i;
      }
    }
  }
  parts.push(code.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** The text between the parenthesis at `open` and its partner. */
function parenthesized(code: string, open: number): string | undefined {
  let depth = 0;
  let quoted = false;
  for (let i = open; i < code.length; i++) {
    const c = code[i]!;
    if (c === '"') quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return code.slice(open + 1, i);
  }
  return undefined;
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

/** Reads SQL statements (pg_dump's output) and works out which of its own functions run where. */
export class ExecutedFunctionScanner {
  private readonly splitter = new StatementSplitter((statement) => this.statement(statement));
  private readonly definitions = new Map<string, Definition>();
  private readonly uses: Use[] = [];
  private readonly views = new Map<string, { calls: QualifiedName[]; names: Set<string> }>();
  private readonly matviews: Array<{ name: string; withData: boolean }> = [];
  private readonly refreshed = new Set<string>();
  /** Dumps before PostgreSQL 10.3 name objects unqualified under a SET search_path. */
  private schema = 'public';

  push(chunk: Buffer): void {
    this.splitter.push(chunk);
  }

  finish(): ExecutedFunction[] {
    this.splitter.finish();
    for (const mv of this.matviews) {
      const during = mv.withData || this.refreshed.has(mv.name);
      for (const call of this.viewCalls(mv.name, new Set())) this.uses.push({ call, usedBy: `materialized view ${mv.name}${during ? '' : ' (later refreshes)'}`, duringRestore: during });
    }
    return this.resolve();
  }

  private statement({ text, code }: Statement): void {
    const flat = code.replace(/\s+/g, ' ');
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
