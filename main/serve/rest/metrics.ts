// GET /metrics: Prometheus text format, read from the catalogue at each scrape (so a backup taken
// by the CLI or the daemon shows up too). One registry per server, never prom-client's global one.
import { Counter, Gauge, Registry } from 'prom-client';
import type { Holdfast } from '../../core/holdfast.ts';
import type { BackupMetadata } from '../../core/model/types.ts';

export interface Metrics {
  registry: Registry;
  /** Reads the catalogue and answers the exposition text. */
  scrape(): Promise<string>;
}

export function createMetrics(holdfast: Holdfast): Metrics {
  const registry = new Registry();
  const labelNames = ['profile'] as const;
  const lastSuccess = new Gauge({
    name: 'holdfast_backup_last_success_timestamp_seconds',
    help: 'When the newest completed backup of the profile finished (Unix time).',
    labelNames,
    registers: [registry],
  });
  const lastDuration = new Gauge({ name: 'holdfast_backup_last_duration_seconds', help: 'How long the newest completed backup of the profile took.', labelNames, registers: [registry] });
  const lastSize = new Gauge({ name: 'holdfast_backup_last_size_bytes', help: 'Size of the newest completed backup of the profile.', labelNames, registers: [registry] });
  const failures = new Counter({ name: 'holdfast_backup_failures_total', help: 'Backup runs of the profile that failed or were interrupted.', labelNames, registers: [registry] });
  const backups = new Gauge({ name: 'holdfast_backups', help: 'Completed backups of the profile in the catalogue.', labelNames, registers: [registry] });
  const running = new Gauge({ name: 'holdfast_backups_running', help: 'Backups running now, in any Holdfast process.', registers: [registry] });

  return {
    registry,
    async scrape() {
      const newest = new Map<string, BackupMetadata>();
      for (const backup of holdfast.catalogue.listBackups({ statuses: ['completed'] })) {
        const seen = newest.get(backup.profile);
        if (!seen || Date.parse(backup.timestamp) > Date.parse(seen.timestamp)) newest.set(backup.profile, backup);
      }
      for (const metric of [lastSuccess, lastDuration, lastSize, failures, backups]) metric.reset();
      for (const [profile, backup] of newest) {
        lastSuccess.set({ profile }, (Date.parse(backup.timestamp) + backup.duration) / 1000);
        lastDuration.set({ profile }, backup.duration / 1000);
        lastSize.set({ profile }, backup.size);
      }
      // The catalogue's counts are the truth; the counter is set to them, so restarts never reset it.
      for (const profile of holdfast.stats().profiles) {
        failures.inc({ profile: profile.profile }, profile.failedBackups);
        backups.set({ profile: profile.profile }, profile.totalBackups);
      }
      running.set(holdfast.runningBackups().length);
      return registry.metrics();
    },
  };
}
