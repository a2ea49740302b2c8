// A scheduling host's heartbeat and credential check. Registered when the host starts running
// schedules, beaten on every scheduler tick, removed when it stops (a killed host's row goes stale).
// The credential check runs at start for every profile with an active schedule, and on each tick for
// the profiles whose slot comes within the next two ticks: what it finds is published on the row (the
// CLI, health and the UI read it from there) and logged when it changes.
import { hostname } from 'node:os';
import { ScheduleHostStore } from '../catalogue/hosts.ts';
import type { CredentialCheck, Profile, ScheduleHostKind } from '../model/types.ts';
import { processStartToken, PROCESS_TOKEN } from '../process/liveness.ts';
import { checkCredential } from '../secrets/reachability.ts';
import type { SchedulingEngine } from './engine-port.ts';
import { hostLabel, TICK_INTERVAL_MS } from './host-status.ts';
import type { Clock } from './scheduler.ts';

export interface Heartbeat {
  readonly id: string;
  /** Call after every scheduler tick: beats, and checks the credentials of the slots coming up. */
  ticked(): void;
  /** Checks the credentials of every profile with an active schedule; resolves with what it found. */
  checkAll(): Promise<CredentialCheck[]>;
  /** Waits for a check in progress, then removes the row. */
  stop(): Promise<void>;
}

/** A slot this close is checked on this tick: the tick that starts it comes before the next check. */
const LOOKAHEAD_MS = 2 * TICK_INTERVAL_MS;

export function startHeartbeat(engine: SchedulingEngine, options: { kind: ScheduleHostKind; clock: Clock; log: (message: string) => void }): Heartbeat {
  const { clock, log } = options;
  const store = new ScheduleHostStore(engine.catalogue.db);
  const id = `${process.pid}-${PROCESS_TOKEN}-${options.kind}`;
  const startedAt = clock.now().toISOString();
  const record = {
    id,
    kind: options.kind,
    pid: process.pid,
    startToken: processStartToken(process.pid),
    hostName: hostname(),
    secretStore: engine.config.secretStore,
    startedAt,
    tickIntervalMs: TICK_INTERVAL_MS,
  };
  const register = () => store.register({ ...record, lastTick: clock.now().toISOString() });
  register();
  const label = hostLabel(record);
  /** The latest check per profile: a check of a few profiles updates theirs only. */
  const latest = new Map<string, CredentialCheck>();
  let checking: Promise<CredentialCheck[]> | undefined;

  const check = (profiles: Profile[]): Promise<CredentialCheck[]> => {
    if (checking) return checking;
    checking = (async () => {
      const found: CredentialCheck[] = [];
      for (const profile of profiles) found.push(await checkCredential({ secrets: engine.secrets, env: engine.config.env }, profile));
      for (const result of found) {
        const before = latest.get(result.profile);
        if (!result.ok && before?.problem !== result.problem) log(`scheduled backups of profile "${result.profile}" cannot get their password on this host: ${result.problem}`);
        if (result.ok && before && !before.ok) log(`profile "${result.profile}": its password can be read again`);
        latest.set(result.profile, result);
      }
      store.recordCredentials(id, [...latest.values()], clock.now());
      return found;
    })()
      .catch((error: unknown) => {
        log(`the credential check failed; the next tick tries again: ${(error as Error).message}`);
        return [];
      })
      .finally(() => {
        checking = undefined;
      });
    return checking;
  };

  const scheduledProfiles = (dueBefore?: number): Profile[] => {
    const names = new Set(
      engine.schedules
        .list()
        .filter((schedule) => schedule.enabled && (dueBefore === undefined || Date.parse(schedule.nextRun) <= dueBefore))
        .map((schedule) => schedule.profile),
    );
    return engine.catalogue.listProfiles().filter((profile) => names.has(profile.name));
  };

  log(`${label} runs the schedules; passwords come from ${engine.secrets.description}`);
  return {
    id,
    ticked() {
      try {
        if (!store.beat(id, clock.now())) register();
        const coming = scheduledProfiles(clock.now().getTime() + LOOKAHEAD_MS);
        if (coming.length) void check(coming);
      } catch (error) {
        log(`could not write the heartbeat; the next tick tries again: ${(error as Error).message}`);
      }
    },
    checkAll: () => check(scheduledProfiles()),
    async stop() {
      await checking;
      try {
        store.remove(id);
      } catch (error) {
        log(`could not remove the heartbeat (it goes stale instead): ${(error as Error).message}`);
      }
    },
  };
}
