// SQL identifiers as pg_dump writes them (fmtId): quoting one for a message, reading one back.

export function ident(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** The table a pg_dump COPY statement loads ("COPY sch.\"Tbl\" (a, b) FROM stdin;"), unquoted; undefined when unreadable. */
export function copyTarget(copyStmt: string): [string, string] | undefined {
  const part = '("(?:[^"]|"")*"|[^\\s."(]+)';
  const match = new RegExp(`^COPY ${part}\\.${part}[\\s(]`).exec(copyStmt);
  if (!match) return undefined;
  const unquote = (id: string) => (id.startsWith('"') ? id.slice(1, -1).replaceAll('""', '"') : id);
  return [unquote(match[1]!), unquote(match[2]!)];
}

/** One identifier as pg_dump's fmtId() writes it: bare, or double-quoted with "" for a quote. */
export function parseName(text: string, at: number): { name: string; end: number } | undefined {
  if (text[at] === '"') {
    let name = '';
    let i = at + 1;
    for (;;) {
      const q = text.indexOf('"', i);
      if (q < 0) return undefined;
      name += text.slice(i, q);
      if (text[q + 1] === '"') {
        name += '"';
        i = q + 2;
      } else {
        return { name, end: q + 1 };
      }
    }
  }
  let i = at;
  while (i < text.length && !' .(,;"\t'.includes(text[i]!)) i++;
  return i > at ? { name: text.slice(at, i), end: i } : undefined;
}

export function parseQualified(text: string, at: number, defaultSchema: string): { schema: string; name: string } | undefined {
  const first = parseName(text, at);
  if (!first) return undefined;
  if (text[first.end] !== '.') return { schema: defaultSchema, name: first.name };
  const second = parseName(text, first.end + 1);
  return second ? { schema: first.name, name: second.name } : undefined;
}
