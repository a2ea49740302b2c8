// How `holdfast schedule list` and `holdfast schedule hosts` say who runs the schedules: each running
// host with its last tick and the scheduled profiles whose password it cannot read, or, plainly,
// that nothing runs them.
import type { ChannelOutput } from '../contract.ts';
import { describeSchedulingStatus } from '../core/schedule/host-status.ts';

type SchedulingStatus = ChannelOutput<'schedule.hosts'>;

export function renderSchedulingHosts(status: SchedulingStatus): string {
  const lines = [status.warning ? `warning: ${describeSchedulingStatus(status)}` : describeSchedulingStatus(status)];
  for (const host of status.running) {
    lines.push(`  ${host.label}: passwords from its ${host.secretStore === 'file' ? 'credentials file (HOLDFAST_SECRET_STORE=file)' : 'OS keychain'}`);
    for (const check of host.credentialProblems) {
      lines.push(`  warning: ${host.label} cannot get the password of profile "${check.profile}": ${check.problem}`);
      if (check.hint) lines.push(`    hint: ${check.hint}`);
    }
  }
  if (!status.warning) for (const host of status.stale) lines.push(`  (${host.label} stopped without saying so: last tick ${host.lastTick}; ${host.notRunning})`);
  return lines.join('\n');
}
