// A psql script (a plain dump, or `pg_restore -f -`'s output) read as a stream of statements, split as
// psql splits them (sql-statements.ts in psql mode). After COPY … FROM stdin the data up to its "\." line is
// psql's to send, not SQL: it is skipped by a byte search, never decoded, so a table's contents cannot
// look like statements (or cost the time of reading them as such).
import { significant } from './sql-lexer.ts';
import { SqlStatementSplitter, type SqlStatement } from './sql-statements.ts';

const EMPTY = Buffer.alloc(0);
const COPY_END = Buffer.from('\n\\.');

export class PsqlScriptReader {
  private readonly splitter: SqlStatementSplitter;
  private carry: Buffer = EMPTY;
  private inCopy = false;
  private copyAtLineStart = false;
  private copyPending = false;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(onStatement: (statement: SqlStatement) => void) {
    this.splitter = new SqlStatementSplitter(
      (statement) => {
        if (startsCopyFromStdin(statement)) this.copyPending = true;
        onStatement(statement);
      },
      { psql: true },
    );
  }

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
    this.splitter.end();
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
    this.splitter.push(`${raw.endsWith('\r') ? raw.slice(0, -1) : raw}\n`);
    if (this.copyPending) {
      this.copyPending = false;
      this.inCopy = true;
      this.copyAtLineStart = true;
    }
  }
}

/** COPY … FROM STDIN: psql sends the lines after it as the table's data. */
function startsCopyFromStdin(statement: SqlStatement): boolean {
  const first = statement.tokens[0];
  if (statement.metaCommand || first?.kind !== 'word' || first.value !== 'copy') return false;
  const tokens = significant(statement.tokens);
  return tokens.some((token, i) => token.kind === 'word' && token.value === 'from' && tokens[i + 1]?.kind === 'word' && tokens[i + 1]!.value === 'stdin');
}
