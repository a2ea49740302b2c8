// A test seam, inert unless HOLDFAST_TEST_CRASH_AT names a step: then this process SIGKILLs itself
// there, so the suites can prove what the next start does after a crash at each step of a backup's
// seal (test/failures.test.ts). No setting, flag or default turns it on; only that variable does.
export type CrashStep = 'backup:sealing-recorded' | 'backup:renamed' | 'backup:globals-renamed' | 'backup:sidecar-written' | 'storage:put-before-rename';

export function crashPoint(step: CrashStep): void {
  if (process.env.HOLDFAST_TEST_CRASH_AT === step) process.kill(process.pid, 'SIGKILL');
}
