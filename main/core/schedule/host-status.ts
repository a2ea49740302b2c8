// Who runs the schedules, judged from the heartbeats (catalogue/hosts.ts): a host is running when
// its heartbeat is fresh (ticked within two tick intervals and a little slack) and, when it is on this
// machine, its process is alive with the start time it registered (a pid reused after a reboot or a
// kill is not that host). Every shell (schedule list, health, the Overview and Schedules pages) reads
// this one judgement, and the one sentence said when nothing runs them.
import { hostname } from 'node:os';
import type { ScheduleHostRecord } from '../catalogue/hosts.ts';
import type { CredentialCheck, ScheduleHostKind } from '../model/types.ts';
import { isSameProcessAlive } from '../process/liveness.ts';

/** How often a host ticks (ticker.ts: node-cron every minute), and so beats. */
export const TICK_INTERVAL_MS = 60_000;
/** A heartbeat older than two intervals and this is stale: the host missed two ticks. */
export const HEARTBEAT_SLACK_MS = 30_000;
/** A slot this late with no run makes its profile unhealthy (a busy profile or BACKUP_CONCURRENCY may delay one a little). */
export const OVERDUE_GRACE_MS = 30 * 60_000;

export const NOTHING_RUNS_SCHEDULES = 'nothing is running these schedules: start the desktop app, `holdfast daemon` or `holdfast serve`';
/** Said instead by a `holdfast serve --no-schedules`, whose user already started holdfast serve: why it runs none, and how to run them. */
export const SERVED_WITHOUT_SCHEDULES =
  'nothing is running these schedules: this `holdfast serve` was started with `--no-schedules`, so it runs none; restart it without `--no-schedules`, or start the desktop app or `holdfast daemon`';

const KIND_NAMES: Record<ScheduleHostKind, string> = { desktop: 'the desktop app', daemon: 'holdfast daemon', serve: 'holdfast serve' };

export interface ScheduleHostView {
  kind: ScheduleHostKind;
  pid: number;
  hostName: string;
  /** "holdfast daemon (pid 4242 on db1)": what every shell names it by. */
  label: string;
  startedAt: string;
  lastTick: string;
  secretStore: string;
  running: boolean;
  /** Why a host with a row is not counted as running. */
  notRunning?: string;
  /** The profiles whose password this host could not obtain when it last checked. */
  credentialProblems: CredentialCheck[];
  credentialsCheckedAt: string | null;
}

export interface SchedulingStatus {
  /** Enabled schedules: with none, no host is needed. */
  activeSchedules: number;
  running: ScheduleHostView[];
  /** Hosts that left a heartbeat and stopped beating (killed, frozen): last seen. */
  stale: ScheduleHostView[];
  /** The sentence to show when there are active schedules and no host runs them; null otherwise. */
  warning: string | null;
}

export interface StatusOptions {
  now: Date;
  activeSchedules: number;
  /** This machine's name: a host elsewhere (a shared HOLDFAST_HOME) is judged by its heartbeat alone. */
  localHostName?: string;
  /** The process asking is a `holdfast serve --no-schedules`: the warning says so instead of advising to start one. */
  servesWithoutSchedules?: boolean;
}

export function hostLabel(host: Pick<ScheduleHostRecord, 'kind' | 'pid' | 'hostName'>): string {
  return `${KIND_NAMES[host.kind]} (pid ${host.pid} on ${host.hostName})`;
}

function judge(host: ScheduleHostRecord, now: Date, localHostName: string): ScheduleHostView {
  const ageMs = now.getTime() - Date.parse(host.lastTick);
  let notRunning: string | undefined;
  if (host.hostName === localHostName && !isSameProcessAlive({ pid: host.pid, startToken: host.startToken })) notRunning = 'its process is gone (killed, or the machine restarted)';
  else if (ageMs > 2 * host.tickIntervalMs + HEARTBEAT_SLACK_MS) notRunning = `no heartbeat for ${Math.round(ageMs / 60_000)} min`;
  return {
    kind: host.kind,
    pid: host.pid,
    hostName: host.hostName,
    label: hostLabel(host),
    startedAt: host.startedAt,
    lastTick: host.lastTick,
    secretStore: host.secretStore,
    running: notRunning === undefined,
    ...(notRunning ? { notRunning } : {}),
    credentialProblems: host.credentials.filter((check) => !check.ok),
    credentialsCheckedAt: host.credentialsCheckedAt,
  };
}

export function schedulingStatus(hosts: ScheduleHostRecord[], options: StatusOptions): SchedulingStatus {
  const views = hosts.map((host) => judge(host, options.now, options.localHostName ?? hostname()));
  const running = views.filter((view) => view.running);
  return {
    activeSchedules: options.activeSchedules,
    running,
    stale: views.filter((view) => !view.running),
    warning: options.activeSchedules > 0 && running.length === 0 ? (options.servesWithoutSchedules ? SERVED_WITHOUT_SCHEDULES : NOTHING_RUNS_SCHEDULES) : null,
  };
}

/** One line for a terminal or a banner: who runs the schedules, or that nothing does. */
export function describeSchedulingStatus(status: SchedulingStatus): string {
  if (status.warning) {
    const last = status.stale.at(-1);
    return `${status.warning}${last ? ` (last: ${last.label}, last tick ${last.lastTick}; ${last.notRunning})` : ''}`;
  }
  if (status.running.length === 0) return 'No process runs schedules now (there are no active schedules).';
  return `Schedules are run by ${status.running.map((host) => `${host.label}, last tick ${host.lastTick}`).join('; and by ')}.`;
}
