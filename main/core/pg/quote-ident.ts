// Apart from connection.ts (which loads the pg driver) so the renderer can write the same names into
// the statements it shows a DBA.
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
