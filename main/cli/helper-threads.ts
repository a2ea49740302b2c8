// A CLI command's helper threads at background priority (Linux). The command's real work is the tool
// it starts — pg_dump, pg_restore — and what Holdfast does beside it (the archive walked as it is
// written, each table's gzip data inflated to count its rows, the file hashed) must take only the CPU
// the tool leaves: on a 2-core machine that work at normal priority slowed pg_dump by ~3% (bench row 1;
// niced, the same work cost the dump ~1%), which is the time a DBA waits and the window a snapshot is held.
//
// The helper threads are lowered (libuv's pool, which runs zlib and file I/O, and V8's), and the main
// thread only once the backup's children are running: children are started from it and inherit its
// priority, so pg_dump keeps its own. Linux
// keeps a nice value per thread, which is what makes this possible; elsewhere a process's threads
// share one, and nothing is changed. A thread created later (the pool grows on demand) starts at the
// main thread's priority, so this is asked again as the command progresses. Raising a priority back
// needs privileges an ordinary user lacks, so only the one-shot CLI's backup does this (runner.ts,
// `helpersYield`), never the app or serve, whose threads serve a person, nor a restore, whose threads
// feed psql and so are the restore's own pace.
import { readdirSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { isPacing } from '../core/process/pacing-threads.ts';

const lowered = new Set<number>();

/**
 * Lowers the main thread too, once the backup has started every process it runs (`toolsStarted` in
 * its progress): its own work beside pg_dump (the walk, the checksum, counting rows, the encryption)
 * then takes only the CPU pg_dump and its server backend leave. A child started from here on would
 * inherit the lowest priority and nothing can raise it back, so only a single backup does this,
 * never a whole-server set, whose members start pg_dump one after another.
 */
export function lowerMainThread(): void {
  if (process.platform !== 'linux' || lowered.has(process.pid)) return;
  try {
    // On Linux a priority is per thread, and the main thread's id is the process id.
    setPriority(process.pid, constants.priority.PRIORITY_LOW);
    lowered.add(process.pid);
  } catch {
    // Not ours to change: it keeps its priority.
  }
}

/** Lowers every thread of this process but the main one to the lowest priority; cheap to repeat. */
export function lowerHelperThreads(): void {
  if (process.platform !== 'linux') return;
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return;
  }
  for (const task of tasks) {
    const tid = Number(task);
    // The main thread starts the children, which inherit its priority; a pacing thread feeds one.
    if (tid === process.pid || lowered.has(tid) || isPacing(tid)) continue;
    try {
      setPriority(tid, constants.priority.PRIORITY_LOW);
      lowered.add(tid);
    } catch {
      // Gone between the listing and the call, or not ours to change: it keeps its priority.
    }
  }
}
