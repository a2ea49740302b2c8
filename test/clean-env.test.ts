// The suites must not hand the developer's shell to what they start: a BACKUP_SLACK_WEBHOOK would post
// to a real channel, a BACKUP_DIR would put test dumps in the developer's backup folder, PG* variables
// would point libpq elsewhere and BACKUP_DAILY_SCHEDULE would change what a test expects. Here this
// process has all of them (the webhook points at a catcher that records every request), and neither a
// CLI child nor an engine opened through makeHome may see any.
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { settingsView } from '../main/core/config/settings-view.ts';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, processesMatching, profileFor, runCli, seedDatabase, startCli, usePrivateTmpdir, waitFor, type TestHome } from './support/holdfast-env.ts';

const privateTmp = usePrivateTmpdir();
const elsewhere = join(privateTmp.dir, 'developers-backup-dir');
let server: PgServer;
let catcher: Server;
let caught: string[] = [];
let home: TestHome;
let developerShell: Record<string, string>;
const saved: Record<string, string | undefined> = {};

/** What a child process started with, as the kernel keeps it. */
function environOf(pid: number): Record<string, string> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
}

/** The developer's variables a child's environment holds, with their values. */
function leakedInto(environ: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(developerShell).filter(([key, value]) => environ[key] === value));
}

beforeAll(async () => {
  mkdirSync(elsewhere);
  catcher = createServer((request, response) => {
    caught.push(`${request.method} ${request.url}`);
    response.end('ok');
  });
  await new Promise<void>((resolve) => catcher.listen(0, '127.0.0.1', resolve));
  developerShell = {
    BACKUP_SLACK_WEBHOOK: `http://127.0.0.1:${(catcher.address() as { port: number }).port}/slack`,
    BACKUP_DIR: elsewhere,
    BACKUP_DAILY_SCHEDULE: '7 7 * * *',
    PGHOST: '/var/run/developers-own-postgres',
    PGSERVICEFILE: join(privateTmp.dir, 'developers-pg_service.conf'),
  };
  for (const [key, value] of Object.entries(developerShell)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  server = await startPgServer();
  await seedDatabase(server, 'shop', 300);
  home = makeHome();
});

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  home?.cleanup();
  await server?.stop();
  await new Promise((resolve) => catcher?.close(resolve));
  privateTmp.remove();
});

describe("the developer's environment", () => {
  test('does not reach a CLI child: its environment, where its backup goes, what it notifies, its presets', async () => {
    const daemon = startCli(['daemon', '--grace', '1'], home.env);
    try {
      const pid = await waitFor('the daemon to start', () => (processesMatching('holdfast.mjs').includes(daemon.pid!) ? daemon.pid : undefined));
      expect(leakedInto(environOf(pid))).toEqual({});
    } finally {
      daemon.kill('SIGTERM');
      await new Promise((resolve) => daemon.once('close', resolve));
    }

    const added = await runCli(['profile', 'add', 'shop', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'shop'], home.env);
    expect(added.code, added.stderr).toBe(0);
    const backup = await runCli(['backup', 'shop', '--json'], home.env);
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout).path.startsWith(join(home.home, 'backups'))).toBe(true);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(caught).toEqual([]);
    const schedule = await runCli(['schedule', 'add', 'shop', '--daily', '--json'], home.env);
    expect(JSON.parse(schedule.stdout)).toMatchObject({ schedule: '0 2 * * *' });
  });

  test('does not reach an engine opened by makeHome, nor the client tools it starts', async () => {
    const engineHome = makeHome();
    const holdfast = await engineHome.open();
    try {
      await holdfast.addProfile(profileFor(server, 'shop', 'shop'));
      const settings = await settingsView(holdfast);
      expect(settings).toMatchObject({ backupDir: join(engineHome.home, 'backups'), notifications: { slack: false, on: 'none' }, schedules: { daily: '0 2 * * *' } });

      // pg_dump's own environment, while it waits on a locked table.
      const lock = await server.lockTable('shop', 'users');
      let environ: Record<string, string>;
      try {
        const pending = holdfast.backup('shop', { suffix: 'cleanenv' });
        const pid = await waitFor('pg_dump to start', () => processesMatching('-cleanenv.dump.tmp').find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('pg_dump')));
        environ = environOf(pid);
        await lock.end();
        await pending;
      } finally {
        await lock.end().catch(() => undefined);
      }
      expect(leakedInto(environ)).toEqual({});
      expect(environ.PGHOST).toBe(server.host);
      expect(existsSync(elsewhere) && readdirSync(elsewhere)).toEqual([]);
      expect(caught).toEqual([]);
    } finally {
      holdfast.close();
      engineHome.cleanup();
    }
  });
});
