// Temp files a run left in BACKUP_DIR when Holdfast stopped mid-backup: a dump's temp, its roles file's
// temp and its hidden sidecar temp. Only a run this start found stopped is cleaned up after: a running
// run's files (another live Holdfast) are left alone, and so are temps no run of this catalogue names,
// since a BACKUP_DIR may be shared with another home (a shared volume) whose backup is being written.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { exists } from '../fsutil/durable.ts';
import { isProcessAlive } from '../process/liveness.ts';
import { ENCRYPTED_SUFFIX, GLOBALS_SUFFIX, SIDECAR_SUFFIX, TEMP_SUFFIX } from './naming.ts';

/** writeFileDurably's temp name (fsutil/durable.ts): the writer's pid, then a random tag. */
const DURABLE_WRITE_TEMP = /^\..+\.(\d+)-[0-9a-f]{8}\.tmp$/;

/** stoppedRunTemps: the temp_path of each run this start found stopped (recovery/reconcile.ts), read before it was ended. */
export async function removeLeftoverTemps(backupDir: string, stoppedRunTemps: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = [];
  if (await exists(backupDir)) {
    for (const name of await readdir(backupDir)) {
      const owned = name.startsWith('backup-') || name.startsWith('.backup-');
      if (!owned || !name.endsWith(TEMP_SUFFIX)) continue;
      const full = join(backupDir, name);
      // A run's companions (globals temp, hidden sidecar temp) live as long as its dump temp does.
      let dumpTemp = full;
      // An encrypted dump's roles file: backup-….dump.globals.sql.age.tmp belongs to backup-….dump.age.tmp.
      if (name.endsWith(`${GLOBALS_SUFFIX}${ENCRYPTED_SUFFIX}${TEMP_SUFFIX}`))
        dumpTemp = full.slice(0, -(GLOBALS_SUFFIX.length + ENCRYPTED_SUFFIX.length + TEMP_SUFFIX.length)) + ENCRYPTED_SUFFIX + TEMP_SUFFIX;
      else if (name.endsWith(`${GLOBALS_SUFFIX}${TEMP_SUFFIX}`)) dumpTemp = full.slice(0, -(GLOBALS_SUFFIX.length + TEMP_SUFFIX.length)) + TEMP_SUFFIX;
      else if (name.startsWith('.') && name.endsWith(`${SIDECAR_SUFFIX}${TEMP_SUFFIX}`)) dumpTemp = join(backupDir, name.slice(1, -(SIDECAR_SUFFIX.length + TEMP_SUFFIX.length))) + TEMP_SUFFIX;
      // A file being written durably (fsutil/durable.ts: .<name>.<pid>-<random>.tmp) lives as long as its writer.
      const writer = DURABLE_WRITE_TEMP.exec(name);
      if (writer ? Number(writer[1]) === process.pid || isProcessAlive(Number(writer[1]), null) : !stoppedRunTemps.has(dumpTemp)) continue;
      await rm(full, { recursive: true, force: true });
      removed.push(full);
    }
  }
  return removed;
}
