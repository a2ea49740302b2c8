// Finds PostgreSQL client tools and picks the one that can dump a given server: pg_dump refuses a
// server newer than itself, so the client's major must be >= the server's.
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { basename, delimiter, join, resolve } from 'node:path';
import { HoldfastError } from '../model/errors.ts';
import { ProgramAnswers } from './program-answers.ts';

export const CLIENT_TOOLS = ['pg_dump', 'pg_restore', 'psql', 'pg_dumpall'] as const;
export type ClientTool = (typeof CLIENT_TOOLS)[number];

export interface ClientToolSet {
  dir: string;
  major: number;
  /** e.g. "15.18" */
  version: string;
  /** How it was found: explicit, bundled, PATH or a well-known install directory. */
  source: string;
  paths: Record<ClientTool, string>;
}

export interface DiscoverOptions {
  /** Settings or HOLDFAST_PG_BIN: when given, only this directory is used. */
  explicitDir?: string | undefined;
  /** Directories shipped with the app (build/pg/<platform> in development, resources/pg in a package). */
  bundledDirs?: string[];
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Versions already asked of the very same binaries (program-answers.ts); absent: each is asked. */
  answers?: ProgramAnswers;
}

const exe = (name: string, platform: NodeJS.Platform) => (platform === 'win32' ? `${name}.exe` : name);

function versionedSubdirs(parent: string, leaf: string[]): string[] {
  if (!existsSync(parent)) return [];
  try {
    return readdirSync(parent)
      .filter((name) => /^\d+(\.\d+)?$/.test(name))
      .sort((a, b) => Number(b) - Number(a))
      .map((name) => join(parent, name, ...leaf));
  } catch {
    return [];
  }
}

/** Candidate directories in priority order, as described in the README. */
export function candidateDirs(options: DiscoverOptions): Array<{ dir: string; source: string }> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  if (options.explicitDir) return [{ dir: resolve(options.explicitDir), source: 'explicit' }];
  const dirs: Array<{ dir: string; source: string }> = [];
  for (const dir of options.bundledDirs ?? []) dirs.push({ dir, source: 'bundled' });
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) dirs.push({ dir, source: 'PATH' });
  const wellKnown: string[] = [];
  if (platform === 'linux') {
    wellKnown.push(...versionedSubdirs('/usr/lib/postgresql', ['bin']), ...versionedSubdirs('/usr/pgsql', ['bin']));
    wellKnown.push(
      ...readdirSafe('/usr')
        .filter((n) => /^pgsql-\d+$/.test(n))
        .map((n) => join('/usr', n, 'bin')),
    );
  } else if (platform === 'darwin') {
    wellKnown.push(
      ...versionedSubdirs('/Applications/Postgres.app/Contents/Versions', ['bin']),
      ...versionedSubdirs('/Library/PostgreSQL', ['bin']),
      ...readdirSafe('/opt/homebrew/opt')
        .filter((n) => n.startsWith('postgresql@'))
        .map((n) => join('/opt/homebrew/opt', n, 'bin')),
      ...readdirSafe('/usr/local/opt')
        .filter((n) => n.startsWith('postgresql@'))
        .map((n) => join('/usr/local/opt', n, 'bin')),
    );
  } else if (platform === 'win32') {
    const programFiles = env.ProgramFiles ?? 'C:\\Program Files';
    wellKnown.push(...versionedSubdirs(join(programFiles, 'PostgreSQL'), ['bin']));
  }
  for (const dir of wellKnown) dirs.push({ dir, source: 'installed' });
  return dirs;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function parseToolVersion(output: string): { major: number; version: string } | undefined {
  // "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", "pg_dump (PostgreSQL) 17beta1", "... 9.6.24"
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const first = Number(match[1]);
  if (first < 10 && match[2] !== undefined) {
    return { major: first, version: [match[1], match[2], match[3]].filter(Boolean).join('.') };
  }
  return { major: first, version: match[2] === undefined ? String(first) : `${first}.${match[2]}` };
}

async function readVersion(bin: string, answers: ProgramAnswers): Promise<{ major: number; version: string } | undefined> {
  const { status, stdout } = await answers.ask(bin, ['--version'], 10_000);
  return status === 0 ? parseToolVersion(stdout) : undefined;
}

/** Every complete set of client tools found, newest major first; ties keep discovery order. */
export async function discoverClientTools(options: DiscoverOptions = {}): Promise<ClientToolSet[]> {
  const platform = options.platform ?? process.platform;
  const seen = new Set<string>();
  const found: ClientToolSet[] = [];
  const answers = options.answers ?? new ProgramAnswers(undefined);
  for (const { dir, source } of candidateDirs(options)) {
    const dumpPath = join(dir, exe('pg_dump', platform));
    if (!existsSync(dumpPath)) continue;
    let real: string;
    try {
      real = realpathSync(dumpPath);
    } catch {
      continue;
    }
    // Debian's /usr/bin/pg_dump is pg_wrapper, which picks a version by cluster settings at run
    // time; the versioned directories it points into are found on their own.
    if (seen.has(real) || basename(real) === 'pg_wrapper') continue;
    seen.add(real);
    const paths = Object.fromEntries(CLIENT_TOOLS.map((tool) => [tool, join(dir, exe(tool, platform))])) as Record<ClientTool, string>;
    if (!CLIENT_TOOLS.every((tool) => existsSync(paths[tool]))) continue;
    const version = await readVersion(dumpPath, answers);
    if (!version) continue;
    found.push({ dir, source, paths, ...version });
  }
  return found.sort((a, b) => b.major - a.major);
}

/**
 * The newest client whose major is at least `minimumMajor`. Fails before anything runs, naming both
 * versions and what to install.
 */
export function pickClientTools(toolSets: readonly ClientToolSet[], minimumMajor: number, purpose: string, explicitDir?: string): ClientToolSet {
  const pick = toolSets.find((set) => set.major >= minimumMajor);
  if (pick) return pick;
  const where = explicitDir ? ` in ${explicitDir} (HOLDFAST_PG_BIN)` : '';
  if (toolSets.length === 0) {
    throw new HoldfastError(
      'TOOL_MISSING',
      `No PostgreSQL client tools (pg_dump, pg_restore, psql, pg_dumpall) were found${where}.`,
      `Install postgresql-client-${minimumMajor} (Debian/Ubuntu), or set HOLDFAST_PG_BIN to a directory holding them.`,
    );
  }
  const newest = toolSets[0]!;
  throw new HoldfastError(
    'VERSION_MISMATCH',
    `${purpose} needs PostgreSQL client tools ${minimumMajor} or newer, but the newest found${where} is ${newest.version} (${newest.dir}).`,
    `Install postgresql-client-${minimumMajor} (or newer), or set HOLDFAST_PG_BIN to a directory with pg_dump ${minimumMajor}+.`,
  );
}
