// Which databases a whole-server set backs up: every database the server lets anyone connect to
// (datallowconn) that is not a template, read at the start of each run, so a database created since
// the last set is in this one. The maintenance database (postgres) is an ordinary database here:
// people do keep tables in it. Excluded ones are matched by name or by a pattern with * and ?.
import type pg from 'pg';

export function matchesPattern(name: string, pattern: string): boolean {
  const regex = new RegExp(`^${[...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('')}$`, 's');
  return regex.test(name);
}

export interface ServerDatabases {
  expected: string[];
  excluded: string[];
}

export async function listServerDatabases(client: pg.Client, excludePatterns: readonly string[]): Promise<ServerDatabases> {
  const rows = await client.query<{ datname: string }>(`SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname COLLATE "C"`);
  const expected: string[] = [];
  const excluded: string[] = [];
  for (const { datname } of rows.rows) (excludePatterns.some((pattern) => matchesPattern(datname, pattern)) ? excluded : expected).push(datname);
  return { expected, excluded };
}
