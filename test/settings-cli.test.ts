// `holdfast config` as a DBA uses it (issue 17 item 1): the real bin and a real server. A backup
// directory set with `config set` is where the next backup lands, with no restart of anything; a
// variable set in the environment is reported as the source and cannot be changed from here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, runCli, seedDatabase, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;

beforeAll(async () => {
  server = await startPgServer();
  await seedDatabase(server, 'app', 50);
  home = makeHome();
});

afterAll(async () => {
  home?.cleanup();
  await server?.stop();
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { ...home.env, ...env });

test('config set backup-dir: the next backup lands there; list and get say it is an app setting, and the audit log says who changed it from what', async () => {
  expect((await cli(['profile', 'add', 'app', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'app'])).code).toBe(0);
  const elsewhere = join(home.home, 'moved-backups');
  const set = await cli(['config', 'set', 'backup-dir', elsewhere]);
  expect(set.code, set.stderr).toBe(0);
  expect(set.stdout).toContain(`backup-dir = ${elsewhere}  (app setting, changed by`);

  const backup = await cli(['backup', 'app', '--json']);
  expect(backup.code, backup.stderr).toBe(0);
  const metadata = JSON.parse(backup.stdout);
  expect(metadata.path).toBe(join(elsewhere, metadata.filename));
  expect(existsSync(metadata.path)).toBe(true);

  const listed = JSON.parse((await cli(['config', 'list', '--json'])).stdout);
  expect(listed.find((entry: { name: string }) => entry.name === 'backup-dir')).toMatchObject({ value: elsewhere, source: 'app', variable: 'BACKUP_DIR' });
  expect(listed.find((entry: { name: string }) => entry.name === 'retention-days')).toMatchObject({ value: '30', source: 'default' });

  const audit = JSON.parse((await cli(['audit', '--json'])).stdout);
  expect(audit.find((entry: { action: string }) => entry.action === 'setting.set')).toMatchObject({ target: 'backup-dir', detail: { from: join(home.home, 'backups'), to: elsewhere } });

  // Back to the default: the next backup goes there again.
  expect((await cli(['config', 'unset', 'backup-dir'])).code).toBe(0);
  const again = JSON.parse((await cli(['backup', 'app', '--json'])).stdout);
  expect(again.path).toBe(join(home.home, 'backups', again.filename));
});

test('an environment variable wins: shown as the source, and config set refuses with exit 1, naming it', async () => {
  const fromEnv = join(home.home, 'env-backups');
  const got = await cli(['config', 'get', 'BACKUP_DIR'], { BACKUP_DIR: fromEnv });
  expect(got.code).toBe(0);
  expect(got.stdout).toContain(`backup-dir = ${fromEnv}  (environment; BACKUP_DIR)`);
  const refused = await cli(['config', 'set', 'backup-dir', join(home.home, 'x')], { BACKUP_DIR: fromEnv });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/environment variable BACKUP_DIR/);
  const bad = await cli(['config', 'set', 'retention-days', 'soon']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('retention-days');
});
