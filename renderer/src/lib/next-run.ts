// Whether a schedule's next run time is shown: only while something runs the schedules. Under the
// banner "Scheduled backups will not run" (a holdfast serve --no-schedules with no app or daemon
// beside it) a time would read as a promise; the Schedules page and the Overview say this instead.
import type { SchedulingStatus } from '../stores/schedules.ts';

export const NOT_RUN_LABEL = 'not run: nothing runs the schedules';

/** True while a host (this process or another) runs the schedules; before the hosts are known, true. */
export function schedulesRun(hosts: SchedulingStatus | null): boolean {
  return hosts === null || hosts.running.length > 0;
}
