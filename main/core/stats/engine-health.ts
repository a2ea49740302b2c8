// Health as the engine reports it: stats.ts's checks over this engine's catalogue, backup directory
// and client tools, with a backup called overdue after its profile's shortest schedule interval.
import type { Catalogue } from '../catalogue/catalogue.ts';
import type { HoldfastConfig } from '../config/config.ts';
import type { ScheduleStore } from '../schedule/schedule-store.ts';
import { expectedIntervalHours } from '../schedule/schedules.ts';
import type { ClientToolSet } from '../tools/discover.ts';
import { computeHealth, type HealthReport } from './stats.ts';

export interface HealthEngine {
  catalogue: Catalogue;
  schedules: ScheduleStore;
  config: Pick<HoldfastConfig, 'backupDir' | 'pgBinDir'>;
  clientTools(explicitDir?: string): Promise<ClientToolSet[]>;
}

export async function engineHealth(engine: HealthEngine, now: Date): Promise<HealthReport> {
  const tools = await engine.clientTools(engine.config.pgBinDir);
  return computeHealth({
    catalogue: engine.catalogue,
    backupDir: engine.config.backupDir,
    now,
    clientToolsFound: tools.length > 0,
    expectedIntervalHours: (profile) => expectedIntervalHours(engine.schedules, profile, now),
  });
}
