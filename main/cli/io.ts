// Where the CLI writes: results to stdout, logs and progress to stderr. Tests pass their own.
import { showControls } from '../core/model/terminal-text.ts';

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
