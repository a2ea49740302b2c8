import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../main/cli/main.ts';
import { DEMO_DATABASE, makeDemoDir, seedDemoDatabase, startDemoServer, writePassfile, type DemoTarget } from './demo-server.ts';

const say = (text: string) => process.stderr.write(`\n\u001b[1m== ${text}\u001b[0m\n`);

const work = makeDemoDir();
process.env.HOLDFAST_HOME = join(work, 'home');
let stopServer: (() => Promise<void>) | undefined;
let target: DemoTarget;

async function holdfast(...args: string[]): Promise<void> {
  process.stdout.write(`\n$ holdfast ${args.join(' ')}\n`);
  const code = await main(['node', 'holdfast', ...args]);
  if (code !== 0) throw new Error(`holdfast ${args[0]} exited with ${code}`);
}

try {
  if (process.env.HOLDFAST_DEMO_URL) {
    const url = new URL(process.env.HOLDFAST_DEMO_URL);
    target = { host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), database: DEMO_DATABASE };
    say(`Using the server at ${target.host}:${target.port}`);
  } else {
    say('Starting a throwaway PostgreSQL 15 on a free loopback port');
    const server = await startDemoServer(work);
    ({ target } = server);
    stopServer = server.stop;
    say(`PostgreSQL 15 is up on ${target.host}:${target.port}`);
  }
  // The password reaches pg_dump the libpq way: a 0600 passfile named by PGPASSFILE.
  process.env.PGPASSFILE = writePassfile(work, target);
  say(`Seeded database ${await seedDemoDatabase(target)}`);

  await holdfast('profile', 'add', 'demo', '--host', target.host, '--port', String(target.port), '--user', target.user, '--dbname', 'holdfast_demo', '--tag', 'demo');
  await holdfast('backup', 'demo', '--suffix', 'manual');
  await holdfast('backup', 'demo', '--format', 'plain', '--suffix', 'daily');
  await holdfast('list');
  await holdfast('verify', await latestId());
  await holdfast('restore', await latestId(), '--to', 'demo', '--dbname', 'holdfast_demo_restored', '--create', '--dry-run');
  await holdfast('restore', await latestId(), '--to', 'demo', '--dbname', 'holdfast_demo_restored', '--create');
  say(`Done. The demo's catalogue and backups were in ${process.env.HOLDFAST_HOME} and are removed now.`);
} finally {
  await stopServer?.();
  rmSync(work, { recursive: true, force: true });
}

async function latestId(): Promise<string> {
  const { Holdfast } = await import('../main/core/holdfast.ts');
  const { loadConfig } = await import('../main/core/config/config.ts');
  const { holdfast: engine } = await Holdfast.open(loadConfig());
  try {
    const backups = engine.catalogue.listBackups();
    return backups[backups.length - 1]!.id;
  } finally {
    engine.close();
  }
}
