// Names from a dump or a server (a table, a role, a database, a schema) and the engine's sentences and
// tool output that quote them, as the app shows them. A hostile name's C0 or C1 control or bidi
// override is shown as its `\uXXXX` escape, the same visible way the CLI shows it
// (main/core/model/terminal-text.ts, import-free, so one rule serves both): never as a tofu box, and
// never as text that reorders what follows it. Only for display: a name sent back to the engine (a
// database chosen, a table ticked) stays as it is.
import { showControls } from '../../../main/core/model/terminal-text.ts';

export function shown(text: string): string {
  return showControls(text);
}

/** The same for a value that may be absent. */
export function shownOr<T>(text: string | null | undefined, otherwise: T): string | T {
  return text === null || text === undefined ? otherwise : showControls(text);
}
