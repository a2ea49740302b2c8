// The way an encrypted backup's plaintext leaves pg_dump: a FIFO in a private directory, read on a
// thread of its own (fsutil/hashed-read.ts), instead of pg_dump's stdout read by this thread.
//
// Why (issue 15, bench row 9): stdout is a socket of ~200 kB that this thread reads between
// everything else it does (the archive's walk, the encryption, zlib's callbacks, garbage
// collection). Whenever it is busy for longer than pg_dump takes to fill that socket, pg_dump waits:
// sampled during encrypted backups, pg_dump spent 23–41% of its time blocked writing (wchan
// sock_alloc_send_pskb) on a loaded 2-core machine, and ~0% writing to a file. A thread that does
// nothing but read the FIFO (blocking reads, into a ring of shared memory several MiB deep) drains
// it as fast as pg_dump writes, whatever this thread is doing.
//
// A FIFO holds no byte on disk: the kernel passes the data from writer to reader in memory, as it
// does a pipe's, so no plaintext reaches a disk. It lives in a fresh 0700 directory named for this
// process (process/liveness.ts); the backup removes it, and a start after a Holdfast that was killed
// removes those of dead processes (removeStaleDumpPipes).
//
// This side holds the FIFO open for writing until pg_dump has exited, and opens its read end at once,
// before pg_dump starts, for the reading thread to read: an open in the thread would come after the
// thread started, and a pg_dump that fails in milliseconds (a --table matching nothing) could have
// exited and this side let go by then, leaving that open waiting for a writer for ever (the backup,
// and Ctrl-C, hung). The reader sees the end only once pg_dump is done and this side has let go. pg_dump is told --no-sync: it would fsync its
// --file at the end, which a FIFO refuses (EINVAL), failing the dump; the encrypted file is synced
// when the backup is sealed.
import { execFile } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readHashed, type HashedRead } from '../fsutil/hashed-read.ts';
import { processDirPrefix, removeDeadProcessDirs } from '../process/liveness.ts';

const PREFIX = 'holdfast-pipe-';
/** How far pg_dump may run ahead of this thread: 32 slots of 256 kB. */
const SLOT_BYTES = 256 * 1024;
const SLOTS = 32;

/**
 * The FIFO's buffer: 1 MiB, Linux's limit for an unprivileged process (/proc/sys/fs/pipe-max-size),
 * instead of the kernel's 64 KiB, so pg_dump can run 1 MiB ahead of the reading thread and that
 * thread can let it fill rather than wake for every few kB (fsutil/hashed-read.ts). Node cannot call
 * fcntl(F_SETPIPE_SZ), so perl does (part of every Debian, Ubuntu and RHEL base system), on the FIFO
 * this process holds open, so the pipe and its size outlive perl. Without perl the FIFO keeps 64 KiB:
 * slower, never wrong. Alternated rounds beside a raw pg_dump on a loaded 2-core machine, encrypted
 * backups: 1.291 paired median against 1.398 with 64 KiB (6 rounds, better in 4).
 */
const PIPE_BYTES = 1024 * 1024;
const F_SETPIPE_SZ = 1031;
// Opened without waiting for a writer: pg_dump may have come and gone, and this side let go, by then.
const SET_PIPE_SIZE = `use Fcntl; sysopen(my $f, $ARGV[0], O_RDONLY | O_NONBLOCK) or exit 3; my $size = fcntl($f, ${F_SETPIPE_SZ}, $ARGV[1] + 0) or exit 4; print $size;`;

/** The pipe's new size, or 0 where it could not be set (not Linux, no perl, a lower limit). */
function enlargePipe(path: string): Promise<number> {
  if (process.platform !== 'linux') return Promise.resolve(0);
  return new Promise((resolve) =>
    execFile('perl', ['-e', SET_PIPE_SIZE, path, String(PIPE_BYTES)], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 10_000 }, (error, stdout) =>
      resolve(error ? 0 : Number(stdout) || 0),
    ),
  );
}

