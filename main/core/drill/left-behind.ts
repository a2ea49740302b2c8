import type { RestoreTestResult } from './test-restore.ts';

/** The drill database a failed `cleanup` check names (test-restore.ts words it), with the server's error. */
export function leftBehind(result: RestoreTestResult): { database: string; error: string } | undefined {
  const check = result.checks.find((c) => c.name === 'cleanup' && c.status === 'failed');
  if (!check) return undefined;
  const named = /^the drill's database "(.*)" could not be dropped: ([\s\S]*)$/.exec(check.detail);
  return named ? { database: named[1]!, error: named[2]! } : { database: '(unnamed)', error: check.detail };
}
