import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { BackupMetadata } from '../core/model/types.ts';
import type { Clock, Scheduler } from '../core/schedule/scheduler.ts';
import type { Ticker } from '../core/schedule/ticker.ts';
import type { ScheduleTask } from '../core/verify/reverify.ts';
import { clockedCron, seedBackup } from '../../test/support/clocked-cron.ts';
import { invoke } from '../contract.ts';
import { Desktop, failureNotice, noticeFor, type Notice } from './desktop.ts';
import { settingsStore } from './desktop-settings.ts';
import type { LoginItem } from './login-item.ts';
import { openTempHoldfast, silentServer, type TempHoldfast } from './test-support.ts';
import type { TrayState } from './tray-model.ts';

let temp: TempHoldfast;
let server: Awaited<ReturnType<typeof silentServer>>;

beforeAll(async () => {
  temp = await openTempHoldfast();
  server = await silentServer();
  await temp.holdfast.addProfile({ name: 'silent', host: '127.0.0.1', port: server.port, user: 'app', dbname: 'shop' });
});
afterAll(async () => {
  temp.close();
  await server.close();
});

/** A stand-in for the engine's node-cron ticker: records what the desktop asks of it. */
class FakeTickers {
  readonly started: Array<{ stopped: boolean; resumed: number }> = [];
  start = (_scheduler: Scheduler): Ticker => {
    const ticker = { stopped: false, resumed: 0 };
    this.started.push(ticker);
    return { resumed: () => (ticker.resumed += 1), stop: () => (ticker.stopped = true) };
  };
  get running() {
    return this.started.filter((ticker) => !ticker.stopped).length;
  }
}

interface Harness {
  desktop: Desktop;
  tickers: FakeTickers;
  notices: Notice[];
  states: TrayState[];
  login: LoginItem & { enabled: boolean };
}

const desktops: Desktop[] = [];
afterEach(async () => {
  await Promise.all(desktops.splice(0).map((desktop) => desktop.stop(0)));
  writeFileSync(join(temp.home, 'desktop.json'), '{}');
});

async function startDesktop(clock?: Clock): Promise<Harness> {
  const tickers = new FakeTickers();
  const notices: Notice[] = [];
  const states: TrayState[] = [];
  const login = {
    enabled: false,
    isEnabled: () => login.enabled,
    setEnabled: (enabled: boolean) => (login.enabled = enabled),
  };
  const desktop = await Desktop.start({
    holdfast: temp.holdfast,
    settings: settingsStore(temp.home),
    loginItem: login,
    notify: (notice) => notices.push(notice),
    onState: (state) => states.push(state),
    startTicker: tickers.start,
    ...(clock ? { clock } : {}),
  });
  desktops.push(desktop);
  return { desktop, tickers, notices, states, login };
}

/** A quiet desktop with these cron tasks (and clock), whose log is kept. */
async function startWithCron(cron: { cronTask: ScheduleTask; clock?: Clock }) {
  const logged: string[] = [];
  const desktop = await Desktop.start({
    holdfast: temp.holdfast,
    settings: settingsStore(temp.home),
    loginItem: { isEnabled: () => false, setEnabled: () => undefined },
    notify: () => undefined,
    onState: () => undefined,
    startTicker: new FakeTickers().start,
    ...cron,
    log: (message) => logged.push(message),
  });
  desktops.push(desktop);
  return { desktop, logged };
}

/** A desktop whose cron tasks (retention, re-verification) are recorded, to be run by hand. */
async function startWithCronTasks() {
  const tasks: Array<{ expression: string; run: () => void; stopped: boolean }> = [];
  const started = await startWithCron({
    cronTask: (expression, run) => {
      const task = { expression, run, stopped: false };
      tasks.push(task);
      return { stop: () => (task.stopped = true) };
    },
  });
  return { ...started, tasks };
}