export interface DumpPipe {
  /** The FIFO: pg_dump's --file. */
  readonly path: string;
  /** pg_dump has exited (or never started): the reader gets the end once it has read what is left. */
  closeWriter(): void;
  /** How many bytes the FIFO holds once enlarged (0: it keeps the kernel's default); asked beside pg_dump's start. */
  readonly enlarged: Promise<number>;
  /** The read end, opened before pg_dump starts; whoever takes it closes it (remove() does, if none took it). */
  takeReadEnd(): number;
  /** Closes what is still open and removes the FIFO and its directory. */
  remove(): Promise<void>;
}

function makeFifo(path: string): Promise<boolean> {
  return new Promise((resolve) => execFile('mkfifo', ['-m', '600', path], (error) => resolve(error === null)));
}

/** pg_dump's --no-sync, which a FIFO needs, is from PostgreSQL 10 on. */
const FIRST_CLIENT_WITH_NO_SYNC = 10;

/**
 * A FIFO for the output of pg_dump `clientMajor`, or undefined where there is none to be had
 * (Windows, no mkfifo, an older pg_dump, a temp dir that refuses it): the caller reads stdout instead.
 */
export async function openDumpPipe(clientMajor: number): Promise<DumpPipe | undefined> {
  if (process.platform === 'win32' || clientMajor < FIRST_CLIENT_WITH_NO_SYNC) return undefined;
  let dir: string;
  try {
    dir = await mkdtemp(join(tmpdir(), processDirPrefix(PREFIX)));
  } catch {
    return undefined;
  }
  const path = join(dir, 'pg_dump.out');
  let held: number | undefined;
  let readEnd: number | undefined;
  try {
    if (!(await makeFifo(path))) throw new Error('mkfifo failed');
    // O_RDWR: a FIFO opened so never waits for the other end (Linux and macOS); with it held, the
    // read end's open finds a writer and returns at once too.
    held = openSync(path, constants.O_RDWR);
    readEnd = openSync(path, constants.O_RDONLY);
  } catch {
    if (held !== undefined) closeSync(held);
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }
  // Not waited for before pg_dump starts: pg_dump connects and reads the catalogue before it writes.
  const enlarged = enlargePipe(path);
  const closeWriter = () => {
    if (held === undefined) return;
    closeSync(held);
    held = undefined;
  };
  return {
    path,
    enlarged,
    closeWriter,
    takeReadEnd() {
      const fd = readEnd;
      readEnd = undefined;
      if (fd === undefined) throw new Error(`${path} was already handed to a reader`);
      return fd;
    },
    async remove() {
      closeWriter();
      if (readEnd !== undefined) closeSync(readEnd);
      readEnd = undefined;
      await enlarged;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The FIFO read on its own thread, each chunk lent to `readers` that let go of it, and hashed there. */
export function readDumpPipe(pipe: DumpPipe, readers: number): HashedRead {
  const read = readHashed(pipe.path, { slotSize: SLOT_BYTES, slots: SLOTS, readers, pacing: true, fd: pipe.takeReadEnd() });
  void pipe.enlarged.then((bytes) => bytes > 0 && read.writerMayRunAhead(bytes));
  return read;
}

/**
 * What to say when pg_dump exited 0 but its output is not a complete dump (message, hint). Read from
 * its FIFO (`pipePath`): pg_dump wrote all of it and a FIFO gives each byte to one reader, so the
 * likely cause is another process of this user (or root) that opened the FIFO and read part of it.
 * The check is what caught it (the backup is not kept); this names the cause it cannot prove.
 */
export function incompleteDump(problem: string, pipePath: string | undefined): [string, string] {
  if (pipePath === undefined) return [`pg_dump exited 0 but its output is not a complete dump: ${problem}`, 'Check free disk space and the client tools, then run the backup again.'];
  const pipesDir = dirname(dirname(pipePath));
  return [
    `pg_dump exited 0, but the output Holdfast read from it through its pipe (${pipePath}) is not a complete dump: ${problem}. pg_dump wrote all of it, so another process may have opened that pipe and read part of it; nothing was kept.`,
    `Run the backup again; if it fails again the same way, look for a process of this user (or root) that opens the holdfast-pipe-* FIFOs under ${pipesDir} (lsof +D ${pipesDir}), and stop it: it reads the dump's plaintext.`,
  ];
}

/** FIFO directories left by a Holdfast process that died. */
export function removeStaleDumpPipes(): Promise<string[]> {
  return removeDeadProcessDirs(tmpdir(), PREFIX);
}
