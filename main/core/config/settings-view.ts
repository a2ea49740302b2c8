// What the settings page shows: the configuration parsed at start, read-only. Webhook URLs carry
// their credential, so only whether each notification channel is set crosses the contract.
import { configuredChannels, notifySettingsFromEnv } from '../notify/notifier.ts';
import type { ChannelId } from '../notify/channels/index.ts';
import { presetCron } from '../schedule/cron.ts';
import type { ClientToolSet } from '../tools/discover.ts';
import type { HoldfastConfig } from './config.ts';

export interface SettingsView extends Pick<
  HoldfastConfig,
  'home' | 'backupDir' | 'compressionDefault' | 'maxSizeBytes' | 'timeoutMs' | 'stallMs' | 'concurrency' | 'retentionDays' | 'connectTimeoutSeconds'
> {
  /** verify: HOLDFAST_VERIFY_SCHEDULE, or "off". */
  schedules: { daily: string; weekly: string; monthly: string; cleanup: string; verify: string };
  notifications: Record<ChannelId, boolean> & { on: 'all' | 'failures' | 'none' };
  clientTools: { explicitDir: string | null; found: Array<{ version: string; major: number; dir: string; source: string }> };
}

export async function settingsView(engine: { config: HoldfastConfig; clientTools(explicitDir?: string): Promise<ClientToolSet[]> }): Promise<SettingsView> {
  const { config } = engine;
  const notify = notifySettingsFromEnv(config.env);
  const tools = await engine.clientTools(config.pgBinDir);
  const { home, backupDir, compressionDefault, maxSizeBytes, timeoutMs, stallMs, concurrency, retentionDays, connectTimeoutSeconds } = config;
  return {
    home,
    backupDir,
    compressionDefault,
    maxSizeBytes,
    timeoutMs,
    stallMs,
    concurrency,
    retentionDays,
    connectTimeoutSeconds,
    schedules: {
      daily: presetCron('daily', config.env),
      weekly: presetCron('weekly', config.env),
      monthly: presetCron('monthly', config.env),
      cleanup: config.cleanupSchedule,
      verify: config.verifySchedule ?? 'off',
    },
    notifications: { ...configuredChannels(notify), on: notify.on },
    clientTools: { explicitDir: config.pgBinDir ?? null, found: tools.map((t) => ({ version: t.version, major: t.major, dir: t.dir, source: t.source })) },
  };
}
