// Who runs the schedules, on the Overview and the Schedules page: the running host and its last
// tick, the scheduled profiles whose password it cannot read, and a plain warning when nothing runs
// them (the sentence is the engine's, core/schedule/host-status.ts, so every shell says the same).
import { formatRelative } from '../lib/format.ts';
import { useSchedules } from '../stores/schedules.ts';
import { useNow } from './hooks.ts';
import { EngineText } from './EngineText.tsx';
import { Notice } from './ui.tsx';

export function SchedulingBanner() {
  const hosts = useSchedules((s) => s.hosts);
  const now = useNow(30_000);
  if (!hosts) return null;
  if (hosts.warning) {
    const last = hosts.stale.at(-1);
    return (
      <div className="notice notice--bad" role="alert" data-testid="scheduling-banner">
        <div className="notice__body">
          <p className="notice__title">Scheduled backups will not run</p>
          <p className="notice__message">
            <EngineText text={`${hosts.warning[0]!.toUpperCase()}${hosts.warning.slice(1)}.`} />
          </p>
          {last ? <p className="notice__hint">{`Last seen: ${last.label}, last tick ${formatRelative(last.lastTick, now)}: ${last.notRunning ?? 'stopped'}.`}</p> : null}
        </div>
      </div>
    );
  }
  if (hosts.running.length === 0) return null;
  return (
    <>
      <p className="muted" data-testid="scheduling-banner">
        {hosts.running.map((host) => `Schedules run by ${host.label} · last tick ${formatRelative(host.lastTick, now)}`).join(' · ')}
      </p>
      {hosts.running.flatMap((host) =>
        host.credentialProblems.map((check) => (
          <Notice key={`${host.label}:${check.profile}`} tone="warn" title={`Scheduled backups of ${check.profile} will fail`}>
            <p>{`${host.label} cannot get the password of profile "${check.profile}": ${check.problem}.`}</p>
            {check.hint ? (
              <p className="notice__hint">
                <EngineText text={check.hint} />
              </p>
            ) : null}
          </Notice>
        )),
      )}
    </>
  );
}
