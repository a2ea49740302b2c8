// U&'…' strings and U&"…" names as the server reads them (scan.l, then the parser's UESCAPE lookahead):
// \XXXX and \+XXXXXX spell a code point (a surrogate pair as two), \\ is a backslash, and a
// UESCAPE 'c' (or E'c') after the literal (spaces and comments between, maybe on a later line) makes c the
// escape character. The lexer (sql-lexer.ts) hands every token through here.

/** What this needs of a lexer's token (sql-lexer.ts: SqlToken). */
interface LexedToken {
  kind: string;
  raw: string;
  value: string;
  unterminated?: true;
  badEscape?: true;
}

/**
 * Holds a U&'…' or U&"…" until the next token that is not space or a comment says whether a UESCAPE
 * clause follows (it may be on a later line, so in a later piece), then hands it on decoded.
 */
export class UnicodeLiterals<Token extends LexedToken> {
  /** The literal, then the spaces, comments and UESCAPE word read after it. */
  private held: Token[] = [];
  private sawUescape = false;

  constructor(private readonly onToken: (token: Token) => void) {}

  take(token: Token): void {
    if (this.held.length > 0) {
      if (token.kind === 'space' || token.kind === 'comment') return void this.held.push(token);
      if (!this.sawUescape && token.kind === 'word' && token.value === 'uescape') {
        this.sawUescape = true;
        return void this.held.push(token);
      }
      // The parser takes any SCONST there: '…' or E'…' (its escapes already read), not B'', X'', N'' or U&''.
      if (this.sawUescape && token.kind === 'string' && /^[eE]?'/.test(token.raw) && !token.unterminated) {
        const [literal, ...rest] = this.held;
        this.held = [];
        this.sawUescape = false;
        const raw = [literal!, ...rest, token].map((t) => t.raw).join('');
        return this.onToken(decoded({ ...literal!, raw }, token.value));
      }
      this.flush();
    }
    if ((token.kind === 'string' || token.kind === 'quoted-name') && !token.unterminated && /^u&/i.test(token.raw)) this.held.push(token);
    else this.onToken(token);
  }

  /** Hands on what is held: the literal decoded with the backslash, the rest as read. */
  flush(): void {
    const [literal, ...rest] = this.held;
    this.held = [];
    this.sawUescape = false;
    if (!literal) return;
    this.onToken(decoded(literal, '\\'));
    for (const token of rest) this.onToken(token);
  }
}

const HEX = /^[0-9A-Fa-f]$/;

/** A U& literal's value with its escapes decoded as the server decodes them; marked badEscape where the server refuses it. */
function decoded<Token extends LexedToken>(token: Token, escape: string): Token {
  const refused = (): Token => ({ ...token, badEscape: true });
  // The server's check_uescapechar: one character, not a hex digit, +, a quote or a space.
  if ([...escape].length !== 1 || HEX.test(escape) || '+\'" \t\n\r\f'.includes(escape)) return refused();
  const text = token.value;
  let value = '';
  let high: number | undefined;
  for (let at = 0; at < text.length;) {
    if (text[at] !== escape) {
      if (high !== undefined) return refused();
      value += text[at];
      at += 1;
      continue;
    }
    if (text[at + 1] === escape) {
      if (high !== undefined) return refused();
      value += escape;
      at += 2;
      continue;
    }
    const plus = text[at + 1] === '+';
    const digits = text.slice(at + (plus ? 2 : 1), at + (plus ? 8 : 5));
    if (digits.length !== (plus ? 6 : 4) || ![...digits].every((d) => HEX.test(d))) return refused();
    at += (plus ? 2 : 1) + digits.length;
    const point = parseInt(digits, 16);
    if (point >= 0xd800 && point <= 0xdbff) {
      if (high !== undefined) return refused();
      high = point;
      continue;
    }
    if (point >= 0xdc00 && point <= 0xdfff) {
      if (high === undefined) return refused();
      value += String.fromCodePoint(0x10000 + ((high - 0xd800) << 10) + (point - 0xdc00));
      high = undefined;
      continue;
    }
    if (high !== undefined || point === 0 || point > 0x10ffff) return refused();
    value += String.fromCodePoint(point);
  }
  return high === undefined ? { ...token, value } : refused();
}
