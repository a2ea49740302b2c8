// Which of a backup's own functions a restore runs, and where. A restore onto a real server runs the
// dump's code as the restoring role: a CHECK (or a domain's CHECK, or a generated column) is evaluated
// for every row COPY loads, CREATE INDEX evaluates its expressions and predicate for every row,
// REFRESH MATERIALIZED VIEW runs the view's query, and an event trigger fires on the DDL that follows
// it. Triggers and column DEFAULTs do not fire while pg_dump's output loads (triggers are created after
// the data; COPY names every column), but the restore installs them to run on later writes, so they are
// listed too, marked as later.
//
// Found by reading the SQL the restore would send: `pg_restore --schema-only -f -` for archives (the
// same tool and version that will restore it, every archive format and compression, and none of the
// table data), the file itself for plain dumps (COPY data blocks skipped unread). A text scan sees
// names followed by "(": it does not see functions reached through dynamic SQL built from pieces
// (EXECUTE 'SEL' || 'ECT f()'), operators (CREATE OPERATOR … FUNCTION = f used as a symbol), casts,
// type input or range canonical functions (these need C, so superuser, to create), rules (which
// INSERT-based dumps would fire), policies (the restore runs with row_security off), or functions the
// target server already has. Unqualified names count as a match for any schema, so a backup's own
// "lower()" would be listed wherever the built-in one is used: it errs towards listing too much.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { runChild, stderrTail } from '../process/child.ts';
import { forEachTocSql } from '../archive/toc-sql.ts';
import type { ClientToolSet } from '../tools/discover.ts';
import type { BackupMetadata } from '../model/types.ts';
import { ExecutedFunctionScanner, type ExecutedFunction } from './executed-function-scanner.ts';

export type { ExecutedFunction };

/** beyondDatabase: statements that act beyond the target database (beyond-database.ts): the restore is refused on any. */
export type ExecutedFunctionsFinding = { functions: ExecutedFunction[]; beyondDatabase: string[] } | { problem: string };

/** The functions a restore of this backup would run, read from the SQL it would send. */
export async function findExecutedFunctions(tools: ClientToolSet, backup: BackupMetadata, timeoutMs: number): Promise<ExecutedFunctionsFinding> {
  const scanner = new ExecutedFunctionScanner();
  try {
    if (backup.format === 'plain') {
      const file = createReadStream(backup.path, { highWaterMark: 1024 * 1024 });
      const input: Readable = backup.compression.startsWith('gzip') ? file.pipe(createGunzip({ chunkSize: 256 * 1024 })) : file;
      file.on('error', (error) => input.destroy(error));
      for await (const chunk of input) scanner.push(chunk as Buffer);
      return { functions: scanner.finish(), beyondDatabase: scanner.beyondDatabase };
    }
    const listed = await runChild(tools.paths.pg_restore, ['--schema-only', '--file=-', backup.path], {
      env: process.env,
      // Captured output keeps only a tail; the scanner reads all of it as it comes.
      captureStdout: true,
      timeoutMs,
      onSpawn: (child) => child.stdout?.on('data', (chunk: Buffer) => scanner.push(chunk)),
    });
    if (listed.exitCode !== 0 || listed.stoppedBecause)
      return { problem: `pg_restore could not print the archive's definitions (${listed.stoppedBecause ?? `exit ${listed.exitCode}`}): ${stderrTail(listed.stderr) || '(no message)'}` };
    // What --schema-only leaves out but the restore sends: data entries' SQL, COPY and drop statements.
    await forEachTocSql(backup.path, backup.format, (entry, sql) => scanner.sentByPgRestore(entry, sql));
    return { functions: scanner.finish(), beyondDatabase: scanner.beyondDatabase };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/** The same, over SQL text in memory. */
export function executedFunctionsInSql(sql: string): ExecutedFunction[] {
  const scanner = new ExecutedFunctionScanner();
  scanner.push(Buffer.from(sql, 'utf8'));
  return scanner.finish();
}
