// What health says about the running of the schedules: nothing runs them (degraded: no slot has been
// missed yet), a slot went by without a run (its profile unhealthy: the backup it promised is not
// there), a running host cannot read a scheduled profile's password (unhealthy: the next run fails).
import { formatInZone } from '../model/time-in-zone.ts';
import type { HealthReason } from '../stats/health.ts';
import { OVERDUE_GRACE_MS, type SchedulingStatus } from './host-status.ts';
import type { Schedule } from './schedule-store.ts';

export function schedulingReasons(input: { status: SchedulingStatus; schedules: Schedule[]; now: Date; isProfileBusy: (profile: string) => boolean }): HealthReason[] {
  const { status, now } = input;
  const reasons: HealthReason[] = [];
  const active = input.schedules.filter((schedule) => schedule.enabled);
  if (status.warning) reasons.push({ code: 'NO_SCHEDULING_HOST', severity: 'degraded', message: `${status.warning[0]!.toUpperCase()}${status.warning.slice(1)}.` });
  for (const schedule of active) {
    const lateMs = now.getTime() - Date.parse(schedule.nextRun);
    if (lateMs <= OVERDUE_GRACE_MS || input.isProfileBusy(schedule.profile)) continue;
    const why = status.warning ? `: ${status.warning}` : '; the host running the schedules has not started it';
    reasons.push({
      code: 'SCHEDULE_OVERDUE',
      severity: 'unhealthy',
      profile: schedule.profile,
      message: `Schedule ${schedule.id} of profile "${schedule.profile}" was due at ${formatInZone(schedule.nextRun, schedule.timeZone)} (${Math.round(lateMs / 60_000)} min ago) and has not run${why}.`,
    });
  }
  const scheduled = new Set(active.map((schedule) => schedule.profile));
  for (const host of status.running) {
    for (const check of host.credentialProblems) {
      if (!scheduled.has(check.profile)) continue;
      reasons.push({
        code: 'CREDENTIAL_UNREACHABLE',
        severity: 'unhealthy',
        profile: check.profile,
        message: `${host.label} cannot get the password of profile "${check.profile}" (checked ${host.credentialsCheckedAt}): ${check.problem}. Its scheduled backups will fail.${check.hint ? ` ${check.hint}` : ''}`,
      });
    }
  }
  return reasons;
}
