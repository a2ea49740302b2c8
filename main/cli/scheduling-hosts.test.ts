// The hosts `holdfast daemon` and `holdfast serve` start (core/schedule/host.ts), against a real engine
// and catalogue with an injected clock: retention happens at its slot, the heartbeat says who runs
// the schedules (and goes when the host stops), health names it, an overdue slot or a password the
// host cannot read makes the profile unhealthy. The desktop's own host is in electron/desktop.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ScheduleHostStore } from '../core/catalogue/hosts.ts';
import { loadConfig } from '../core/config/config.ts';
import { Holdfast } from '../core/holdfast.ts';
import { processStartToken } from '../core/process/liveness.ts';
import { startHeartbeat } from '../core/schedule/heartbeat.ts';
import { startSchedulingHost, type SchedulingHost } from '../core/schedule/host.ts';
import { NOTHING_RUNS_SCHEDULES, SERVED_WITHOUT_SCHEDULES, TICK_INTERVAL_MS } from '../core/schedule/host-status.ts';
import { clockedCron, seedBackup } from '../../test/support/clocked-cron.ts';
import { noKeychain } from '../../test/support/no-keychain.ts';
import { renderSchedulingHosts } from './schedule-hosts-view.ts';

let home: string;
let holdfast: Holdfast;
const hosts: SchedulingHost[] = [];
const KEY = 'holdfast-test-key-0123456789abcdef';

async function open(env: Record<string, string> = {}, secrets = true): Promise<Holdfast> {
  const config = loadConfig({ HOLDFAST_HOME: home, HOLDFAST_CONNECT_TIMEOUT_SECONDS: '1', HOLDFAST_VERIFY_SCHEDULE: 'off', ...env });
  return (await Holdfast.open(config, secrets ? {} : { secrets: noKeychain })).holdfast;
}

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'holdfast-hosts-'));
  holdfast = await open({}, false);
  await holdfast.addProfile({ name: 'shop', host: '127.0.0.1', port: 1, user: 'app', dbname: 'shop' });
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.stop(0)));
  holdfast.close();
  rmSync(home, { recursive: true, force: true });
});

/** 04:58 local time: the default BACKUP_CLEANUP_SCHEDULE is 05:00 in the system's zone. */
const beforeCleanup = () => new Date(2025, 2, 10, 4, 58, 0);

describe.each(['daemon', 'serve'] as const)('holdfast %s as the scheduling host', (kind) => {
  test('retention runs at its slot on the injected clock, not before', async () => {
    const cron = clockedCron(beforeCleanup());
    const backupDir = holdfast.config.backupDir;
    mkdirSync(backupDir, { recursive: true });
    // 40 days before the slot: past BACKUP_RETENTION_DAYS (30) at 05:00, so the slot deletes it.
    const old = seedBackup(holdfast.catalogue, backupDir, 'shop', new Date(beforeCleanup().getTime() - 40 * 86_400_000).toISOString());
    const kept = seedBackup(holdfast.catalogue, backupDir, 'shop', new Date(beforeCleanup().getTime() - 86_400_000).toISOString());
    const logged: string[] = [];
    hosts.push(startSchedulingHost(holdfast, { kind, log: (message) => logged.push(message), clock: cron.clock, cronTask: cron.schedule }));
    cron.advanceTo(new Date(2025, 2, 10, 4, 59, 59));
    expect(logged.filter((line) => line.startsWith('cleanup'))).toEqual([]);
    cron.advanceTo(new Date(2025, 2, 10, 5, 0, 0));
    // The first clean-up loads its code (main/core/on-demand.ts): from the sources, on a loaded machine, past poll's 1 s default.
    await expect.poll(() => logged.filter((line) => line.startsWith('cleanup')), { timeout: 20_000 }).toEqual(['cleanup: deleted 1 backup, 0 errors']);
    expect(existsSync(join(backupDir, old))).toBe(false);
    expect(holdfast.catalogue.findBackup(old)?.status).toBe('deleted');
    expect(holdfast.catalogue.findBackup(kept)?.status).toBe('completed');
  });

  test('its heartbeat names it while it runs, health names it, and stopping removes it', async () => {
    const cron = clockedCron(beforeCleanup());
    holdfast.addSchedule({ profile: 'shop', type: 'daily' }, cron.clock.now());
    const host = startSchedulingHost(holdfast, { kind, log: () => undefined, clock: cron.clock, cronTask: cron.schedule });
    const status = holdfast.schedulingStatus(cron.clock.now());
    const label = `holdfast ${kind} (pid ${process.pid} on ${hostname()})`;
    expect(status).toMatchObject({ activeSchedules: 1, warning: null, running: [{ kind, pid: process.pid, label, running: true }], stale: [] });
    const health = await holdfast.health(cron.clock.now());
    expect(health.scheduling.running.map((h) => h.label)).toEqual([label]);
    expect(health.reasons.map((r) => r.code)).not.toContain('NO_SCHEDULING_HOST');
    await host.stop(0);
    const after = holdfast.schedulingStatus(cron.clock.now());
    expect(after).toMatchObject({ running: [], stale: [], warning: NOTHING_RUNS_SCHEDULES });
    expect((await holdfast.health(cron.clock.now())).reasons).toContainEqual(expect.objectContaining({ code: 'NO_SCHEDULING_HOST', severity: 'degraded' }));
  });
});

