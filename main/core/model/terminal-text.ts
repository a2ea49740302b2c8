// Text for a terminal. Names and values come from databases, dumps, tools and webhooks a hostile
// party may control (a table named `\x1b]0;…\x07` retitles the window, `\r` writes over a line, a
// U+202E turns `hx\u202egnp.exe` into "hxexe.png"), so none of them reaches a terminal raw: the CLI's
// every line and the engine's own warnings on stderr go through showControls.

/**
 * The characters a terminal acts on or reorders text by: C0 but the newline and tab lines are laid
 * out with, DEL, C1 (U+0080–U+009F: U+009B is CSI to some terminals), and the bidirectional marks,
 * embeddings, overrides and isolates (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069), and
 * the line and paragraph separators (U+2028, U+2029), which pagers, editors and log viewers break on.
 */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g;

/**
 * Shows each such character as its `\uXXXX` escape. The same escape JSON uses, so it also keeps
 * --json output valid: JSON.stringify escapes C0 already but leaves DEL, C1 and the bidi controls
 * raw inside strings, where `\u009b` reads back as the very character it replaced.
 */
export function showControls(text: string): string {
  return text.replace(TERMINAL_CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * What starts each further line of a value written over several lines: indented under its item and
 * marked, so it reads as that value's continuation and no line it makes can pass for an item's (a
 * backup's id, a `✓`/`✗` line, a set's member) or a `hint:` line.
 */
export const CONTINUATION = '    ↳ ';

/** Prose a tool or Holdfast writes over lines: an error with a tool's stderr, a hint, a check's detail. */
const PROSE_KEYS: ReadonlySet<string> = new Set(['error', 'hint', 'message', 'detail']);

/** Text written over lines, each after the first on a continuation line (CONTINUATION). */
export function continuationLines(text: string): string {
  return text.replace(/\n/g, `\n${CONTINUATION}`);
}

/**
 * A value whose every string has its newlines shown as `\n`, for the CLI's human output: it lays out
 * one item a line, so a newline inside a name (a database may be called "shop\n✓ other") would forge
 * a line of its own. The newlines the output is laid out with are added after, by the renderer. Prose
 * (PROSE_KEYS: a pg_dump's two lines of stderr in an error, a hint) keeps its lines, each further one
 * a marked continuation line: as `\n` it read as one line of code, not the tool's words.
 */
export function showNewlinesIn<T>(value: T, key?: string): T {
  if (typeof value === 'string') return (key !== undefined && PROSE_KEYS.has(key) ? continuationLines(value) : value.replace(/\n/g, '\\n')) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => showNewlinesIn(item)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, showNewlinesIn(item, name)])) as T;
  return value;
}
