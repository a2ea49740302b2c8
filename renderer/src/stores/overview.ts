// What the dashboard and the activity page read besides the other stores: health, stats, the audit
// log and the settings. Each is one call; the pages ask for a refresh when they open.
import { useEffect } from 'react';
import { create } from 'zustand';
import { api } from '../api/client.ts';
import type { ChannelOutput, ErrorInfo } from '../api/types.ts';

export type Health = ChannelOutput<'backup.health'>;
export type Stats = ChannelOutput<'backup.stats'>;
export type AuditEntry = ChannelOutput<'audit.list'>[number];
export type Settings = ChannelOutput<'settings.get'>;

interface Slot<T> {
  value: T | null;
  error: ErrorInfo | null;
}

interface OverviewState {
  health: Slot<Health>;
  stats: Slot<Stats>;
  audit: Slot<AuditEntry[]>;
  settings: Slot<Settings>;
  loadHealth(): Promise<void>;
  loadAudit(limit?: number): Promise<void>;
  loadSettings(): Promise<void>;
  /** Changes one setting (null: back to its default) and reloads the page's settings; the error, if refused. */
  changeSetting(name: string, value: string | null): Promise<ErrorInfo | null>;
}

const empty = { value: null, error: null };

export const useOverview = create<OverviewState>()((set) => ({
  health: empty,
  stats: empty,
  audit: empty,
  settings: empty,
  async loadHealth() {
    const [health, stats] = await Promise.all([api.call('backup.health', {}), api.call('backup.stats', {})]);
    set({
      health: health.ok ? { value: health.value, error: null } : { value: null, error: health.error },
      stats: stats.ok ? { value: stats.value, error: null } : { value: null, error: stats.error },
    });
  },
  async loadAudit(limit = 500) {
    const result = await api.call('audit.list', { limit });
    set({ audit: result.ok ? { value: result.value, error: null } : { value: null, error: result.error } });
  },
  async loadSettings() {
    const result = await api.call('settings.get', {});
    set({ settings: result.ok ? { value: result.value, error: null } : { value: null, error: result.error } });
  },
  async changeSetting(name, value) {
    const result = await api.call('config.set', { name, value });
    await useOverview.getState().loadSettings();
    return result.ok ? null : result.error;
  },
}));

/**
 * Where this host keeps the passwords and keys it is given ("the OS keychain", "the credentials file"),
 * for the forms' hints; the settings are loaded once if nothing has asked for them yet.
 */
export function useSecretStoreName(): string {
  const name = useOverview((s) => s.settings.value?.secretStore);
  const loaded = useOverview((s) => s.settings.value !== null || s.settings.error !== null);
  useEffect(() => {
    if (!loaded) void useOverview.getState().loadSettings();
  }, [loaded]);
  return name ?? "this machine's secret store";
}
