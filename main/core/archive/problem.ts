// How a failed inspection is worded: a defect in the dump carries its own sentence; anything else the
// file system threw is turned into one a DBA can act on.

/** A defect in the dump; its message is the sentence returned as `problem`. */
export class DumpProblem extends Error {}

export function describeError(err: unknown, path: string): string {
  if (err instanceof DumpProblem) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return `${path} does not exist: the dump was never written or has been removed`;
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return `${path} cannot be read: permission denied`;
  if (e?.code === 'EISDIR') return `${path} is a directory, not a dump file`;
  return `${path} could not be read: ${e?.message ?? String(err)}`;
}
