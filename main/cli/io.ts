// Where the CLI writes: results to stdout, logs and progress to stderr. Tests pass their own.
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
}

export const defaultIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stderr.isTTY),
};

/**
 * The control characters a terminal acts on: C0 but the newline and tab the CLI lays its lines out
 * with, DEL, and C1 (U+0080–U+009F: U+009B is CSI to some terminals). Names and values come from
 * databases, dumps and tools a hostile party may control (a table named `\x1b]0;…\x07` retitles the
 * window, `\r` writes over a line), so none of them reaches the terminal raw.
 */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Shows each control character as its `\uXXXX` escape. The same escape JSON uses, so it also keeps
 * --json output valid: JSON.stringify escapes C0 already but leaves DEL and C1 raw inside strings,
 * where `\u009b` reads back as the very character it replaced.
 */
export function showControls(text: string): string {
  return text.replace(TERMINAL_CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The Io every command writes through; the one control sequence it sends is its own line redraw. */
export interface Terminal extends Io {
  /** Writes over the current stderr line (a progress bar on a terminal). */
  redrawStderr: (line: string) => void;
}

export function terminal(io: Io): Terminal {
  return {
    stdout: (text) => io.stdout(showControls(text)),
    stderr: (text) => io.stderr(showControls(text)),
    isTTY: io.isTTY,
    redrawStderr: (line) => io.stderr(`\r\u001b[K${showControls(line)}`),
  };
}
