// Throwaway PostgreSQL servers (initdb + pg_ctl in a temp directory, removed by stop() — also after a
// failure), in two shapes:
// - startSandboxServer, for restore drills, which restore untrusted dumps: no TCP port at all, only a
//   Unix socket inside the server's own 0700 directory; under root it runs as the `holdfast-sandbox`
//   OS user in a network namespace of its own (server-user.ts). Its bootstrap superuser has a random
//   name; the dump's content is restored by an ordinary role (sandbox-roles.ts).
// - startScratchServer, for the test suites, the demo and the bench: loopback TCP on a free port,
//   trust or scram-sha-256, running as `postgres` under root. Never used for a dump Holdfast did not make.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HoldfastError } from '../model/errors.ts';
import { deadProcessDirs, processDirPrefix } from '../process/liveness.ts';
import { binariesRunnableBy, type ServerBinaries } from './server-binaries.ts';
import { asOsUser, ensureSandboxUser, networkNamespacesWork, osUserIds, requireOsUser, runningAsRoot, SANDBOX_USER, SHARED_SERVER_USER } from './server-user.ts';

export { availableServerMajors, findServerBinaries, type ServerBinaries } from './server-binaries.ts';

const run = promisify(execFile);

export interface ScratchServer {
  readonly binaries: ServerBinaries;
  /** A loopback address, or (sandbox) the directory holding the server's Unix socket. */
  readonly host: string;
  readonly port: number;
  /** The bootstrap superuser. */
  readonly user: string;
  readonly root: string;
  stop(): Promise<void>;
}

/** How a sandbox is kept apart from the host, for the drill's report. */
export interface SandboxIsolation {
  /** The OS user the server runs as. */
  osUser: string;
  /** "none": a network namespace without interfaces; "host": the host's network, but no TCP port is opened. */
  network: 'none' | 'host';
}

