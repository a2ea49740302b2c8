// A backup file name (main/core/backup/naming.ts: backup-<time>-<profile>[-<suffix>].<ext>) in the parts
// a narrow cell shows. The time it was taken and the extension say which file and what kind it is, so
// they stay whole; the profile and suffix between them (already in their own column) give way first,
// then the "backup-" every name starts with.

/** backupFilename's start: "backup-" and the time, its ":" and "." written as "-". */
const TIMESTAMPED = /^(backup-)(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)/;

export interface FileNameParts {
  /** "backup-", or '' for a name of another shape. */
  prefix: string;
  /** "2026-12-06T04-19-33-123Z", or '' for a name of another shape. */
  time: string;
  /** What lies between: "-shop-daily". */
  rest: string;
  /** From the first dot of the name's last "-" part: ".sql.gz", ".dump.age"; '' without one. */
  extension: string;
}

export function fileNameParts(name: string): FileNameParts {
  const [head = '', prefix = '', time = ''] = TIMESTAMPED.exec(name) ?? [];
  const after = name.slice(head.length);
  const lastPart = after.slice(after.lastIndexOf('-') + 1);
  const dot = lastPart.indexOf('.');
  const extension = dot === -1 ? '' : lastPart.slice(dot);
  return { prefix, time, rest: after.slice(0, after.length - extension.length), extension };
}
