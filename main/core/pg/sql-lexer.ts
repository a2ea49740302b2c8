// How PostgreSQL reads SQL text, stated once: where a string, a quoted name, a dollar-quoted body or a
// comment starts and ends, and so where a statement ends (sql-statements.ts splits there). Every
// module that reads SQL it did not write (a roles file applied as superuser, a dump's definitions, an
// archive's database entries) reads it through here, so none can disagree with another about a quote.
//
// Followed from the server's scanner (scan.l) and psql's (psqlscan.l):
// - '…' doubles a quote; with standard_conforming_strings off a backslash escapes too, as it always
//   does in E'…'. N'…' reads like '…'; B'…', X'…' and U&'…' never take a backslash escape.
// - A string goes on past its closing quote when whitespace holding a line end (-- comments allowed,
//   no /* */) and another quote follow: 'a' NEWLINE 'b' is the one literal 'ab', read on in the same
//   mode (E'…', U&'…', B'…' alike). Spaces alone ('a' 'b') join nothing: the server refuses that.
// - "…" and U&"…" are names; a doubled quote is the quote itself.
// - U&'…' and U&"…" are decoded (unicode-literals.ts); a UESCAPE clause after one is part of its
//   token, as the server's parser joins them.
// - $tag$…$tag$ ends at the first copy of the same tag; $$ inside $a$ is text. A $ inside a word
//   (a$b) or after a parameter's digits is no tag: words and parameters are read whole first.
// - /* … */ nests; -- runs to the end of the line.
// - A backslash where a statement would start is a psql meta-command (\connect, \restrict, \!),
//   which runs to the end of its line.
// - SET standard_conforming_strings = … changes how later strings read, as it does on the server.
//
// Input may come in pieces (a stream); a piece is read up to its last line end and the rest is kept
// for the next, so no token that cannot hold a line end is ever cut in two.
import { UnicodeLiterals } from './unicode-literals.ts';

export type SqlTokenKind = 'space' | 'comment' | 'word' | 'quoted-name' | 'string' | 'dollar-string' | 'number' | 'parameter' | 'symbol' | 'meta-command';

export interface SqlToken {
  kind: SqlTokenKind;
  /** The token as written. */
  raw: string;
  /** word: folded to lower case as the server folds it; quoted-name: the name; string: its value; dollar-string: its body; else raw. */
  value: string;
  /** 1-based line where the token starts. */
  line: number;
  /** It ran to the end of the input without its closing quote, tag or comment end. */
  unterminated?: true;
  /** A U&'…' or U&"…" the server refuses (an invalid escape, code point or UESCAPE character); its value is the text undecoded. */
  badEscape?: true;
  /** A string continued past a closing quote over a line end ('a' NEWLINE 'b'): its value is the whole literal. */
  continued?: true;
}

export interface SqlLexerOptions {
  /** How the session starts; on by default, as on every server since 9.1. */
  standardConformingStrings?: boolean;
}

/** A string, name, dollar body or comment that may go on past the end of the piece read so far. */
interface OpenToken {
  kind: 'string' | 'quoted-name' | 'dollar-string' | 'comment';
  raw: string;
  value: string;
  line: number;
  /** The closing quote or dollar tag (a comment counts its depth instead). */
  close: string;
  /** Whether a backslash escapes the next character. */
  backslashes: boolean;
  /** Block comment nesting. */
  depth: number;
  /**
   * A string past its closing quote: what came after it so far (spaces, line ends, -- comments),
   * until another quote continues it or anything else ends it. Undefined inside the quotes.
   */
  afterClose?: string;
  /** Whether afterClose holds a line end yet: without one, a quote after it does not continue the string. */
  afterCloseHasLineEnd?: boolean;
  continued?: true;
}

