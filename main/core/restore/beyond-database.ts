// Statements that act beyond the database a restore writes into. A restore sends a backup's SQL to a
// real server as the profile's role, often a superuser: a plain script altered with its checksum, or
// a dump made elsewhere and imported, can say `ALTER DATABASE other RENAME …`, `CREATE ROLE x
// SUPERUSER PASSWORD …`, `ALTER ROLE postgres PASSWORD …`, `GRANT pg_execute_server_program TO x`, or
// `SELECT dblink_exec('dbname=other', …)`, and psql or pg_restore runs it as written (all of them run
// inside the restore's one transaction). pg_dump's output for one database (without --create, which a
// Holdfast restore never sends) holds none of them: roles are the roles file's, the database's own
// properties are Holdfast's to set (database-properties.ts), and the only top-level calls pg_dump
// writes are its own pg_catalog ones. So any such statement refuses the restore before it starts, as does
// any kind of statement pg_dump never writes.
import { QNAME } from './sql-names.ts';

/**
 * pg_dump's own top-level calls, as it writes them: the search path, sequence values, large objects
 * (--clean unlinks them), and optimizer statistics (pg_dump 18's --statistics). Their arguments are
 * literals and casts, never a call (string literals are already emptied, so a parenthesis is one).
 */
const PG_DUMP_SELECTS: readonly RegExp[] = [
  /^SELECT\s+pg_catalog\.(?:set_config|setval|lo_create|lo_open|lowrite|lo_close|lo_unlink)\s*\([^()]*\)$/i,
  /^SELECT\s+\*\s+FROM\s+pg_catalog\.(?:pg_restore_relation_stats|pg_restore_attribute_stats)\s*\([^()]*\)$/i,
  /^SELECT\s+pg_catalog\.lo_unlink\(oid\)\s+FROM\s+pg_catalog\.pg_largeobject_metadata\s+WHERE\s+oid\s*=\s*''$/i,
];

const BEYOND: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(?:CREATE|ALTER|DROP)\s+(?:ROLE|USER(?!\s+MAPPING\b)|GROUP)\b/i, 'changes a role, which is the whole server’s'],
  [/^(?:CREATE|ALTER|DROP)\s+(?:DATABASE|TABLESPACE)\b/i, 'creates, changes or drops a database or tablespace'],
  [/^ALTER\s+SYSTEM\b/i, 'changes the server’s configuration'],
  [/^(?:COMMENT|SECURITY\s+LABEL(?:\s+FOR\s+\S+)?)\s+ON\s+(?:DATABASE|ROLE|TABLESPACE)\b/i, 'labels a database, role or tablespace'],
  [/^(?:GRANT|REVOKE)\b[\s\S]*?\bON\s+(?:DATABASE|TABLESPACE)\b/i, 'grants or revokes on a database or tablespace'],
  // A GRANT or REVOKE without ON is a role's membership in another (pg_read_server_files, a superuser's role).
  [/^(?:GRANT|REVOKE)\b(?![\s\S]*\bON\b)/i, 'grants or revokes membership in a role'],
  [/^(?:REASSIGN|DROP)\s+OWNED\b/i, 'reassigns or drops what a role owns in every database'],
  [/^(?:DO|CALL|WITH|VALUES|LOAD|IMPORT\s+FOREIGN\s+SCHEMA)\b/i, 'runs code or reaches another server, which pg_dump never writes'],
  // pg_dump writes a subscription WITH (connect = false): one that connects pulls from another database or any host the server reaches.
  [/^CREATE\s+SUBSCRIPTION\b(?![\s\S]*\bconnect\s*=\s*false\b)/i, 'creates a subscription that connects to another database or server'],
  [/^ALTER\s+SUBSCRIPTION\s+\S+\s+(?:ENABLE|CONNECTION|REFRESH|SKIP)\b/i, 'connects a subscription to another database or server'],
  [/^COPY\b(?![\s\S]*\bFROM\s+stdin\s*$)/i, 'copies to or from a file or program rather than the dump’s own data'],
];

/**
 * The statements pg_dump and pg_restore write, by their first word (SELECT and INSERT are narrowed
 * below). Any other runs a query of the dump's choosing (UPDATE, DELETE, MERGE, EXPLAIN ANALYZE,
 * PREPARE/EXECUTE, DECLARE) or acts on the whole server (CHECKPOINT, VACUUM), and pg_dump writes none.
 */
const PG_DUMP_STATEMENTS = new Set([
  'SET',
  'RESET',
  'SELECT',
  'INSERT',
  'CREATE',
  'ALTER',
  'DROP',
  'COMMENT',
  'SECURITY',
  'GRANT',
  'REVOKE',
  'COPY',
  'REFRESH',
  'TRUNCATE',
  'BEGIN',
  'START',
  'COMMIT',
  'END',
]);

/** pg_dump --inserts: literals only (quoted, numbers, NULL, booleans, DEFAULT for generated columns), never a query or a call. */
function literalValues(values: string): boolean {
  const rest = values
    .replace(/(?:[EBXN]|U&)?''/gi, ' ')
    .replace(/\b\d[\d.]*(?:e[+-]?\d+)?/gi, ' ')
    .replace(/\b(?:NULL|true|false|DEFAULT)\b/gi, ' ');
  return /^[\s(),+-]*$/.test(rest);
}
const INSERT = new RegExp(
  String.raw`^INSERT\s+INTO\s+(?:${QNAME})\s*(?:\((?:"(?:[^"]|"")*"|[^()"])*\)\s*)?(?:OVERRIDING\s+(?:SYSTEM|USER)\s+VALUE\s+)?VALUES\b([\s\S]*?)(?:\s*ON\s+CONFLICT\s+DO\s+NOTHING)?$`,
  'i',
);

/** CREATE TABLE … AS runs a query (or EXECUTEs a prepared one): pg_dump's CREATE TABLE has AS only inside parentheses. */
function createsTableFromQuery(statement: string): boolean {
  if (!/^CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\b/i.test(statement)) return false;
  let outside = statement.replace(/"(?:[^"]|"")*"/g, '""');
  for (let before = ''; before !== outside;) [before, outside] = [outside, outside.replace(/\([^()]*\)/g, ' ')];
  return /\b(?:AS|EXECUTE)\b/i.test(outside);
}

/**
 * What the statement does beyond the target database, or undefined when it stays inside it. `code`
 * is the statement as ExecutedFunctionScanner reads it: comments gone, string literals emptied,
 * whitespace runs as one space.
 */
export function beyondDatabase(code: string): string | undefined {
  const statement = code.replace(/;\s*$/, '').trim();
  if (/^SELECT\b/i.test(statement)) return PG_DUMP_SELECTS.some((pattern) => pattern.test(statement)) ? undefined : 'calls a function pg_dump never calls, or calls its own with more than literals';
  const first = /^[A-Za-z]+/.exec(statement)?.[0].toUpperCase();
  if (first !== undefined && !PG_DUMP_STATEMENTS.has(first)) return 'is a statement pg_dump never writes, which can run any query or act on the whole server';
  if (first === 'INSERT') {
    const values = INSERT.exec(statement)?.[1];
    if (values === undefined || !literalValues(values)) return 'inserts more than literal values, which pg_dump never writes (it can run any query)';
  }
  if (createsTableFromQuery(statement)) return 'creates a table from a query, which pg_dump never writes';
  return BEYOND.find(([pattern]) => pattern.test(statement))?.[1];
}