describe('holdfast serve --no-schedules', () => {
  test('with nothing running the schedules, it says why it runs none and how to run them, never "start holdfast serve"', async () => {
    const served = (await Holdfast.open(loadConfig({ HOLDFAST_HOME: home, HOLDFAST_VERIFY_SCHEDULE: 'off' }), { secrets: noKeychain, servesWithoutSchedules: true })).holdfast;
    try {
      served.addSchedule({ profile: 'shop', type: 'daily' });
      const { warning } = served.schedulingStatus();
      expect(warning).toBe(SERVED_WITHOUT_SCHEDULES);
      expect(warning).toContain('`--no-schedules`');
      expect(warning).not.toMatch(/start[^;]*`holdfast serve`/);
      expect((await served.health()).reasons).toContainEqual(expect.objectContaining({ code: 'NO_SCHEDULING_HOST', message: expect.stringContaining('--no-schedules') }));
      // Another shell on the same home (a terminal) is not that serve: starting one is its advice.
      expect(holdfast.schedulingStatus().warning).toBe(NOTHING_RUNS_SCHEDULES);
    } finally {
      served.close();
    }
  });
});

describe('a host that stops beating', () => {
  const row = { kind: 'daemon' as const, hostName: hostname(), secretStore: 'keychain', startedAt: '2025-03-10T04:00:00.000Z', tickIntervalMs: TICK_INTERVAL_MS };

  test('killed (its process gone) is not running, whatever its last tick says; its row stays as "last seen"', () => {
    const exited = spawnSync(process.execPath, ['-e', '0']);
    const store = new ScheduleHostStore(holdfast.catalogue.db);
    const now = new Date();
    store.register({ ...row, id: 'killed', pid: exited.pid!, startToken: 'boot:1', lastTick: now.toISOString() });
    holdfast.addSchedule({ profile: 'shop', type: 'daily' });
    const status = holdfast.schedulingStatus(now);
    expect(status.running).toEqual([]);
    expect(status.stale).toEqual([expect.objectContaining({ pid: exited.pid, notRunning: 'its process is gone (killed, or the machine restarted)' })]);
    expect(status.warning).toBe(NOTHING_RUNS_SCHEDULES);
  });

  test('alive but silent for more than two ticks and slack is stale; within them it runs', () => {
    const store = new ScheduleHostStore(holdfast.catalogue.db);
    const lastTick = new Date('2025-03-10T05:00:00.000Z');
    store.register({ ...row, id: 'frozen', pid: process.pid, startToken: processStartToken(process.pid), lastTick: lastTick.toISOString() });
    const at = (ms: number) => holdfast.schedulingStatus(new Date(lastTick.getTime() + ms));
    expect(at(2 * TICK_INTERVAL_MS + 29_000).running).toHaveLength(1);
    expect(at(5 * TICK_INTERVAL_MS).stale).toEqual([expect.objectContaining({ notRunning: 'no heartbeat for 5 min' })]);
  });
});

describe('health', () => {
  test('a slot passed more than the grace ago without a run makes its profile unhealthy, and says nothing runs the schedules', async () => {
    const schedule = holdfast.addSchedule({ profile: 'shop', type: 'custom', cron: '0 1 * * *', timeZone: 'UTC' }, new Date('2025-03-10T00:00:00Z'));
    const early = await holdfast.health(new Date('2025-03-10T01:20:00Z'));
    expect(early.reasons.map((r) => r.code)).not.toContain('SCHEDULE_OVERDUE');
    const late = await holdfast.health(new Date('2025-03-10T02:00:00Z'));
    expect(late.status).toBe('unhealthy');
    expect(late.reasons).toContainEqual({
      code: 'SCHEDULE_OVERDUE',
      severity: 'unhealthy',
      profile: 'shop',
      message: `Schedule ${schedule.id} of profile "shop" was due at 2025-03-10 01:00 UTC (60 min ago) and has not run: ${NOTHING_RUNS_SCHEDULES}.`,
    });
  });
});

