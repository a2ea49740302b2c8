// An injected clock and cron tasks that follow it: a host's retention slot comes when the clock is
// moved past it, not after a real wait. The slots are croner's (the ones node-cron would fire).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackupOptionsSchema } from '../../main/core/backup/options.ts';
import type { Catalogue } from '../../main/core/catalogue/catalogue.ts';
import { nextRunAfter, systemTimeZone } from '../../main/core/schedule/cron.ts';
import type { ScheduleTask } from '../../main/core/verify/reverify.ts';

export interface ClockedCron {
  clock: { now(): Date };
  schedule: ScheduleTask;
  /** Moves the clock to `at`, running every task whose slot it passes (once per slot). */
  advanceTo(at: Date): void;
}

export function clockedCron(start: Date): ClockedCron {
  let now = start;
  const zone = systemTimeZone();
  const tasks: Array<{ expression: string; run: () => void; next: Date; stopped: boolean }> = [];
  return {
    clock: { now: () => now },
    schedule: (expression, run) => {
      const task = { expression, run, next: nextRunAfter(expression, zone, now), stopped: false };
      tasks.push(task);
      return { stop: () => (task.stopped = true) };
    },
    advanceTo(at) {
      now = at;
      for (const task of tasks) {
        while (!task.stopped && task.next.getTime() <= at.getTime()) {
          task.run();
          task.next = nextRunAfter(task.expression, zone, task.next);
        }
      }
    },
  };
}

/** A completed backup of `profile` taken at `timestamp`: a real file and its catalogue row. */
export function seedBackup(catalogue: Catalogue, backupDir: string, profile: string, timestamp: string): string {
  const filename = `backup-${profile}-${timestamp.replace(/[:.]/g, '-')}.dump`;
  const path = join(backupDir, filename);
  writeFileSync(path, 'PGDMP');
  const runId = catalogue.startRun({ kind: 'backup', profile });
  catalogue.insertBackup(
    {
      id: Math.random().toString(16).slice(2, 14).padEnd(12, '0'),
      filename,
      timestamp,
      size: 5,
      compressed: true,
      encrypted: false,
      checksum: `sha256:${'0'.repeat(64)}`,
      databaseSize: 4096,
      tables: [],
      version: 'PostgreSQL 16.4',
      duration: 100,
      profile,
      database: profile,
      path,
      format: 'custom',
      compression: 'gzip',
      status: 'completed',
      rowCounts: {},
      serverMajor: 16,
      clientVersion: '16.4',
      options: BackupOptionsSchema.parse({}),
      globals: { filename: null, checksum: null, note: null },
    },
    runId,
  );
  catalogue.finishRun(runId, 'completed', {});
  return filename;
}
