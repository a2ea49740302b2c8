// Retention, stats, health and notifications through the real CLI against a real server; Slack is a
// local HTTP server that records what it receives (the one stand-in: Slack cannot exist here).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startPgServer, type PgServer } from './support/pg-server.ts';
import { makeHome, runCli, seedDatabase, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let slack: Server;
let slackUrl: string;
const received: Array<{ path: string; body: { text: string } }> = [];

async function body(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text;
}

beforeAll(async () => {
  server = await startPgServer();
  await seedDatabase(server, 'shop', 100);
  slack = createServer((request, response) => {
    void body(request).then((text) => {
      received.push({ path: request.url ?? '', body: JSON.parse(text) });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  slackUrl = `http://127.0.0.1:${(slack.address() as { port: number }).port}/services/T000/B000/secret-token`;
  home = makeHome({ BACKUP_SLACK_WEBHOOK: slackUrl });
  const added = await runCli(['profile', 'add', 'shop', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'shop'], home.env);
  expect(added.code, added.stderr).toBe(0);
});

afterAll(async () => {
  slack?.close();
  home?.cleanup();
  await server?.stop();
});

const cli = (...args: string[]) => runCli(args, home.env);

describe('notifications, stats, health, retention', () => {
  test('Slack hears about a success and a failure (with the error and hint), and the webhook URL is never printed', async () => {
    expect((await cli('backup', 'shop')).code).toBe(0);
    expect((await cli('profile', 'add', 'ghost', '--host', server.host, '--port', String(server.port), '--user', server.user, '--dbname', 'nope')).code).toBe(0);
    const failed = await cli('backup', 'ghost');
    expect(failed.code).toBe(1);
    expect(received).toHaveLength(2);
    expect(received[0]!.path).toBe('/services/T000/B000/secret-token');
    expect(received[0]!.body.text).toContain('shop');
    expect(received[1]!.body.text).toContain('ghost');
    expect(received[1]!.body.text).toContain('"nope" does not exist');
    expect(received[1]!.body.text).toContain("Check the profile's dbname");
    expect(failed.stderr).not.toContain('secret-token');
    const log = readFileSync(join(home.home, 'logs', 'holdfast.log'), 'utf8');
    expect(log).toContain('"msg":"backup completed"');
    expect(log).toContain('"msg":"backup failed"');
    expect(log).not.toContain('secret-token');
  });

  test("stats and health in the specification's shapes; health names the failing profile and exits 1", async () => {
    const stats = JSON.parse((await cli('stats', '--json')).stdout);
    expect(stats).toMatchObject({ totalBackups: 1, successfulBackups: 1, failedBackups: 1, compressionUsage: 100 });
    for (const field of ['totalSize', 'oldestBackup', 'newestBackup', 'averageSize', 'backupsLast24Hours', 'backupsLast7Days', 'averageDuration']) expect(stats).toHaveProperty(field);
    const health = await cli('health', '--json');
    expect(health.code).toBe(1);
    const report = JSON.parse(health.stdout);
    // A failed last run makes its profile unhealthy, and the overall verdict with it (issue 17 item 7: one rule for both).
    expect(report).toMatchObject({ status: 'unhealthy', totalBackups: 1, hasRecentBackup: true });
    expect(report.profiles).toEqual(expect.arrayContaining([{ profile: 'ghost', status: 'unhealthy' }]));
    expect(report.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'LAST_RUN_FAILED', profile: 'ghost' })]));
    expect((await cli('profile', 'remove', 'ghost')).code).toBe(0);
    const healthy = await cli('health', '--json');
    expect(JSON.parse(healthy.stdout).status, healthy.stdout).toBe('healthy');
    expect(healthy.code).toBe(0);
  });

  test('cleanup --dry-run lists what goes and why; the real run deletes files but never the newest backup', async () => {
    for (let i = 0; i < 2; i += 1) expect((await cli('backup', 'shop')).code).toBe(0);
    const listed = JSON.parse((await cli('list', 'shop', '--json')).stdout) as Array<{ id: string; path: string }>;
    expect(listed).toHaveLength(3);
    const dry = await cli('cleanup', '--policy', 'gfs:1d', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan).toMatchObject({ dryRun: true, deleted: 2 });
    expect(plan.profiles[0].decisions.filter((d: { action: string }) => d.action === 'keep')).toEqual([
      expect.objectContaining({ id: listed[2]!.id, reasons: expect.arrayContaining(['newest good full backup of the profile']) }),
    ]);
    expect(listed.every((b) => existsSync(b.path))).toBe(true);
    const real = JSON.parse((await cli('cleanup', '--policy', 'gfs:1d', '--json')).stdout);
    expect(real).toMatchObject({ dryRun: false, deleted: 2, errors: 0 });
    expect(listed.map((b) => existsSync(b.path))).toEqual([false, false, true]);
    expect(JSON.parse((await cli('list', 'shop', '--json')).stdout)).toHaveLength(1);
    const audit = JSON.parse((await cli('audit', '--json')).stdout) as Array<{ action: string }>;
    expect(audit.filter((e) => e.action === 'retention.delete')).toHaveLength(2);
    const bad = await cli('cleanup', '--policy', 'forever');
    expect(bad.code).toBe(2);
  });

  test("which policy cleanup applies: --policy, else the schedule's --retention, else BACKUP_RETENTION_DAYS", async () => {
    const policyOf = async (args: string[], env: Record<string, string> = {}) => {
      const result = await runCli(['cleanup', 'shop', '--dry-run', '--json', ...args], { ...home.env, ...env });
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout).profiles[0].policy as string;
    };
    expect(await policyOf([])).toBe('30d');
    expect(await policyOf([], { BACKUP_RETENTION_DAYS: '7' })).toBe('7d');
    const added = await cli('schedule', 'add', 'shop', '--weekly', '--retention', 'gfs:4w,6m', '--json');
    expect(added.code, added.stderr).toBe(0);
    expect(await policyOf([], { BACKUP_RETENTION_DAYS: '7' })).toBe('gfs:4w,6m');
    expect(await policyOf(['--policy', '14d'])).toBe('14d');
    expect((await cli('schedule', 'remove', JSON.parse(added.stdout).id)).code).toBe(0);
  });

  test('retention preview: a year of daily backups under GFS', async () => {
    const preview = JSON.parse((await cli('retention-preview', '--policy', 'gfs:7d,4w,12m', '--json')).stdout);
    expect(preview.policy).toBe('gfs:7d,4w,12m');
    expect(preview.simulated).toMatchObject({ backups: 365, cadence: 'At 02:00' });
    expect(preview.simulated.keptCount).toBeGreaterThanOrEqual(19);
    expect(preview.simulated.keptCount).toBeLessThanOrEqual(23);
  });
});
