// A HOLDFAST_HOME with many backups and no PostgreSQL: catalogue rows written straight through the
// Catalogue class, the profile they reference added without connecting, and an empty file under each
// backup's name so the start-up file check finds them present (as on a real install). For the suites
// and benches that need a large catalogue, not a dump: the Backups list at scale, serve's start-up.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Catalogue } from '../../main/core/catalogue/catalogue.ts';
import type { BackupMetadata } from '../../main/core/model/types.ts';
import type { TestHome } from './holdfast-env.ts';
import { newProfileRecord } from './profile-record.ts';

export interface SeededBackup {
  id: string;
  filename: string;
  path: string;
}

/**
 * `count` hourly backups of one profile ("shop"), oldest first, each with a run row like a scheduled
 * backup leaves and an empty file; the newest is an hour or more before now. One transaction.
 * `database` names the database they are of (default "shop"): a hostile one tests how names are shown.
 */
export function seedBackups(
  home: TestHome,
  count: number,
  { database = 'shop', durationMs }: { database?: string; /** The i-th backup's duration; default under a second. */ durationMs?: (i: number) => number } = {},
): SeededBackup[] {
  const backupDir = join(home.home, 'backups');
  mkdirSync(backupDir, { recursive: true, mode: 0o700 });
  const catalogue = new Catalogue(join(home.home, 'catalogue.sqlite'));
  const seeded: SeededBackup[] = [];
  try {
    if (count === 0) return seeded;
    catalogue.addProfile(newProfileRecord('shop', { host: '127.0.0.1' }));
    // The shape a real custom backup of the E2E suite's "shop" database records.
    const tables = ['"Sales"."Quarterly Totals"', '"app.v2".users', 'public.events', 'public.events_2024', 'public.events_2025', 'public.orders', 'public.users', 'public."x; $(touch /tmp/p)"'];
    const first = Date.now() - (count + 24) * 3_600_000;
    catalogue.db.transaction(() => {
      for (let i = 0; i < count; i += 1) {
        const at = new Date(first + i * 3_600_000);
        const id = i.toString(16).padStart(12, '0');
        const filename = `backup-${at.toISOString().replace(/[:.]/g, '-')}-shop-history.dump`;
        const path = join(backupDir, filename);
        writeFileSync(path, '');
        const metadata: BackupMetadata = {
          id,
          filename,
          timestamp: at.toISOString(),
          size: 180_000 + i * 4 + ((i * 7919) % 6000),
          compressed: true,
          encrypted: false,
          checksum: `sha256:${id.repeat(6).slice(0, 64)}`,
          databaseSize: 9_000_000 + i * 16,
          tables,
          version: 'PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu',
          duration: durationMs ? durationMs(i) : 300 + Math.round(i / 20) + ((i * 31) % 250),
          profile: 'shop',
          database,
          path,
          format: 'custom',
          compression: 'gzip:6',
          status: 'completed',
          rowCounts: Object.fromEntries(tables.map((table, n) => [table, 500 * (n + 1) + (i % 50)])),
          serverMajor: 15,
          clientVersion: 'pg_dump 15.18',
          options: { format: 'custom', schemaOnly: false, dataOnly: false, tables: [], excludeTables: [], schemas: [], excludeSchemas: [] },
          globals: { filename: `${filename}.globals.sql`, checksum: `sha256:${'0'.repeat(64)}`, note: null },
          lastVerified: i % 3 === 0 ? { at: at.toISOString(), valid: true } : null,
          restoreTest: null,
        };
        const runId = catalogue.startRun({ kind: 'backup', profile: 'shop' });
        catalogue.insertBackup(metadata, runId);
        catalogue.finishRun(runId, 'completed', { backupId: id });
        seeded.push({ id, filename, path });
      }
    })();
  } finally {
    catalogue.close();
  }
  return seeded;
}