describe('credentials the host can reach', () => {
  test('a password stored in the keychain is not in the credentials file: the file host says so at start, health names the profile, and storing it there mends it', async () => {
    // What the UI did: a password stored in the keychain (the flag says Holdfast holds one).
    holdfast.catalogue.setKeychainPassword(holdfast.showProfile('shop').id, true);
    holdfast.addSchedule({ profile: 'shop', type: 'daily' });
    holdfast.close();
    // The daemon as the README's unit runs it: the credentials file, its key from the environment.
    holdfast = await open({ HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: KEY });
    const logged: string[] = [];
    const host = startSchedulingHost(holdfast, { kind: 'daemon', log: (message) => logged.push(message) });
    hosts.push(host);
    await expect
      .poll(() => holdfast.schedulingStatus().running[0]?.credentialProblems ?? [])
      .toEqual([
        expect.objectContaining({
          profile: 'shop',
          ok: false,
          problem: expect.stringContaining(`a password was stored for it, but not in the encrypted credentials file ${join(home, 'credentials.enc')}`),
        }),
      ]);
    expect(logged).toContainEqual(expect.stringContaining('scheduled backups of profile "shop" cannot get their password on this host'));
    const health = await holdfast.health();
    expect(health.status).toBe('unhealthy');
    expect(health.reasons).toContainEqual(expect.objectContaining({ code: 'CREDENTIAL_UNREACHABLE', profile: 'shop', message: expect.stringContaining(`holdfast daemon (pid ${process.pid}`) }));
    // What to do travels with it: in health's reason and in `holdfast schedule hosts`.
    expect(health.reasons.find((r) => r.code === 'CREDENTIAL_UNREACHABLE')?.message).toContain('--password-stdin');
    expect(renderSchedulingHosts(holdfast.schedulingStatus())).toMatch(/\n {4}hint: .*--password-stdin/);
    // `holdfast profile edit shop --password-stdin` on this host writes to its store: the file.
    await holdfast.editProfile('shop', { password: 's3cret' });
    // The next check (at the slot, or at the next start) finds it.
    await host.stop(0);
    hosts.splice(0);
    const again = startSchedulingHost(holdfast, { kind: 'daemon', log: () => undefined });
    hosts.push(again);
    await expect.poll(() => holdfast.schedulingStatus().running[0]?.credentialsCheckedAt ?? null).not.toBeNull();
    expect(holdfast.schedulingStatus().running[0]?.credentialProblems).toEqual([]);
    expect((await holdfast.health()).reasons.map((r) => r.code)).not.toContain('CREDENTIAL_UNREACHABLE');
  });

  test('a file host given no key refuses to store a password, saying what is missing; nothing is written', async () => {
    holdfast.close();
    holdfast = await open({ HOLDFAST_SECRET_STORE: 'file' });
    await expect(holdfast.editProfile('shop', { password: 's3cret' })).rejects.toMatchObject({
      code: 'NO_KEYCHAIN',
      message: `The password cannot be stored in the encrypted credentials file ${join(home, 'credentials.enc')}: The credentials file needs a key, and this host was given none.`,
      hint: expect.stringContaining('LoadCredential=holdfast-credentials-key:'),
    });
    expect(existsSync(join(home, 'credentials.enc'))).toBe(false);
    expect(holdfast.showProfile('shop').keychainPassword).toBe(false);
  });

  test('a file host whose key does not open the file is told to give the key the file was made with, not to make a new one', async () => {
    holdfast.close();
    holdfast = await open({ HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: KEY });
    await holdfast.editProfile('shop', { password: 's3cret' });
    holdfast.close();
    holdfast = await open({ HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'w'.repeat(32) });
    const refused = await holdfast.editProfile('shop', { password: 'other' }).then(
      () => undefined,
      (error: unknown) => error as { hint: string },
    );
    expect(refused?.hint).toContain('the key the file was made with');
    expect(refused?.hint).not.toContain('openssl rand');
  });

  test('before each slot: a tick checks the profiles whose slot comes within two ticks, not the others', async () => {
    holdfast.catalogue.setKeychainPassword(holdfast.showProfile('shop').id, true);
    holdfast.addSchedule({ profile: 'shop', type: 'custom', cron: '0 5 * * *', timeZone: 'UTC' }, new Date('2025-03-10T04:00:00Z'));
    let now = new Date('2025-03-10T04:50:00Z');
    const heartbeat = startHeartbeat(holdfast, { kind: 'daemon', clock: { now: () => now }, log: () => undefined });
    try {
      const checked = () => holdfast.schedulingStatus(now).running[0]?.credentialsCheckedAt ?? null;
      heartbeat.ticked();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(checked()).toBeNull();
      now = new Date('2025-03-10T04:58:30Z');
      heartbeat.ticked();
      await expect.poll(checked).toBe('2025-03-10T04:58:30.000Z');
      expect(holdfast.schedulingStatus(now).running[0]?.credentialProblems.map((c) => c.profile)).toEqual(['shop']);
    } finally {
      await heartbeat.stop();
    }
  });

  test('with no keychain reachable (a service without a D-Bus session) the problem names the keychain and why', async () => {
    holdfast.catalogue.setKeychainPassword(holdfast.showProfile('shop').id, true);
    holdfast.addSchedule({ profile: 'shop', type: 'daily' });
    hosts.push(startSchedulingHost(holdfast, { kind: 'daemon', log: () => undefined }));
    await expect.poll(() => holdfast.schedulingStatus().running[0]?.credentialProblems.map((c) => c.problem)).toEqual(['none (test) cannot be reached: no keychain in this test']);
  });
});