export interface SandboxServer extends ScratchServer {
  readonly isolation: SandboxIsolation;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Launch {
  binaries: ServerBinaries;
  root: string;
  osUser: string | undefined;
  superuser: string;
  initArgs: string[];
  isolateNetwork: boolean;
}

/** initdb, then pg_ctl start with the options `serverOptions` gives for each try (a TCP port taken meanwhile gets another try). */
async function launch(spec: Launch, serverOptions: () => Promise<{ options: string; port: number }>): Promise<{ port: number; stop: () => Promise<void> }> {
  const { binaries, root, osUser } = spec;
  const dataDir = join(root, 'data');
  let started = false;
  // Once only, however often it is asked for (a cancel and the caller's finally may both stop it).
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      try {
        if (started) await run(...asOsUser(osUser, join(binaries.binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']));
      } catch {
        // Already gone; the directory still goes.
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    })());
  try {
    await run(...asOsUser(osUser, join(binaries.binDir, 'initdb'), ['-D', dataDir, '-U', spec.superuser, '--no-sync', '-E', 'UTF8', '--locale=C', ...spec.initArgs]));
    rmSync(join(root, 'pw'), { force: true });
    for (let attempt = 1; ; attempt += 1) {
      const { options, port } = await serverOptions();
      try {
        await run(...asOsUser(osUser, join(binaries.binDir, 'pg_ctl'), ['-D', dataDir, '-o', options, '-l', join(root, 'log'), '-w', 'start'], spec.isolateNetwork));
        started = true;
        return { port, stop };
      } catch (error) {
        // freePort() closes its probe before the server binds: another process may take the port in between.
        if (attempt >= 5 || !/could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(logTail(root) + String((error as { stderr?: string }).stderr))) throw error;
      }
    }
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    const log = logTail(root);
    await stop();
    throw new HoldfastError(
      'TOOL_MISSING',
      `Could not start a scratch PostgreSQL ${binaries.major} (${binaries.binDir}): ${detail}${log ? `\n${log}` : ''}`,
      'Check the server binaries and free disk space in the temp directory.',
    );
  }
}

/** The last lines of the server's log, which say why it did not start. */
function logTail(root: string): string {
  try {
    return readFileSync(join(root, 'log'), 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    return '';
  }
}

function makeRoot(parent: string | undefined, prefix: string, owner: { uid: number; gid: number } | undefined): string {
  const root = mkdtempSync(join(parent ?? tmpdir(), prefix));
  chmodSync(root, 0o700);
  if (owner) chownSync(root, owner.uid, owner.gid);
  return root;
}

export interface ScratchOptions {
  /** Temp directory name prefix (tests use their own, to tell their servers from drills'). */
  prefix?: string;
  /** Where the temp directory is made (default os.tmpdir()); as root, the postgres user must be able to traverse it. */
  parent?: string;
  /** `trust` (default) or scram-sha-256 on loopback TCP with this superuser password. */
  superPassword?: string;
}

/** A loopback TCP server for tests, the demo and the bench, with superuser `postgres`. */
export async function startScratchServer(binaries: ServerBinaries, options: ScratchOptions = {}): Promise<ScratchServer> {
  const osUser = runningAsRoot ? SHARED_SERVER_USER : undefined;
  const owner = osUser ? requireOsUser(osUser) : undefined;
  const runnable = await binariesRunnableBy(binaries, osUser);
  const root = makeRoot(options.parent, options.prefix ?? 'holdfast-scratch-', owner);
  const user = 'postgres';
  const initArgs = ['-A', 'trust'];
  if (options.superPassword !== undefined) {
    const pwFile = join(root, 'pw');
    writeFileSync(pwFile, options.superPassword, { mode: 0o600 });
    if (owner) chownSync(pwFile, owner.uid, owner.gid);
    initArgs.push(`--pwfile=${pwFile}`, '--auth-host=scram-sha-256', '--auth-local=trust');
  }
  const { port, stop } = await launch({ binaries: runnable, root, osUser, superuser: user, initArgs, isolateNetwork: false }, async () => {
    const port = await freePort();
    return { port, options: `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40` };
  });
  return { binaries: runnable, host: '127.0.0.1', port, user, root, stop };
}

/**
 * A drill's sandbox: reachable only through the Unix socket in its own 0700 directory, by the OS user
 * Holdfast runs as (and root); no TCP listener at all. Under root, as `holdfast-sandbox` in a network
 * namespace where the kernel allows one.
 */
export async function startSandboxServer(binaries: ServerBinaries): Promise<SandboxServer> {
  const osUser = runningAsRoot ? SANDBOX_USER : undefined;
  const owner = osUser ? await ensureSandboxUser() : undefined;
  const [runnable, isolateNetwork] = await Promise.all([binariesRunnableBy(binaries, osUser), networkNamespacesWork()]);
  // Named after this process, so the next Holdfast can tell a sandbox left by one that died (removeStaleSandboxes).
  const root = makeRoot(undefined, processDirPrefix(SANDBOX_PREFIX), owner);
  // A name no dump's roles file will bring along.
  const user = `holdfast_sandbox_${randomBytes(6).toString('hex')}`;
  // The port only names the socket file (.s.PGSQL.5432); nothing listens on TCP.
  const port = 5432;
  const { stop } = await launch({ binaries: runnable, root, osUser, superuser: user, initArgs: ['--auth-local=trust', '--auth-host=reject'], isolateNetwork }, async () => ({
    port,
    options: `-p ${port} -k ${root} -c listen_addresses= -c unix_socket_permissions=0700 -c fsync=off -c max_connections=40`,
  }));
  return { binaries: runnable, host: root, port, user, root, stop, isolation: { osUser: osUser ?? currentOsUser(), network: isolateNetwork ? 'none' : 'host' } };
}

function currentOsUser(): string {
  return userInfo().username;
}

const SANDBOX_PREFIX = 'holdfast-scratch-';

/**
 * Sandboxes left by a Holdfast that died mid-drill (SIGKILL skips every finally, and pg_ctl detaches
 * the server): their server still runs, with the dump's code and a restored copy of the data in its
 * directory. Each is stopped (immediate shutdown of the postmaster its postmaster.pid names, if that
 * process is a postgres of that data directory) and its directory removed. Called as Holdfast starts.
 */
export async function removeStaleSandboxes(parent = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  // Ours or the sandbox user's only (deadProcessDirs checks the owner).
  const sandboxUid = runningAsRoot ? osUserIds(SANDBOX_USER)?.uid : undefined;
  for (const { path: root, uid } of deadProcessDirs(parent, SANDBOX_PREFIX, [process.getuid?.(), sandboxUid])) {
    try {
      await endPostmaster(join(root, 'data'));
      // What the sandbox user owns is removed as that user, so a symlink in it never leads root elsewhere;
      // root then removes the emptied directory (its parent may not be the sandbox user's to change).
      if (sandboxUid !== undefined && uid === sandboxUid) {
        const entries = readdirSync(root).map((entry) => join(root, entry));
        if (entries.length > 0) await run(...asOsUser(SANDBOX_USER, 'rm', ['-rf', '--', ...entries]));
      }
      rmSync(root, { recursive: true, force: true });
      removed.push(root);
    } catch {
      // Already going: left alone.
    }
  }
  return removed;
}

async function endPostmaster(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !isPostmasterOf(pid, dataDir)) return;
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return;
  }
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (!isPostmasterOf(pid, dataDir)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** Whether `pid` is a postgres started with `-D dataDir` (so a reused pid is never signalled). */
function isPostmasterOf(pid: number, dataDir: string): boolean {
  try {
    if (process.platform === 'linux') {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return args.some((arg, i) => arg === '-D' && args[i + 1] === dataDir);
    }
    // No /proc: ps names the command line.
    return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' }).includes(` -D ${dataDir} `);
  } catch {
    return false;
  }
}
