// Temp files a run left in BACKUP_DIR when Holdfast stopped mid-backup: a dump's temp, its roles file's
// temp and its hidden sidecar temp. Only a run this start found stopped is cleaned up after: a running
// run's files (another live Holdfast) are left alone, and so are temps no run of this catalogue names,
// since a BACKUP_DIR may be shared with another home (a shared volume) whose backup is being written.
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { exists } from '../fsutil/durable.ts';
import { HOST_TAG, OTHER_HOST_TEMP_MAX_AGE_MS, TEMP_CLAIM_SOURCE } from '../fsutil/temp-claim.ts';
import { isProcessAlive } from '../process/liveness.ts';
import { ENCRYPTED_SUFFIX, GLOBALS_SUFFIX, SIDECAR_SUFFIX, TEMP_SUFFIX } from './naming.ts';

/**
 * writeFileDurably's temp name (fsutil/durable.ts): the writer's pid and host, then a random tag. The
 * name before the claim has no "@" (a backup's name never does), so the claim's "@" is the one: with
 * any name allowed there, a host ending in a dot and digits (10.0.0.5, worker.3) read as a claim
 * without a host whose pid was those digits, judged by this host's pids — and a live write was removed.
 */
const DURABLE_WRITE_TEMP = new RegExp(`^\\.[^@]+\\.${TEMP_CLAIM_SOURCE}\\.tmp$`);

/** When a temp last changed: its own time, or a file's in it (an upload's directory keeps its time while its file grows). */
async function lastChanged(path: string): Promise<number> {
  const info = await lstat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const inside = await Promise.all(
    (await readdir(path)).map((name) =>
      lstat(join(path, name)).then(
        (child) => child.mtimeMs,
        () => 0,
      ),
    ),
  );
  return Math.max(info.mtimeMs, ...inside);
}

/**
 * A durable write's temp is its writer's while the writer may still be writing: one of this host
 * (or an older name without a host) while that pid lives here; another host's, sharing BACKUP_DIR,
 * until it has not changed for OTHER_HOST_TEMP_MAX_AGE_MS, since its pid says nothing here.
 */
async function writerMayLive(path: string, pid: number, host: string | undefined): Promise<boolean> {
  if (host === undefined || host === HOST_TAG) return pid === process.pid || isProcessAlive(pid, null);
  return Date.now() - (await lastChanged(path)) <= OTHER_HOST_TEMP_MAX_AGE_MS;
}

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
      if (writer ? await writerMayLive(full, Number(writer[1]), writer[2]) : !stoppedRunTemps.has(dumpTemp)) continue;
      await rm(full, { recursive: true, force: true });
      removed.push(full);
    }
  }
  return removed;
}
