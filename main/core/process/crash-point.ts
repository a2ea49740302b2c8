// A test seam, inert unless HOLDFAST_TEST_CRASH_AT names a step: then this process SIGKILLs itself
// there, so the suites can prove what the next start does after a crash at each step of a backup's
// seal (test/failures.test.ts), and of a restore, a drill and a verify (test/kill-at-every-step.test.ts).
// No setting, flag or default turns it on; only that variable does.
export type CrashStep =
  | 'backup:sealing-recorded'
  | 'backup:renamed'
  | 'backup:globals-renamed'
  | 'backup:sidecar-written'
  | 'storage:put-before-rename'
  /** A restore's database (a new one, or a replace restore's scratch copy) created, nothing restored yet. */
  | 'restore:target-created'
  /** pg_restore or psql just started (a restore's or a drill's). */
  | 'restore:tool-started'
  /** The tool finished; the counts, properties and (a replace restore) the swap are to come. */
  | 'restore:restored'
  /** Verify's pg_restore --list about to start, the file read through. */
  | 'verify:listing';

export function crashPoint(step: CrashStep): void {
  if (process.env.HOLDFAST_TEST_CRASH_AT === step) process.kill(process.pid, 'SIGKILL');
}
