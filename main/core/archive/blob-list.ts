// The large-object list of tar and directory dumps (blobs.toc, blobs_<id>.toc).
import { DumpProblem } from './problem.ts';

/** Parses a blobs TOC ("<oid> <file>" per line) as pg_restore's _LoadLOs() does. */
export async function forEachLine(chunks: AsyncIterable<Buffer>, listName: string, onEntry: (oid: string, file: string) => void | Promise<void>): Promise<void> {
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + chunk.toString('utf8');
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^(\d+) (\S+)$/.exec(line);
      if (!m) throw new DumpProblem(`${listName} has an unreadable line "${line.slice(0, 80)}": the large-object list is corrupt`);
      await onEntry(m[1]!, m[2]!);
    }
  }
  if (carry !== '') {
    throw new DumpProblem(`${listName} ends in the middle of a line: the large-object list is truncated`);
  }
}
