// `holdfast daemon`: the scheduler without a desktop. SIGTERM/SIGINT stop it taking work; a running
// backup may finish within the grace period, after which it is cancelled and its run ends interrupted.
import { loadConfig } from '../core/config/config.ts';
import { exitCodeFor, toErrorInfo } from '../core/model/errors.ts';
import { loadEverythingNow } from '../core/process/first-use.ts';
import { Holdfast } from '../core/holdfast.ts';
import { startSchedulingHost } from '../core/schedule/host.ts';
import type { Io } from './io.ts';
import { untilStopSignal } from './stop-signal.ts';

export async function runDaemon(io: Io, graceMs: number): Promise<number> {
  let holdfast: Holdfast;
  try {
    holdfast = (await Holdfast.open(loadConfig())).holdfast;
  } catch (error) {
    const info = toErrorInfo(error);
    io.stderr(`holdfast daemon: ${info.message}\n`);
    return exitCodeFor(info.code);
  }
  const log = (message: string) => {
    io.stderr(`${new Date().toISOString()} ${message}\n`);
    holdfast.logger.log('info', `daemon: ${message}`);
  };
  // Loaded while the build that started it is there: an upgrade's rebuild removes its chunks, and a
  // scheduled set, clean-up, offsite copy or email first asked for after that could not be loaded (core/process/first-use.ts).
  await loadEverythingNow().catch((error: unknown) => log(`could not load the code it loads on first use (operations, remote media, email, age): ${toErrorInfo(error).message}`));
  const schedules = holdfast.listSchedules().filter((s) => s.enabled);
  log(`holdfast daemon started (pid ${process.pid}); ${schedules.length} active schedules`);
  // The signal handlers go in before the first tick can start a backup: a SIGTERM in between would
  // otherwise end the process at once, with no grace for that backup.
  const stop = untilStopSignal(() => log('already stopping: running backups get the rest of --grace'));
  const host = startSchedulingHost(holdfast, { kind: 'daemon', log });
  await stop.stopped;
  log('stopping: no new backups; waiting for running ones');
  const stopped = await host.stop(graceMs);
  log(`stopped: ${stopped.finished} finished, ${stopped.interrupted} interrupted`);
  holdfast.close();
  stop.dispose();
  return 0;
}
