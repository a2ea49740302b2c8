// What the settings page shows: the configuration in force, and each setting with where its value
// comes from (environment, app, default) and whether the app may change it. Webhook URLs carry
// their credential, so only whether each notification channel is set crosses the contract.
import { configuredChannels, notifySettingsFromEnv } from '../notify/notifier.ts';
import type { ChannelId } from '../notify/channels/index.ts';
import type { ClientToolSet } from '../tools/discover.ts';
import type { SettingEntry } from './app-settings.ts';
import type { HoldfastConfig } from './config.ts';
import type { LiveConfig } from './live-config.ts';
import { SECRET_STORE_NAMES } from '../secrets/store-choice.ts';

export interface SettingsView extends Pick<
  HoldfastConfig,
  'home' | 'backupDir' | 'compressionDefault' | 'maxSizeBytes' | 'timeoutMs' | 'stallMs' | 'concurrency' | 'retentionDays' | 'connectTimeoutSeconds'
> {
  /** verify: HOLDFAST_VERIFY_SCHEDULE, or "off". */
  schedules: { daily: string; weekly: string; monthly: string; cleanup: string; verify: string };
  notifications: Record<ChannelId, boolean> & { on: 'all' | 'failures' | 'none' };
  /** Every setting the app shows, in the order it shows them, with its source. */
  entries: SettingEntry[];
  clientTools: { explicitDir: string | null; found: Array<{ version: string; major: number; dir: string; source: string }> };
  /** Where this host keeps the passwords and keys it is given (HOLDFAST_SECRET_STORE): "the OS keychain" or "the credentials file". */
  secretStore: string;
}

export async function settingsView(engine: { config: HoldfastConfig; settings: Pick<LiveConfig, 'entries'>; clientTools(explicitDir?: string): Promise<ClientToolSet[]> }): Promise<SettingsView> {
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
      ...config.presets,
      cleanup: config.cleanupSchedule,
      verify: config.verifySchedule ?? 'off',
    },
    notifications: { ...configuredChannels(notify), on: notify.on },
    entries: engine.settings.entries(),
    clientTools: { explicitDir: config.pgBinDir ?? null, found: tools.map((t) => ({ version: t.version, major: t.major, dir: t.dir, source: t.source })) },
    secretStore: SECRET_STORE_NAMES[config.secretStore],
  };
}
