// How a table is named in a backup's manifest (rowCounts, tables), the sidecar, the catalogue and on
// screen: schema and name joined by a dot, each part double-quoted the way psql shows it unless it is
// a plain lower-case identifier. `a."b.c"` and `"a.b".c` are then two keys, where the bare
// "schema.name" of earlier versions gave both `a.b.c` and mixed up their row counts. Plain names keep
// their old key (public.users), so manifests written before stay readable; a key that is not in this
// form (an older manifest's "Sales.Quarterly Totals") parses to undefined and is resolved against
// the database by its caller.

const PLAIN = /^[a-z_][a-z0-9_$]*$/;

function part(identifier: string): string {
  return PLAIN.test(identifier) ? identifier : `"${identifier.replace(/"/g, '""')}"`;
}

export function tableKey(schema: string, name: string): string {
  return `${part(schema)}.${part(name)}`;
}

/** The schema and name a key stands for; undefined when the key is not in tableKey's form. */
export function parseTableKey(key: string): { schema: string; name: string } | undefined {
  const parts: string[] = [];
  let i = 0;
  while (i <= key.length) {
    if (key[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= key.length) return undefined;
        if (key[i] === '"' && key[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (key[i] === '"') {
          i += 1;
          break;
        } else value += key[i++];
      }
      if (PLAIN.test(value)) return undefined;
      parts.push(value);
    } else {
      const end = key.indexOf('.', i);
      const value = key.slice(i, end === -1 ? key.length : end);
      if (!PLAIN.test(value)) return undefined;
      parts.push(value);
      i = end === -1 ? key.length : end;
    }
    if (i === key.length) break;
    if (key[i] !== '.') return undefined;
    i += 1;
  }
  return parts.length === 2 ? { schema: parts[0]!, name: parts[1]! } : undefined;
}
