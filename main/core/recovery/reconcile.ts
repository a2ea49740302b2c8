// What every start does first, before any work (Holdfast.open): what a Holdfast that stopped mid-work
// left is settled. Its children still running are ended, runs it left "running" become interrupted
// (or a backup it was sealing is finished from its recorded checksum), stale private files go
// (passfiles, decrypted copies, drill sandboxes, temp files), catalogue rows whose files vanished are
// flagged missing (and unflagged if they return: file-check.ts, which serve runs after it listens),
// and copies and restores it left midway recovered.
import { removeLeftoverTemps } from '../backup/leftover-temps.ts';
import { finishSealedBackup } from '../backup/seal.ts';
import type { Catalogue, StaleRun } from '../catalogue/catalogue.ts';
import type { HoldfastConfig } from '../config/config.ts';
import { removeStaleSandboxes } from '../drill/scratch-server.ts';
import { removeStaleDecryptedCopies } from '../encryption/decrypted-copy.ts';
import { removeStaleDumpPipes } from '../backup/dump-pipe.ts';
import type { EventBus } from '../events/bus.ts';
import type { ReconcileReport } from '../model/reports.ts';
import { endRecordedChild } from '../process/child.ts';
import type { SwapRecovery } from '../restore/swap-journal.ts';
import { removeStalePassfiles } from '../secrets/passfile.ts';
import { removeStaleDownloads } from '../storage/private-temp.ts';
import { settleInterruptedSets } from '../sets/interrupted-sets.ts';
import type { Offsite } from '../storage/offsite.ts';
import type { FileCheck } from './file-check.ts';
import { endDeadRunsBackends } from './run-backends.ts';
import { dropInterruptedNewDatabases } from '../restore/new-database-record.ts';
import type { CredentialSource } from '../pg/session.ts';

export interface ReconcilingEngine extends CredentialSource {
  config: HoldfastConfig;
  catalogue: Catalogue;
  events: Pick<EventBus, 'emit'>;
  offsite: Pick<Offsite, 'recover'>;
  recoverRestores(options: { atStart?: boolean }): Promise<SwapRecovery[]>;
  fileCheck: Pick<FileCheck, 'run'>;
}

/**
 * `files: 'later'` leaves out which backup files are still there (engine.fileCheck): the caller runs
 * it once it can answer (holdfast serve, after it listens); everything else here stays before any work.
 */
export async function reconcileAtStart(engine: ReconcilingEngine, options: { files: 'now' | 'later' } = { files: 'now' }): Promise<ReconcileReport> {
  const { catalogue, config, events } = engine;
  const report: ReconcileReport = { interruptedRuns: [], removedTempFiles: [], missingBackups: [], foundAgain: [], endedProcesses: [], stuckProcesses: [], finishedBackups: [] };
  await removeStalePassfiles(config.home);
  await removeStaleDecryptedCopies(config.home);
  // A copy downloaded from a destination for a restore or drill, left by a Holdfast killed mid-read.
  await removeStaleDownloads();
  // An encrypted backup's FIFO (it never held a byte on disk), left by a Holdfast killed mid-dump.
  await removeStaleDumpPipes();
  // A drill's sandbox server outlives a Holdfast killed mid-drill, with the restored data beside it.
  await removeStaleSandboxes();
  // The temps of the runs found stopped: ending a run clears its temp_path, and only these are ours to remove.
  const stoppedRunTemps = new Set<string>();
  // Runs that had started a tool: its backend may still sit in a server's lock queue.
  const withTools: string[] = [];
  const interrupted: string[] = [];
  for (const run of catalogue.staleRuns()) {
    // Its pg_dump may outlive it and still be writing: ended first, before any of its files is touched.
    const stuck = await endChildrenOf(engine, run, report);
    if (stuck) continue;
    if (run.children.length > 0) withTools.push(run.id);
    if (run.tempPath !== null) stoppedRunTemps.add(run.tempPath);
    if (run.sealing) {
      const sealed = await finishSealedBackup(catalogue, run.id, run.sealing, run.detail);
      if (sealed.finished) report.finishedBackups.push(run.sealing.filename);
      else report.interruptedRuns.push(run.id);
      await events.emit({ kind: 'recovery.sealing', run: run.id, filename: run.sealing.filename, outcome: sealed });
      continue;
    }
    catalogue.finishRun(run.id, 'interrupted', { error: 'Holdfast stopped while this run was in progress; its partial output was removed.' });
    report.interruptedRuns.push(run.id);
    interrupted.push(run.id);
  }
  // Their tools are gone now (ended above, or died with Holdfast): what the servers still hold of them goes too.
  const backends = await endDeadRunsBackends(engine, withTools);
  if (backends.ended.length) report.endedBackends = backends.ended;
  if (backends.notReached.length) report.backendsNotReached = backends.notReached;
  const dropped = await dropInterruptedNewDatabases(engine, interrupted);
  if (dropped.length) report.newDatabases = dropped;
  for (const recovery of dropped) await events.emit({ kind: 'restore.newDatabaseRecovered', recovery });
  await settleInterruptedSets(catalogue, config.backupDir);
  report.removedTempFiles.push(...(await removeLeftoverTemps(config.backupDir, stoppedRunTemps)));
  if (options.files === 'now') {
    const files = await engine.fileCheck.run();
    report.missingBackups.push(...files.missingBackups);
    report.foundAgain.push(...files.foundAgain);
  }
  const copies = await engine.offsite.recover();
  if (copies.length) report.recoveredCopies = copies;
  const recovered = await engine.recoverRestores({ atStart: true });
  if (recovered.length) report.recoveredRestores = recovered;
  return report;
}

/** Ends what a dead Holdfast's run left running; true when one would not end (the run then stays as it is). */
async function endChildrenOf(engine: Pick<ReconcilingEngine, 'events'>, run: StaleRun, report: ReconcileReport): Promise<boolean> {
  let stuck = false;
  for (const child of run.children) {
    const outcome = await endRecordedChild(child);
    if (outcome === 'ended') report.endedProcesses.push({ run: run.id, pid: child.pid });
    if (outcome === 'stuck') {
      report.stuckProcesses.push({ run: run.id, pid: child.pid });
      stuck = true;
    }
  }
  const ended = report.endedProcesses.filter((e) => e.run === run.id).map((e) => e.pid);
  if (ended.length) await engine.events.emit({ kind: 'recovery.childrenEnded', run: run.id, pids: ended });
  return stuck;
}