describe('Desktop', () => {
  test('starts ticking the scheduler and shows the tray state', async () => {
    const { tickers, states } = await startDesktop();
    expect(tickers.running).toBe(1);
    expect(states.at(-1)).toMatchObject({ status: 'ok', profiles: ['silent'], schedulesPaused: false, startAtLogin: false });
  });

  test('"Pause schedules" stops the ticker, survives a restart, and unpausing ticks again', async () => {
    const first = await startDesktop();
    await first.desktop.setSchedulesPaused(true);
    expect(first.tickers.running).toBe(0);
    expect(first.states.at(-1)?.schedulesPaused).toBe(true);
    expect(JSON.parse(readFileSync(join(temp.home, 'desktop.json'), 'utf8'))).toEqual({ schedulesPaused: true });
    first.desktop.resumed();
    expect(first.tickers.started[0]!.resumed).toBe(0);
    await first.desktop.stop(0);

    const second = await startDesktop();
    expect(second.desktop.schedulesPaused).toBe(true);
    expect(second.tickers.started).toHaveLength(0);
    await second.desktop.setSchedulesPaused(false);
    expect(second.tickers.running).toBe(1);
    second.desktop.resumed();
    expect(second.tickers.started[0]!.resumed).toBe(1);
  });

  test('"Back up now": running while it runs, then failed with a notification', async () => {
    const { desktop, states, notices } = await startDesktop();
    const result = await desktop.backupNow('silent');
    expect(result.ok).toBe(false);
    expect(states.some((state) => state.status === 'running' && state.busyProfiles.includes('silent'))).toBe(true);
    expect(states.at(-1)).toMatchObject({ status: 'failed', failedProfiles: ['silent'], busyProfiles: [] });
    expect(notices).toEqual([{ title: 'Holdfast: backup of silent failed', body: expect.any(String) }]);
  });

  test('a scheduled backup that fails raises a notification', async () => {
    const schedule = temp.holdfast.addSchedule({ profile: 'silent', type: 'daily' });
    const due = new Date(Date.parse((await schedule).nextRun!) + 1000);
    const { desktop, notices, states } = await startDesktop({ now: () => due });
    try {
      expect(desktop.scheduler.tick()).toHaveLength(1);
      await desktop.scheduler.whenIdle();
      expect(notices).toEqual([{ title: 'Holdfast: scheduled backup of silent failed', body: expect.any(String) }]);
      await vi.waitFor(() => expect(states.at(-1)).toMatchObject({ status: 'failed', busyProfiles: [] }));
    } finally {
      temp.holdfast.removeSchedule((await schedule).id);
    }
  });

  test("a backup from the window shows in the tray while it runs, learnt from the engine's events; it raises no notice (the window shows it)", async () => {
    const { states, notices } = await startDesktop();
    const before = states.length;
    const result = await invoke(temp.holdfast, 'backup.create', { profile: 'silent', options: {} });
    expect(result.ok).toBe(false);
    expect(states.slice(before).map((state) => state.busyProfiles)).toEqual([['silent'], []]);
    expect(states.at(-1)).toMatchObject({ status: 'failed', failedProfiles: ['silent'] });
    expect(notices).toEqual([]);
  });

  test('adding or removing a profile redraws the tray; calls that change nothing it shows do not', async () => {
    const { states } = await startDesktop();
    await temp.holdfast.addProfile({ name: 'other', host: '127.0.0.1', port: server.port, user: 'app', dbname: 'crm' });
    expect(states.at(-1)?.profiles).toEqual(['other', 'silent']);
    const count = states.length;
    temp.holdfast.removeSchedule(temp.holdfast.addSchedule({ profile: 'other', type: 'daily' }).id);
    expect(states).toHaveLength(count);
    await temp.holdfast.removeProfile('other');
    expect(states.at(-1)?.profiles).toEqual(['silent']);
  });

  test('a stopped desktop no longer listens to the engine', async () => {
    const { desktop, states } = await startDesktop();
    await desktop.stop(0);
    const count = states.length;
    await invoke(temp.holdfast, 'backup.create', { profile: 'silent', options: {} });
    expect(states).toHaveLength(count);
  });

  test('"Start at login" goes to the login item; a failure is reported, not thrown', async () => {
    const { desktop, login, states, notices } = await startDesktop();
    desktop.setStartAtLogin(true);
    expect(login.enabled).toBe(true);
    expect(states.at(-1)?.startAtLogin).toBe(true);
    login.setEnabled = () => {
      throw new Error('read-only home');
    };
    desktop.setStartAtLogin(false);
    expect(notices.at(-1)).toEqual({ title: 'Holdfast: could not change "Start at login"', body: 'read-only home' });
  });

  test('issue 12 D: stored backups are re-verified on HOLDFAST_VERIFY_SCHEDULE while the app runs; quitting stops that and waits for a run', async () => {
    const { desktop, tasks, logged } = await startWithCronTasks();
    expect(temp.holdfast.config.verifySchedule).not.toBeNull();
    const reverify = tasks.find((task) => task.expression === temp.holdfast.config.verifySchedule)!;
    reverify.run();
    await desktop.stop(0);
    expect(reverify.stopped).toBe(true);
    expect(logged).toContain('re-verification: 0 backups verified, 0 failed, 0 could not be read');
  });

  test('issue 13: the desktop app applies retention on BACKUP_CLEANUP_SCHEDULE like the daemon, also while schedules are paused', async () => {
    await settingsStore(temp.home).save({ schedulesPaused: true });
    const { desktop, tasks, logged } = await startWithCronTasks();
    expect(desktop.schedulesPaused).toBe(true);
    const cleanup = tasks.find((task) => task.expression === '0 5 * * *');
    expect(cleanup, tasks.map((task) => task.expression).join(', ')).toBeDefined();
    cleanup!.run();
    await desktop.stop(0);
    expect(cleanup!.stopped).toBe(true);
    expect(logged).toContain('cleanup: deleted 0 backups, 0 errors');
  });

  test('with an injected clock, retention deletes an expired backup at its 05:00 slot and not before; the heartbeat names the desktop while it ticks, not while paused', async () => {
    const cron = clockedCron(new Date(2025, 2, 10, 4, 58, 0));
    mkdirSync(temp.holdfast.config.backupDir, { recursive: true });
    const old = seedBackup(temp.holdfast.catalogue, temp.holdfast.config.backupDir, 'silent', new Date(2025, 1, 1).toISOString());
    const kept = seedBackup(temp.holdfast.catalogue, temp.holdfast.config.backupDir, 'silent', new Date(2025, 2, 9).toISOString());
    const { desktop, logged } = await startWithCron({ clock: cron.clock, cronTask: cron.schedule });
    expect(temp.holdfast.schedulingStatus(cron.clock.now()).running.map((host) => host.kind)).toEqual(['desktop']);
    cron.advanceTo(new Date(2025, 2, 10, 4, 59, 59));
    expect(logged.filter((line) => line.startsWith('cleanup'))).toEqual([]);
    cron.advanceTo(new Date(2025, 2, 10, 5, 0, 0));
    // The first clean-up loads its code (main/core/on-demand.ts): from the sources, on a loaded machine, past poll's 1 s default.
    await expect.poll(() => logged.filter((line) => line.startsWith('cleanup')), { timeout: 20_000 }).toEqual(['cleanup: deleted 1 backup, 0 errors']);
    expect(temp.holdfast.catalogue.findBackup(old)?.status).toBe('deleted');
    expect(temp.holdfast.catalogue.findBackup(kept)?.status).toBe('completed');
    await desktop.setSchedulesPaused(true);
    expect(temp.holdfast.schedulingStatus(cron.clock.now()).running).toEqual([]);
  });

  test('stop ends the ticker and the scheduler', async () => {
    const { desktop, tickers } = await startDesktop();
    expect(await desktop.stop(10)).toEqual({ finished: 0, interrupted: 0 });
    expect(tickers.running).toBe(0);
    expect(desktop.scheduler.tick()).toEqual([]);
  });
});

