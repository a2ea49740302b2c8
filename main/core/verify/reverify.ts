// Scheduled re-verification (HOLDFAST_VERIFY_SCHEDULE, default Sundays 06:00): every stored backup
// is read back again now and then, so rot on disk, a truncated copy or a file changed behind
// Holdfast's back is found by a verify and not by the restore that needed it. Each verify is an
// ordinary one (a run, the result on the backup), so health and the Overview show what it found.
import { nodeCronLibrary } from '../schedule/cron-libraries.ts';
import type { Catalogue } from '../catalogue/catalogue.ts';
import type { EventBus } from '../events/bus.ts';
import type { VerifyResult } from './verify.ts';

/** What re-verification needs of the engine (Holdfast has all of it). */
export interface ReverifyEngine {
  catalogue: Catalogue;
  verify(ref: string): Promise<VerifyResult>;
  /** A failure is told as backup.reverifyFailed: logged, and notified as a failed backup. */
  events: Pick<EventBus, 'emit'>;
}

export interface ReverifyReport {
  /** Verifies that ran to a verdict, valid or not. */
  verified: number;
  failed: Array<{ id: string; filename: string; profile: string; problem: string }>;
  /** Verifies that could not run (no pg_restore, the catalogue busy): the backup's last verdict stands. */
  errors: Array<{ filename: string; message: string }>;
  /** Stopped (the host shutting down) before every backup was read. */
  stopped: boolean;
}

/**
 * Verifies every completed backup, one at a time (each reads the whole file), least recently
 * verified first: a run cut short starts next time where this one stopped.
 */
export async function reverifyBackups(engine: ReverifyEngine, options: { signal?: AbortSignal } = {}): Promise<ReverifyReport> {
  const lastRead = (backup: { lastVerified?: { at: string } | null }) => backup.lastVerified?.at ?? '';
  const backups = engine.catalogue.listBackups({ statuses: ['completed'] }).sort((a, b) => lastRead(a).localeCompare(lastRead(b)) || a.timestamp.localeCompare(b.timestamp));
  const report: ReverifyReport = { verified: 0, failed: [], errors: [], stopped: false };
  for (const backup of backups) {
    if (options.signal?.aborted) {
      report.stopped = true;
      break;
    }
    let result: VerifyResult;
    try {
      result = await engine.verify(backup.id);
    } catch (error) {
      report.errors.push({ filename: backup.filename, message: (error as Error).message });
      continue;
    }
    report.verified += 1;
    if (result.valid) continue;
    const problem = result.checks
      .filter((check) => check.status === 'failed')
      .map((check) => check.detail)
      .join('; ');
    report.failed.push({ id: backup.id, filename: backup.filename, profile: backup.profile, problem });
    await engine.events.emit({ kind: 'backup.reverifyFailed', backup, problem });
  }
  return report;
}

/** A cron task; node-cron's by default, a stand-in in specs. */
export type ScheduleTask = (expression: string, run: () => void) => { stop(): unknown };

const cronTask: ScheduleTask = (expression, run) => nodeCronLibrary().schedule(expression, run);

/**
 * Runs reverifyBackups on `expression` (in the system's zone, as cleanup runs), one run at a time.
 * `stop` stops the schedule, asks a run in progress to stop after its current backup, and waits for it.
 */
export function scheduleReverify(engine: ReverifyEngine, expression: string, options: { log: (message: string) => void; schedule?: ScheduleTask }): { stop(): Promise<void> } {
  const stopping = new AbortController();
  let running: Promise<void> | undefined;
  const task = (options.schedule ?? cronTask)(expression, () => {
    if (running) {
      options.log('re-verification: the previous run is still going; this slot is skipped');
      return;
    }
    running = reverifyBackups(engine, { signal: stopping.signal })
      .then((report) =>
        options.log(
          `re-verification: ${report.verified} backups verified, ${report.failed.length} failed, ${report.errors.length} could not be read${report.stopped ? '; stopped before the rest' : ''}`,
        ),
      )
      .catch((error: unknown) => options.log(`re-verification failed: ${(error as Error).message}`))
      .finally(() => {
        running = undefined;
      });
  });
  return {
    async stop() {
      task.stop();
      stopping.abort();
      await running;
    },
  };
}
