// SQL split into statements, as the server splits a query string or psql a script, over the lexer's
// tokens (sql-lexer.ts): a ; inside a literal, a quoted name or a comment ends none, and
// SET standard_conforming_strings changes how the strings after it are read.
import { significant, SqlLexer, type SqlLexerOptions, type SqlToken } from './sql-lexer.ts';

export interface SqlStatement {
  /** From the first token that is not space or a comment up to the `;` (not included). */
  tokens: SqlToken[];
  /** The statement as written, trimmed: comments inside it kept, the `;` left off. */
  sql: string;
  /** 1-based line where it starts. */
  line: number;
  /** A psql meta-command line (\connect, \restrict, \!); its one token is the line. */
  metaCommand: boolean;
}

export interface SqlSplitOptions extends SqlLexerOptions {
  /**
   * Split as psql does before it sends a statement: a `;` inside parentheses, or inside the BEGIN …
   * END of CREATE FUNCTION/PROCEDURE (BEGIN ATOMIC), does not end it. Without: every `;` outside
   * quotes and comments ends one, as the server splits a query string.
   */
  psql?: boolean;
}

/** Splits SQL into statements as they come, handing each to `onStatement`. */
export class SqlStatementSplitter {
  private readonly lexer: SqlLexer;
  private tokens: SqlToken[] = [];
  private parens = 0;
  private beginDepth = 0;
  /** psql's view of the statement's first words: c(reate), o(r), r(eplace), f(unction), p(rocedure), or '' for another. */
  private leading = '';

  constructor(
    private readonly onStatement: (statement: SqlStatement) => void,
    private readonly options: SqlSplitOptions = {},
  ) {
    this.lexer = new SqlLexer((token) => this.take(token), options);
    this.lexer.metaCommands = true;
  }

  push(text: string): void {
    this.lexer.push(text);
  }

  end(): void {
    this.lexer.end();
    this.emit();
  }

  private take(token: SqlToken): void {
    if (token.kind === 'meta-command') {
      this.onStatement({ tokens: [token], sql: token.raw.trim(), line: token.line, metaCommand: true });
      return;
    }
    if (!this.tokens.length && (token.kind === 'space' || token.kind === 'comment')) return;
    if (token.kind === 'symbol' && token.raw === ';' && (!this.options.psql || (this.parens === 0 && this.beginDepth === 0))) {
      this.emit();
      return;
    }
    if (this.options.psql) this.followPsql(token);
    this.tokens.push(token);
    this.lexer.metaCommands = false;
  }

  /** psqlscan.l's heuristic for what holds a semicolon, word for word. */
  private followPsql(token: SqlToken): void {
    if (token.kind === 'symbol' && token.raw === '(') this.parens += 1;
    else if (token.kind === 'symbol' && token.raw === ')') this.parens = Math.max(0, this.parens - 1);
    if (token.kind !== 'word') return;
    if (this.leading.length < 4) this.leading += ['create', 'or', 'replace', 'function', 'procedure'].includes(token.value) ? token.value[0] : '-';
    if (!/^c(?:[fp]|or[fp])/.test(this.leading) || this.parens > 0) return;
    if (token.value === 'begin') this.beginDepth += 1;
    else if (token.value === 'case' && this.beginDepth > 0) this.beginDepth += 1;
    else if (token.value === 'end' && this.beginDepth > 0) this.beginDepth -= 1;
  }

  private emit(): void {
    const tokens = this.tokens;
    this.tokens = [];
    this.parens = this.beginDepth = 0;
    this.leading = '';
    this.lexer.metaCommands = true;
    if (!tokens.length) return;
    this.onStatement({
      tokens,
      sql: tokens
        .map((t) => t.raw)
        .join('')
        .trim(),
      line: tokens[0]!.line,
      metaCommand: false,
    });
    const scs = standardConformingStringsSetTo(tokens);
    if (scs !== undefined) this.lexer.standardConformingStrings = scs;
  }
}

/** The statements of a text read whole. */
export function splitSqlStatements(text: string, options?: SqlSplitOptions): SqlStatement[] {
  const statements: SqlStatement[] = [];
  const splitter = new SqlStatementSplitter((statement) => statements.push(statement), options);
  splitter.push(text);
  splitter.end();
  return statements;
}

/** What `SET [SESSION] standard_conforming_strings = …` sets it to; undefined for any other statement or a value the server refuses. */
export function standardConformingStringsSetTo(tokens: SqlToken[]): boolean | undefined {
  if (tokens[0]?.kind !== 'word' || tokens[0].value !== 'set') return undefined;
  const words = significant(tokens);
  if (words[0]?.kind === 'word' && words[0].value === 'set' && words[1]?.kind === 'word' && words[1].value === 'session') words.splice(1, 1);
  const [set, name, to, value, extra] = words;
  if (set?.kind !== 'word' || set.value !== 'set' || extra) return undefined;
  if (!name || !['word', 'quoted-name'].includes(name.kind) || name.value !== 'standard_conforming_strings') return undefined;
  if (!to || !((to.kind === 'word' && to.value === 'to') || (to.kind === 'symbol' && to.raw === '='))) return undefined;
  if (!value || !['word', 'string', 'number'].includes(value.kind)) return undefined;
  if (value.kind === 'word' && value.value === 'default') return true;
  return parseBool(value.value);
}

/** The server's parse_bool: true/false, yes/no, on/off, 1/0, or an unambiguous prefix of one. */
function parseBool(text: string): boolean | undefined {
  const value = text.toLowerCase();
  if (!value) return undefined;
  for (const [word, meaning, shortest] of [
    ['true', true, 1],
    ['false', false, 1],
    ['yes', true, 1],
    ['no', false, 1],
    ['on', true, 2],
    ['off', false, 2],
    ['1', true, 1],
    ['0', false, 1],
  ] as const) {
    if (value.length >= shortest && word.startsWith(value)) return meaning;
  }
  return undefined;
}
