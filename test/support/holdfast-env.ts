// A throwaway Holdfast: its own HOLDFAST_HOME in a temp dir, the real catalogue, the real client tools.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { loadConfig } from '../../main/core/config/config.ts';
import { Holdfast } from '../../main/core/holdfast.ts';
import { cleanEnv } from './clean-env.ts';
import { startPgServer, type PgServer } from './pg-server.ts';

export const projectRoot = resolve(import.meta.dirname, '..', '..');

export interface TestHome {
  home: string;
  env: Record<string, string>;
  open(extraEnv?: Record<string, string>): Promise<Holdfast>;
  cleanup(): void;
}

export function makeHome(extraEnv: Record<string, string> = {}): TestHome {
  const home = mkdtempSync(join(tmpdir(), 'holdfast-home-'));
  const env = { HOLDFAST_HOME: home, ...extraEnv };
  return {
    home,
    env,
    async open(more = {}) {
      const { holdfast } = await Holdfast.open(loadConfig(cleanEnv({ ...env, ...more })));
      return holdfast;
    },
    cleanup() {
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * Points this test file's temp dir (os.tmpdir(), and so the scratch servers, passfiles and the CLIs
 * it starts) at a directory of its own, so its leftover checks never see files of suites running at
 * the same time. Searchable by the postgres OS user, which test servers run as under root.
 */
export function usePrivateTmpdir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-test-tmp-'));
  chmodSync(dir, 0o755);
  process.env.TMPDIR = dir;
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function profileFor(server: PgServer, name: string, dbname: string) {
  return { name, host: server.host, port: server.port, user: server.user, dbname };
}

/** A database with the shapes that trip backup tools: hostile and mixed-case names, partitions, a large object. */
export async function seedDatabase(server: PgServer, dbname: string, rows = 2000): Promise<void> {
  await server.query(`CREATE DATABASE ${JSON.stringify(dbname)}`);
  await server.query(
    `
    CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, note text);
    INSERT INTO users (email, note) SELECT 'user' || g || '@example.com', CASE WHEN g % 7 = 0 THEN E'\\\\.' ELSE 'COPY users' END FROM generate_series(1, ${rows}) g;
    CREATE TABLE orders (id bigserial PRIMARY KEY, user_id int REFERENCES users(id), total numeric(12,2));
    INSERT INTO orders (user_id, total) SELECT (g % ${rows}) + 1, g * 1.5 FROM generate_series(1, ${rows * 2}) g;
    CREATE TABLE "x; $(touch /tmp/p)" (v text);
    INSERT INTO "x; $(touch /tmp/p)" VALUES ('$(touch /tmp/p)'), ('ok');
    CREATE SCHEMA "Sales";
    CREATE TABLE "Sales"."Quarterly Totals" (q int, amount int);
    INSERT INTO "Sales"."Quarterly Totals" SELECT g, g * 100 FROM generate_series(1, 4) g;
    CREATE TABLE events (at date NOT NULL, what text) PARTITION BY RANGE (at);
    CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    INSERT INTO events SELECT DATE '2024-06-01' + (g % 400), 'e' || g FROM generate_series(1, 500) g;
    CREATE VIEW user_emails AS SELECT email FROM users;
    CREATE SCHEMA "app.v2";
    CREATE TABLE "app.v2".users (id int);
    INSERT INTO "app.v2".users VALUES (1), (2), (3);
    SELECT lo_from_bytea(0, 'large object payload');
    `,
    dbname,
  );
}

export async function rowCount(server: PgServer, dbname: string, table: string): Promise<number> {
  const rows = await server.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`, dbname);
  return Number(rows[0]!.n);
}

/** Processes whose command line contains `needle` (Linux /proc). */
export function processesMatching(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(needle)) pids.push(Number(entry));
    } catch {
      // gone already
    }
  }
  return pids;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `holdfast` bin as a user would, in a clean environment with `env` on top. */
export function runCli(args: string[], env: Record<string, string>, options: { input?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'holdfast.mjs'), ...args], {
      env: cleanEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(options.input ?? '');
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

export function startCli(args: string[], env: Record<string, string>, options: { stdout?: boolean } = {}) {
  return spawn(process.execPath, [join(projectRoot, 'bin', 'holdfast.mjs'), ...args], { env: cleanEnv(env), stdio: ['ignore', options.stdout ? 'pipe' : 'ignore', 'ignore'] });
}

export interface ShopFixture {
  server: PgServer;
  home: TestHome;
  holdfast: Holdfast;
}

/** A server with the seeded "shop" database, a throwaway Holdfast, and its "shop" profile. */
export async function openShop(rows?: number, prepare?: (server: PgServer) => Promise<unknown>): Promise<ShopFixture> {
  const server = await startPgServer();
  await seedDatabase(server, 'shop', rows);
  await prepare?.(server);
  const home = makeHome();
  const holdfast = await home.open();
  await holdfast.addProfile(profileFor(server, 'shop', 'shop'));
  return { server, home, holdfast };
}

export async function closeShop(fixture: Partial<ShopFixture>): Promise<void> {
  fixture.holdfast?.close();
  fixture.home?.cleanup();
  await fixture.server?.stop();
}