describe('noticeFor', () => {
  const backup = { filename: 'backup-prod.dump', size: 2048 } as BackupMetadata;
  const error = { code: 'CONNECTION_FAILED' as const, message: 'no route to host' };
  test('tray backups end with a notice either way; scheduled failures and failed drills raise one; window backups and scheduled successes do not', () => {
    expect(noticeFor({ kind: 'backup.completed', profile: 'prod', backup, trigger: { kind: 'tray' } })).toEqual({ title: 'Holdfast: backup of prod completed', body: 'backup-prod.dump (2.0 KB)' });
    expect(noticeFor({ kind: 'backup.failed', profile: 'prod', database: 'shop', error, trigger: { kind: 'tray' } })).toEqual({ title: 'Holdfast: backup of prod failed', body: 'no route to host' });
    expect(noticeFor({ kind: 'backup.failed', profile: 'prod', database: 'shop', error, trigger: { kind: 'schedule', scheduleId: 's1', catchUp: false } })?.title).toBe(
      'Holdfast: scheduled backup of prod failed',
    );
    expect(noticeFor({ kind: 'schedule.drillFailed', scheduleId: 's1', profile: 'prod', database: 'shop', message: 'its restore drill failed' })?.body).toBe('its restore drill failed');
    expect(noticeFor({ kind: 'backup.completed', profile: 'prod', backup, trigger: { kind: 'schedule', scheduleId: 's1', catchUp: false } })).toBeUndefined();
    expect(noticeFor({ kind: 'backup.failed', profile: 'prod', database: 'shop', error, trigger: { kind: 'manual' } })).toBeUndefined();
  });
});

describe('failureNotice', () => {
  test('names the profile and keeps the body short', () => {
    const notice = failureNotice('prod', 'x'.repeat(1000), 'scheduled');
    expect(notice.title).toBe('Holdfast: scheduled backup of prod failed');
    expect(notice.body.length).toBeLessThanOrEqual(240);
  });
});

describe('settingsStore', () => {
  test('defaults when missing or unreadable; saved 0600', async () => {
    const log = vi.fn();
    const store = settingsStore(temp.home, log);
    writeFileSync(join(temp.home, 'desktop.json'), '{ not json');
    expect(await store.load()).toEqual({ schedulesPaused: false });
    expect(log).toHaveBeenCalledWith(expect.stringContaining('desktop.json'));
    await store.save({ schedulesPaused: true });
    expect(await store.load()).toEqual({ schedulesPaused: true });
    expect(statSync(join(temp.home, 'desktop.json')).mode & 0o777).toBe(0o600);
    expect(await settingsStore(join(temp.home, 'nowhere')).load()).toEqual({ schedulesPaused: false });
  });
});