const SPACE = /[ \t\n\r\f\v]+/y;
const WORD = /[A-Za-z_\u0080-\uffff][A-Za-z_0-9$\u0080-\uffff]*/y;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*)?\$/y;
const PARAMETER = /\$\d+/y;
const NUMBER = /0[xX][0-9A-Fa-f_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*(?:\.(?!\.)\d*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?/y;
/** A string's prefix: E (escapes), B and X (bit strings), N (national), U& (Unicode escapes). */
const PREFIXED = /(?:[eEbBxXnN]|[uU]&)(?=['"])/y;
const ESCAPE = /\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([\s\S]))/y;
const ESCAPED: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

const newlines = (text: string) => {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
};

/** How many characters `pattern` (sticky) matches at `at`; 0 for none. Nothing is allocated on this hot path. */
const lengthAt = (pattern: RegExp, text: string, at: number): number => {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex - at : 0;
};

/** Characters that may start a string prefix (E, B, X, N, U&). */
const PREFIX_LETTERS = new Set('eEbBxXnNuU');
const SPACE_CHARACTERS = new Set(' \t\n\r\f\v');
/** scan.l's horiz_space, allowed between a string's closing quote and the line end that lets it go on. */
const HORIZONTAL_SPACE = new Set(' \t\f');
const LINE_END = /[\n\r]/g;
const LINE_COMMENT = /--[^\n\r]*/y;

/** Identifiers fold to lower case in ASCII only, as the server folds them in a multibyte encoding. */
export const foldIdentifier = (word: string) => (/[A-Z]/.test(word) ? word.replace(/[A-Z]+/g, (upper) => upper.toLowerCase()) : word);

/** Reads SQL into tokens, handing each to `onToken` as soon as it is whole. */
export class SqlLexer {
  /** Whether a backslash outside quotes starts a psql meta-command here; the statement splitter sets it. */
  metaCommands = false;
  standardConformingStrings: boolean;
  private line = 1;
  private pending = '';
  private open: OpenToken | undefined;
  /** Every token goes through here, so a U& literal is decoded before anyone sees it. */
  private readonly unicode: UnicodeLiterals<SqlToken>;

  constructor(onToken: (token: SqlToken) => void, options: SqlLexerOptions = {}) {
    this.standardConformingStrings = options.standardConformingStrings ?? true;
    this.unicode = new UnicodeLiterals(onToken);
  }

  private onToken(token: SqlToken): void {
    this.unicode.take(token);
  }

  push(text: string): void {
    const all = this.pending + text;
    const cut = all.lastIndexOf('\n') + 1;
    this.pending = all.slice(cut);
    if (cut > 0) this.read(cut === all.length ? all : all.slice(0, cut));
  }

  /** Reads what is left; a token still open is handed on marked unterminated. */
  end(): void {
    const rest = this.pending;
    this.pending = '';
    if (rest) this.read(rest);
    if (this.open?.afterClose !== undefined) this.endString(this.open.afterClose);
    const open = this.open;
    this.open = undefined;
    if (open) this.onToken({ kind: open.kind, raw: open.raw, value: open.value, line: open.line, unterminated: true, ...(open.continued ? { continued: true as const } : {}) });
    this.unicode.flush();
  }

  private read(text: string): void {
    let at = this.open ? this.continueOpen(text, 0) : 0;
    while (at < text.length) at = this.token(text, at);
  }

  private emit(kind: SqlTokenKind, raw: string, value: string = raw): void {
    const line = this.line;
    this.line += newlines(raw);
    this.onToken({ kind, raw, value, line });
  }

  /** Hands on the `length` characters at `at` as one token and returns where the next starts. */
  private take(kind: SqlTokenKind, text: string, at: number, length: number, value?: string): number {
    const raw = text.slice(at, at + length);
    this.emit(kind, raw, value ?? raw);
    return at + length;
  }

  /** Reads one token at `at` and returns where the next starts. */
  private token(text: string, at: number): number {
    const c = text[at]!;
    const next = text[at + 1];
    const toLineEnd = () => {
      const end = text.indexOf('\n', at);
      return (end < 0 ? text.length : end) - at;
    };
    if (SPACE_CHARACTERS.has(c)) return this.take('space', text, at, lengthAt(SPACE, text, at));
    // A -- comment stops at a carriage return as at a line feed (scan.l's non_newline): psql runs what follows.
    if (c === '-' && next === '-') return this.take('comment', text, at, lengthAt(LINE_COMMENT, text, at));
    if (c === '/' && next === '*') return this.opened(text, at + 2, { kind: 'comment', raw: '/*', close: '*/', depth: 1 });
    if (c === '\\' && this.metaCommands) return this.take('meta-command', text, at, toLineEnd());
    const prefix = PREFIX_LETTERS.has(c) ? text.slice(at, at + lengthAt(PREFIXED, text, at)) : '';
    const quote = text[at + prefix.length];
    const flavour = prefix.toUpperCase();
    // Before a double quote only U& is a prefix: E"x" is the word e and the name "x".
    if (quote === "'" || (quote === '"' && (flavour === '' || flavour === 'U&'))) {
      const backslashes = quote === "'" && (flavour === 'E' || ((flavour === '' || flavour === 'N') && !this.standardConformingStrings));
      const raw = `${prefix}${quote}`;
      return this.opened(text, at + raw.length, { kind: quote === "'" ? 'string' : 'quoted-name', raw, close: quote, backslashes });
    }
    if (c === '$') {
      const tag = lengthAt(DOLLAR_TAG, text, at);
      if (tag) return this.opened(text, at + tag, { kind: 'dollar-string', raw: text.slice(at, at + tag), close: text.slice(at, at + tag) });
      const parameter = lengthAt(PARAMETER, text, at);
      if (parameter) return this.take('parameter', text, at, parameter);
    }
    const word = lengthAt(WORD, text, at);
    if (word) return this.take('word', text, at, word, foldIdentifier(text.slice(at, at + word)));
    const number = lengthAt(NUMBER, text, at);
    if (number) return this.take('number', text, at, number);
    return this.take('symbol', text, at, 1);
  }

  private opened(text: string, from: number, start: Pick<OpenToken, 'kind' | 'raw' | 'close'> & Partial<OpenToken>): number {
    this.open = { value: '', line: this.line, backslashes: false, depth: 0, ...start };
    return this.continueOpen(text, from);
  }

  /** Reads on inside the open token; returns where it closed, or the end of `text` with it still open. */
  private continueOpen(text: string, from: number): number {
    const open = this.open!;
    if (open.afterClose !== undefined) return this.afterClose(text, from);
    let at = from;
    let end = -1;
    if (open.kind === 'dollar-string') {
      // A tag holds no line end, so it never straddles two pieces.
      const found = text.indexOf(open.close, at);
      open.value += text.slice(at, found < 0 ? text.length : found);
      end = found < 0 ? -1 : found + open.close.length;
    } else if (open.kind === 'comment') {
      while (at < text.length && end < 0) {
        if (text[at] === '/' && text[at + 1] === '*') {
          open.depth += 1;
          at += 2;
        } else if (text[at] === '*' && text[at + 1] === '/') {
          open.depth -= 1;
          at += 2;
          if (open.depth === 0) end = at;
        } else {
          at += 1;
        }
      }
    } else {
      while (at < text.length && end < 0) {
        const c = text[at]!;
        if (open.backslashes && c === '\\') {
          ESCAPE.lastIndex = at;
          const m = ESCAPE.exec(text);
          // A backslash that ends the input escapes nothing; the string stays open.
          open.value += m ? unescape(m) : '';
          at += m ? m[0].length : 1;
        } else if (c === open.close && text[at + 1] === open.close) {
          open.value += c;
          at += 2;
        } else if (c === open.close && open.kind === 'string') {
          open.raw += text.slice(from, at + 1);
          open.afterClose = '';
          open.afterCloseHasLineEnd = false;
          return this.afterClose(text, at + 1);
        } else if (c === open.close) {
          end = at + 1;
        } else {
          open.value += c;
          at += 1;
        }
      }
    }
    const stop = end < 0 ? text.length : end;
    open.raw += text.slice(from, stop);
    if (end < 0) return stop;
    this.open = undefined;
    this.line = open.line;
    this.emit(open.kind, open.raw, open.kind === 'comment' ? open.raw : open.value);
    return stop;
  }

  /**
   * Past a string's closing quote (scan.l's quotecontinue): spaces and -- comments, a line end among
   * them, then a quote: the string goes on. Anything else ends it where its quote did, and what was read
   * after it is read again as the tokens it is. Reaching the end of the piece decides nothing yet.
   */
  private afterClose(text: string, from: number): number {
    const open = this.open!;
    let at = from;
    while (at < text.length) {
      const c = text[at]!;
      if (c === '\n' || c === '\r') {
        open.afterCloseHasLineEnd = true;
        at += 1;
      } else if (HORIZONTAL_SPACE.has(c) || (open.afterCloseHasLineEnd && SPACE_CHARACTERS.has(c))) {
        at += 1;
      } else if (c === '-' && text[at + 1] === '-') {
        LINE_END.lastIndex = at;
        at = LINE_END.test(text) ? LINE_END.lastIndex - 1 : text.length;
      } else {
        break;
      }
    }
    open.afterClose! += text.slice(from, at);
    if (at === text.length) return at;
    if (text[at] === "'" && open.afterCloseHasLineEnd) {
      open.raw += `${open.afterClose}'`;
      open.afterClose = undefined;
      open.continued = true;
      return this.continueOpen(text, at + 1);
    }
    this.endString(open.afterClose!);
    return at;
  }

  /** Hands on the string held past its closing quote, then the spaces and comments read after it as themselves. */
  private endString(after: string): void {
    const open = this.open!;
    this.open = undefined;
    this.line = open.line;
    const line = this.line;
    this.line += newlines(open.raw);
    this.onToken({ kind: open.kind, raw: open.raw, value: open.value, line, ...(open.continued ? { continued: true as const } : {}) });
    for (let at = 0; at < after.length;) at = this.token(after, at);
  }
}

function unescape(m: RegExpExecArray): string {
  const [, octal, hex, u4, u8, other] = m;
  if (octal !== undefined) return String.fromCharCode(parseInt(octal, 8) & 0xff);
  if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
  const code = u4 ?? u8;
  if (code !== undefined) {
    const point = parseInt(code, 16);
    return point <= 0x10ffff ? String.fromCodePoint(point) : m[0];
  }
  return ESCAPED[other!] ?? other!;
}

/** Every token of a text read whole. */
export function tokenizeSql(text: string, options?: SqlLexerOptions): SqlToken[] {
  const tokens: SqlToken[] = [];
  const lexer = new SqlLexer((token) => tokens.push(token), options);
  lexer.push(text);
  lexer.end();
  return tokens;
}

/** The tokens that carry meaning: no spaces, no comments. */
export const significant = (tokens: SqlToken[]) => tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
