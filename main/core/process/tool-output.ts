// What a run keeps of its client tools' stderr (pg_dump, pg_dumpall, pg_restore, psql), for the run's
// details: every line the tool wrote, in order, under a header naming the tool, except what could
// carry a secret or a dump's content. Lines that quote rows (DETAIL, CONTEXT, LINE n) are dropped as
// stderrTail drops them, each line is capped at MAX_STDERR_LINE, a password in a connection string
// or a PASSWORD '…' literal is elided, and only the last MAX_TOOL_OUTPUT bytes are kept.
import { capLine, ROW_DATA, TOOL_MESSAGE } from './child.ts';

/** The most a run keeps of its tools' stderr: the end, where the reason for a failure is. */
export const MAX_TOOL_OUTPUT = 64 * 1024;

export interface ToolStderr {
  tool: string;
  stderr: string;
  /**
   * pg_restore or psql restoring a dump: its stderr echoes what it restores ("Command was: INSERT …",
   * psql's STATEMENT lines, rows a failed COPY reads as SQL), plaintext of a possibly encrypted
   * backup. Only the tool's own message lines are kept, as stderrTail keeps them for errors, and the
   * first line of each "Command was:" (an INSERT's values left out).
   */
  restoresContent?: boolean;
}

/** psql --echo-errors names the failed statement, which can be a dump's row read as SQL. */
const ECHOED_STATEMENT = /^(?:psql:[^:]*:\d+: )?STATEMENT:/;

/**
 * pg_restore's "Command was: …" names the statement a failed item ran: the line a DBA needs beside
 * the error. Its first line is kept (a function's body on the lines after it is not), but an INSERT
 * of an --inserts dump carries a row, so of that only the table is kept.
 */
const FAILED_COMMAND = /^Command was: /;
const IDENTIFIER = String.raw`(?:"(?:[^"]|"")*"|[^\s".(]+)`;
const INSERT_INTO = new RegExp(String.raw`^(Command was: INSERT INTO ${IDENTIFIER}(?:\.${IDENTIFIER})?)`);

function withoutRows(line: string): string {
  const insert = INSERT_INTO.exec(line);
  return insert ? `${insert[1]} … (values not kept: they are rows of the dump)` : line;
}

export interface KeptToolOutput {
  text: string;
  /** Earlier lines were dropped to stay within MAX_TOOL_OUTPUT. */
  truncated: boolean;
}

const SECRETS: ReadonlyArray<[RegExp, string]> = [
  // postgresql://user:password@host (to the last @ of the word: a password may hold one)
  [/(postgres(?:ql)?:\/\/[^:/@\s]*):\S*@/gi, '$1:…@'],
  // password=… in a conninfo string, quoted or not
  [/\b(password|sslpassword)\s*=\s*(?:'(?:[^'\\]|\\.)*'|\S+)/gi, '$1=…'],
  // ALTER/CREATE ROLE … PASSWORD '…' echoed by psql or the server
  // (E'…' takes backslash escapes; a dollar-quoted one is elided to its closing tag, or to the line's end)
  [/\b(PASSWORD)\s+(?:[eE]'(?:[^'\\]|\\.|'')*'?|'(?:[^']|'')*'?|(\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$)(?:[\s\S]*?\2|.*))/gi, "$1 '…'"],
];

export function scrubToolLine(line: string): string {
  let clean = line;
  for (const [pattern, replacement] of SECRETS) clean = clean.replace(pattern, replacement);
  return capLine(clean);
}

/** The tools' stderr as a run keeps it; null when none of them wrote anything worth keeping. */
export function keepToolOutput(parts: readonly ToolStderr[]): KeptToolOutput | null {
  const sections = parts
    .map(({ tool, stderr, restoresContent }) => {
      const lines = stderr
        .split('\n')
        .map((line) => line.trimEnd())
        .filter((line) => line.length > 0 && !ROW_DATA.test(line))
        .filter((line) => !restoresContent || FAILED_COMMAND.test(line) || (TOOL_MESSAGE.test(line) && !ECHOED_STATEMENT.test(line)))
        .map((line) => scrubToolLine(restoresContent ? withoutRows(line) : line));
      return lines.length > 0 ? `── ${tool} ──\n${lines.join('\n')}\n` : '';
    })
    .filter((section) => section !== '');
  if (sections.length === 0) return null;
  const text = sections.join('');
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_TOOL_OUTPUT) return { text, truncated: false };
  // Cut at a line start within the last MAX_TOOL_OUTPUT bytes, never inside a character.
  const tail = bytes.subarray(bytes.length - MAX_TOOL_OUTPUT).toString('utf8');
  const firstLine = tail.indexOf('\n');
  return { text: firstLine >= 0 ? tail.slice(firstLine + 1) : tail, truncated: true };
}
