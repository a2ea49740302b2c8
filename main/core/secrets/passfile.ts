// How a stored password reaches pg_dump, pg_restore, psql and pg_dumpall: a passfile (0600, in a
// fresh 0700 directory) named by PGPASSFILE in that child's environment only. Never argv, never
// PGPASSWORD: both are readable from /proc.
// A profile that may not use libpq's own password files gets an empty one the same way, so no line
// of ~/.pgpass or the inherited PGPASSFILE (a wildcard one least of all) answers for it.
//
// Each child gets a file of its own, removed as soon as the child has connected: libpq reads the
// file once, while it builds the connection's options, before it opens its first socket, and a
// parallel pg_dump's or pg_restore's workers reuse the password the first connection read (measured
// with real pg_dump -j3, pg_restore -j3, pg_dumpall and psql against a scram-sha-256 server: all
// succeed with the file removed at their first socket, 30-90 ms after the spawn; without the file
// from the start pg_dump fails "no password supplied"). The operation's end removes what is left
// (a child that never connected), so does this process's exit, and a Holdfast killed before any of
// them leaves directories the next start removes (removeStalePassfiles).
//
// Where: the session's runtime directory when it has one (XDG_RUNTIME_DIR: tmpfs, private to its
// user, emptied at logout), else HOLDFAST_HOME/passfiles (0700, in the 0700 home) — never the shared
// /tmp, where a killed process's file sat until the next start, beside every other user's files.
import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureOwnPrivateDir } from '../fsutil/dir-ownership.ts';
import { deadProcessDirs, processDirPrefix } from '../process/liveness.ts';
import { formatPgpassLine } from '../profiles/libpq-files.ts';

const PREFIX = 'holdfast-pass-';

/** How often a child's descriptors are looked at until it has a socket; a check costs a readdir of a few entries. */
const CONNECT_POLL_MS = 5;

/**
 * XDG_RUNTIME_DIR when it is what the XDG spec says it must be: an existing directory of this user
 * that no one else may enter. The variable outlives what it names: systemd removes /run/user/UID at
 * the last logout while a `holdfast daemon` in tmux runs on, and `su` hands root's (or the caller's)
 * to another user; every password backup then failed with ENOENT/EACCES, or wrote into a directory
 * someone else owns.
 */
function privateRuntimeDir(): string | undefined {
  const dir = process.env.XDG_RUNTIME_DIR;
  if (!dir) return undefined;
  try {
    const info = statSync(dir);
    const mine = process.getuid === undefined || info.uid === process.getuid();
    return info.isDirectory() && mine && (info.mode & 0o077) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The runtime directory when the session has a private one (tmpfs: the file never reaches a disk), else the home's own. */
export function passfileRoot(home: string): string {
  return privateRuntimeDir() ?? join(home, 'passfiles');
}

/** Every passfile this process wrote and has not removed: only these are ever removed on a child's connect. */
const written = new Set<string>();

/** What is left when the process exits (a child that never connected, an operation cut short by exit()). */
function removeWrittenAtExit(): void {
  for (const path of written) rmSync(dirname(path), { recursive: true, force: true });
  written.clear();
}
let exitHookInstalled = false;

export interface Passfile {
  /** Extra environment for one child: PGPASSFILE naming a file of its own, and PGPASSWORD removed. */
  env(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Removes every file env() wrote that is still there. */
  remove(): Promise<void>;
}

/** `password` undefined: empty files, which libpq reads as "no password here". `home`: HOLDFAST_HOME. */
export async function createPassfile(target: { user: string }, password: string | undefined, home: string): Promise<Passfile> {
  // Wildcards for host and port: the file serves this one profile only, and libpq looks a Unix-socket
  // connection up as "localhost", which a literal socket path would never match.
  const content = password === undefined ? '' : `${formatPgpassLine({ host: '*', port: '*', database: '*', user: target.user, password })}\n`;
  const mine = new Set<string>();
  const root = passfileRoot(home);
  // The session's runtime directory is its own to set up (0700 already); the home's is ours, and a
  // symlink or another user's directory planted there is refused rather than followed.
  if (root !== process.env.XDG_RUNTIME_DIR) await ensureOwnPrivateDir(root);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', removeWrittenAtExit);
  }
  return {
    env(base) {
      // mkdtemp makes the directory 0700; written synchronously so env() stays a plain function.
      const dir = mkdtempSync(join(root, processDirPrefix(PREFIX)));
      const path = join(dir, 'pgpass');
      writeFileSync(path, content, { mode: 0o600, flag: 'wx' });
      written.add(path);
      mine.add(path);
      const env: NodeJS.ProcessEnv = { ...base, PGPASSFILE: path };
      delete env.PGPASSWORD;
      return env;
    },
    async remove() {
      for (const path of mine) await removePassfile(path);
      mine.clear();
    },
  };
}

async function removePassfile(path: string): Promise<void> {
  written.delete(path);
  await rm(dirname(path), { recursive: true, force: true });
}

/** Whether the process has a socket beyond its standard streams (which Node may give it as socket pairs). */
function hasConnected(pid: number): boolean {
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    if (Number(fd) <= 2) continue;
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) return true;
    } catch {
      // closed between the listing and the look
    }
  }
  return false;
}

/**
 * A child started with one of this process's passfiles: the file is removed once the child has
 * connected (Linux, from /proc), or when it exits, whichever is first. A PGPASSFILE this process did
 * not write (a profile allowed libpq's own files) is never touched. Elsewhere the operation's end removes it.
 */
export function releasePassfileOnConnect(env: NodeJS.ProcessEnv | undefined, child: { pid?: number | undefined; exitCode: number | null; once(event: 'close', listener: () => void): unknown }): void {
  const path = env?.PGPASSFILE;
  if (!path || !written.has(path) || child.pid === undefined) return;
  const pid = child.pid;
  let timer: NodeJS.Timeout | undefined;
  const release = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (written.has(path)) void removePassfile(path);
  };
  child.once('close', release);
  if (process.platform !== 'linux') return;
  const look = () => {
    timer = undefined;
    if (!written.has(path) || child.exitCode !== null) return;
    let connected: boolean;
    try {
      connected = hasConnected(pid);
    } catch {
      return; // gone: 'close' removes it
    }
    if (connected) release();
    else timer = setTimeout(look, CONNECT_POLL_MS);
  };
  look();
}

/**
 * Passfile directories left by a Holdfast process that died (SIGKILL skips every finally and the exit
 * hook); the shared temp directory too, where versions before stop 29 wrote them.
 */
export async function removeStalePassfiles(home: string): Promise<string[]> {
  const removed: string[] = [];
  const roots = new Set([passfileRoot(home), join(home, 'passfiles'), tmpdir()]);
  for (const { path } of [...roots].flatMap((root) => deadProcessDirs(root, PREFIX))) {
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}
