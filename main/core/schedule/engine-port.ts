// What a scheduling host needs of the engine, declared here so this room never imports the facade
// above it (core/holdfast.ts satisfies it; a spec can hand in the same Holdfast).
import type { HoldfastConfig } from '../config/config.ts';
import type { BackupMetadata } from '../model/types.ts';
import type { CredentialSources } from '../secrets/reachability.ts';
import type { ReverifyEngine } from '../verify/reverify.ts';
import type { ScheduleStore, Schedule } from './schedule-store.ts';
import type { Clock, ScheduledOutcome, Scheduler } from './scheduler.ts';

export interface SchedulingEngine extends ReverifyEngine {
  readonly config: Pick<HoldfastConfig, 'cleanupSchedule' | 'verifySchedule' | 'secretStore' | 'env'>;
  readonly schedules: ScheduleStore;
  readonly secrets: CredentialSources['secrets'];
  createScheduler(clock?: Clock, onOutcome?: (schedule: Schedule, outcome: ScheduledOutcome, backup?: BackupMetadata) => void): Scheduler;
  /** Retention over every profile, as `holdfast cleanup` applies it. */
  cleanup(input: { dryRun: boolean }, now?: Date): Promise<{ deleted: number; errors: number }>;
}
