// `holdfast serve`: prints the URL with its token and serves until SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import { loadConfig } from '../core/config/config.ts';
import { exitCodeFor, HoldfastError, toErrorInfo } from '../core/model/errors.ts';
import { loadEverythingNow } from '../core/process/first-use.ts';
import { Holdfast } from '../core/holdfast.ts';
import { startSchedulingHost } from '../core/schedule/host.ts';
import { checkBind, startServer, type ServeOptions } from '../serve/server.ts';
import type { Io } from './io.ts';
import { untilStopSignal } from './stop-signal.ts';

export interface ServeFlags {
  host: string;
  port?: number;
  tlsCert?: string;
  tlsKey?: string;
  insecure?: boolean;
  publicHealth?: boolean;
  /** false with --no-schedules: serve only, another process runs the schedules. */
  schedules?: boolean;
}

/** Scheduled backups running when serve stops get this long to finish, as in the desktop app. */
const SCHEDULE_GRACE_MS = 15_000;

/** When nobody asks anything, the schedules and the file check start this long after listening. */
const START_CHORES_AFTER_MS = 2000;

function firstAnswerOrTimeout(firstAnswer: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([firstAnswer, timeout]).finally(() => clearTimeout(timer));
}

/** Flags to server options; bad usage (half a TLS pair, an unreadable file, an open bind) throws BAD_INPUT. */
function serveOptions(flags: ServeFlags): ServeOptions {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new HoldfastError('BAD_INPUT', '--tls-cert and --tls-key go together.', 'Give both: the PEM certificate and its private key.');
  }
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new HoldfastError('BAD_INPUT', `${flag} ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
    }
  };
  const options: ServeOptions = { host: flags.host, insecure: Boolean(flags.insecure), publicHealth: Boolean(flags.publicHealth) };
  if (flags.port !== undefined) options.port = flags.port;
  if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) options.tls = { cert: read('--tls-cert', flags.tlsCert), key: read('--tls-key', flags.tlsKey) };
  checkBind(flags.host, options);
  return options;
}

/** The start-up file check, after the first answer: what it found goes to the log, as a CLI start prints it. */
async function checkFilesInBackground(holdfast: Holdfast, log: (message: string) => void): Promise<void> {
  try {
    const found = await holdfast.fileCheck.run();
    for (const filename of found.missingBackups) log(`backup ${filename}: its file is gone; marked missing`);
    for (const filename of found.foundAgain) log(`backup ${filename}: its file is back; marked completed`);
  } catch (error) {
    const info = toErrorInfo(error);
    log(`could not check which backup files are still there: ${info.message}${info.hint ? ` (${info.hint})` : ''}; the Backups list keeps saying "checking"`);
  }
}

export async function runServe(io: Io, flags: ServeFlags): Promise<number> {
  let holdfast: Holdfast | undefined;
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    const options = serveOptions(flags);
    // Which backup files are still there is looked for once it listens: on a 10,000-backup home that
    // check was most of the time to the first answer. Until it ends, the Backups list says "checking".
    holdfast = (await Holdfast.open(loadConfig(), { files: 'later', servesWithoutSchedules: flags.schedules === false })).holdfast;
    server = await startServer(holdfast, options);
  } catch (error) {
    holdfast?.close();
    const info = toErrorInfo(error);
    io.stderr(`holdfast serve: ${info.message}\n${info.hint ? `hint: ${info.hint}\n` : ''}`);
    return exitCodeFor(info.code);
  }
  // serve is the headless host: it runs the schedules unless told another process does.
  const log = (message: string) => {
    io.stderr(`${new Date().toISOString()} holdfast serve: ${message}\n`);
    holdfast?.logger.log('info', `serve: ${message}`);
  };
  // The signal handlers go in before the first tick can start a backup (see the daemon).
  const stop = untilStopSignal(() => io.stderr('holdfast serve: already stopping.\n'));
  io.stdout(`Holdfast UI: ${server.url}\n`);
  if (flags.insecure && !flags.tlsCert) io.stderr('holdfast serve: warning: --insecure: tokens and backups cross the network unencrypted.\n');
  // The schedules and the file check start once the first request is answered (or after two seconds):
  // their first steps hold the thread, and on a 10,000-backup home they held the first answer ~0.5 s.
  let stopping = false;
  const ready = firstAnswerOrTimeout(Promise.race([server.firstAnswer, stop.stopped.then(() => undefined)]), START_CHORES_AFTER_MS);
  const schedules = ready.then(() => {
    if (stopping || flags.schedules === false) {
      if (!stopping) log('--no-schedules: this process runs no schedules (the desktop app or holdfast daemon must)');
      return undefined;
    }
    return startSchedulingHost(holdfast, { kind: 'serve', log });
  });
  const fileCheck = schedules.then(() => (stopping ? undefined : checkFilesInBackground(holdfast, log)));
  // Loaded while the build that started it is there: an upgrade's rebuild removes its chunks (core/process/first-use.ts).
  void ready
    .then(loadEverythingNow)
    .then(() => log('loaded the code it would load on first use: a rebuild under it can no longer take that away'))
    .catch((error: unknown) => log(`could not load the code it loads on first use (operations, remote media, email, age, metrics): ${toErrorInfo(error).message}`));
  await stop.stopped;
  stopping = true;
  // The check writes to the catalogue: it ends before the catalogue closes.
  await Promise.all([server.close(), schedules.then((host) => host?.stop(SCHEDULE_GRACE_MS)), fileCheck]);
  holdfast.close();
  stop.dispose();
  return 0;
}
