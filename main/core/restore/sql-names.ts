// Names as pg_dump writes them in SQL (bare, or double-quoted with "" for a quote) and the few shapes
// the executed-functions scan reads around them: calls, top-level lists, parenthesized parts. These read
// a statement's code form (string contents already removed by the lexer), so only names and
// parentheses are left to tell apart.

// Identifiers as pg_dump writes them: bare, or double-quoted with "" for a quote.
export const NAME = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)`;
export const QNAME = String.raw`${NAME}(?:\s*\.\s*${NAME})?`;
export const NAMES = new RegExp(String.raw`(?<![\w$".])${QNAME}`, 'g');
const CALL = new RegExp(String.raw`(?<![\w$".])(?:(${NAME})\s*\.\s*)?(${NAME})\s*\(`, 'g');

export function unquote(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name.toLowerCase();
}

export interface QualifiedName {
  schema: string | undefined;
  name: string;
}

export function qualified(text: string, defaultSchema?: string): QualifiedName {
  const parts = new RegExp(String.raw`^(${NAME})(?:\s*\.\s*(${NAME}))?$`).exec(text.trim());
  if (!parts) return { schema: defaultSchema, name: text.trim() };
  return parts[2] === undefined ? { schema: defaultSchema, name: unquote(parts[1]!) } : { schema: unquote(parts[1]!), name: unquote(parts[2]) };
}

export const shown = (n: QualifiedName) => (n.schema === undefined ? n.name : `${n.schema}.${n.name}`);

/** Function-call shaped names in SQL text: "public.audit_ok(", "audit_ok (". */
export function callsIn(sql: string): QualifiedName[] {
  const calls: QualifiedName[] = [];
  for (const m of sql.matchAll(CALL)) calls.push({ schema: m[1] === undefined ? undefined : unquote(m[1]), name: unquote(m[2]!) });
  return calls;
}

/** Splits before each `separator` (a comma is dropped) outside parentheses and double quotes; the code form has no string contents left. */
export function splitTopLevel(code: string, separator: string): string[] {
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
export function parenthesized(code: string, open: number): string | undefined {
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
