// Health as the engine reports it: health.ts's checks over this engine's catalogue, backup directory
// and client tools, with a backup called overdue after its profile's shortest schedule interval, and
// who runs the schedules (schedule/host-status.ts).
import type { Catalogue } from '../catalogue/catalogue.ts';
import type { HoldfastConfig } from '../config/config.ts';
import type { ScheduleStore } from '../schedule/schedule-store.ts';
import type { SchedulingStatus } from '../schedule/host-status.ts';
import { schedulingReasons } from '../schedule/schedule-health.ts';
import { expectedIntervalHours } from '../schedule/schedules.ts';
import type { ClientToolSet } from '../tools/discover.ts';
import { computeHealth, type HealthReport } from './health.ts';

export interface HealthEngine {
  catalogue: Catalogue;
  schedulingStatus(now: Date): SchedulingStatus;
  isProfileBusy(profile: string): boolean;
  schedules: ScheduleStore;
  config: Pick<HoldfastConfig, 'backupDir' | 'pgBinDir'>;
  clientTools(explicitDir?: string): Promise<ClientToolSet[]>;
}

export async function engineHealth(engine: HealthEngine, now: Date): Promise<HealthReport & { scheduling: SchedulingStatus }> {
  const tools = await engine.clientTools(engine.config.pgBinDir);
  const scheduling = engine.schedulingStatus(now);
  // Who runs the schedules, slots that went by without a run, passwords the running host cannot read.
  const moreReasons = schedulingReasons({ status: scheduling, schedules: engine.schedules.list(), now, isProfileBusy: (profile) => engine.isProfileBusy(profile) });
  const report = await computeHealth({
    moreReasons,
    catalogue: engine.catalogue,
    backupDir: engine.config.backupDir,
    now,
    clientToolsFound: tools.length > 0,
    expectedIntervalHours: (profile) => expectedIntervalHours(engine.schedules, profile, now),
  });
  return { ...report, scheduling };
}
