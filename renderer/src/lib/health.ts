// Health per profile for the dashboard: the engine's verdict per profile (the same rule as the overall
// badge, so the two cannot disagree), its reasons, and backup.stats' per-profile figures. Reasons
// naming no profile (disk space, backup directory, client tools) concern everyone and are shown once, apart.
import type { ChannelOutput } from '../api/types.ts';

type HealthReport = ChannelOutput<'backup.health'>;
type Stats = ChannelOutput<'backup.stats'>;
export type ProfileHealthStatus = HealthReport['status'];

export interface ProfileHealth {
  profile: string;
  status: ProfileHealthStatus;
  reasons: string[];
  totalBackups: number;
  totalSize: number;
  newestBackup: string | null;
  lastRunStatus: string | null;
  /** The newest backup's copies that count, of all (local + offsite), when it has offsite copies. */
  copies: { healthy: number; total: number } | null;
}

export function profileHealth(profiles: readonly string[], stats: Stats, health: HealthReport): ProfileHealth[] {
  const byName = new Map(stats.profiles.map((p) => [p.profile, p]));
  const verdicts = new Map(health.profiles.map((p) => [p.profile, p.status]));
  return profiles.map((profile) => {
    const own = health.reasons.filter((reason) => reason.profile === profile);
    const figures = byName.get(profile);
    return {
      profile,
      // A profile added since health was read has no verdict yet; its reasons come with the next read.
      status: verdicts.get(profile) ?? 'healthy',
      reasons: own.map((reason) => reason.message),
      totalBackups: figures?.totalBackups ?? 0,
      totalSize: figures?.totalSize ?? 0,
      newestBackup: figures?.newestBackup ?? null,
      lastRunStatus: figures?.lastRunStatus ?? null,
      copies: figures?.copies ?? null,
    };
  });
}

/** NO_SCHEDULING_HOST is the scheduling banner's (components/SchedulingBanner.tsx), not a second notice. */
export function systemReasons(health: HealthReport): HealthReport['reasons'] {
  return health.reasons.filter((reason) => reason.profile === undefined && reason.code !== 'NO_BACKUPS' && reason.code !== 'NO_SCHEDULING_HOST');
}
