// `holdfast serve`: prints the URL with its token and serves until SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import { loadConfig } from '../core/config/config.ts';
import { exitCodeFor, HoldfastError, toErrorInfo } from '../core/model/errors.ts';
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

/** The start-up file check, after listening: what it found goes to the log, as a CLI start prints it. */
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
    holdfast = (await Holdfast.open(loadConfig(), { files: 'later' })).holdfast;
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
  const schedules = flags.schedules === false ? undefined : startSchedulingHost(holdfast, { kind: 'serve', log });
  if (!schedules) log('--no-schedules: this process runs no schedules (the desktop app or holdfast daemon must)');
  io.stdout(`Holdfast UI: ${server.url}\n`);
  const fileCheck = checkFilesInBackground(holdfast, log);
  if (flags.insecure && !flags.tlsCert) io.stderr('holdfast serve: warning: --insecure: tokens and backups cross the network unencrypted.\n');
  await stop.stopped;
  // The check writes to the catalogue: it ends before the catalogue closes.
  await Promise.all([server.close(), schedules?.stop(SCHEDULE_GRACE_MS), fileCheck]);
  holdfast.close();
  stop.dispose();
  return 0;
}
