// What the scheduler promises across processes, against a real server and real processes:
// - two hosts on one HOLDFAST_HOME (the desktop app and a daemon, or two daemons) that tick at the
//   same moment take a slot once: the second's claim of a slot the first has taken fails;
// - BACKUP_CONCURRENCY, read from the environment, is how many scheduled backups run at once;
// - resuming a paused schedule starts from its next slot, never a catch-up of the ones it missed.
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { StartedRun } from '../main/core/schedule/scheduler.ts';
import { cleanEnv } from './support/clean-env.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, profileFor, projectRoot, runCli, waitFor, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(200, async (pg) => {
    for (const db of ['branch_a', 'branch_b']) {
      await pg.query(`CREATE DATABASE ${db}`);
      await pg.query('CREATE TABLE users (id int PRIMARY KEY); INSERT INTO users SELECT generate_series(1, 50)', db);
    }
  }));
  await holdfast.addProfile(profileFor(server, 'branch_a', 'branch_a'));
  await holdfast.addProfile(profileFor(server, 'branch_b', 'branch_b'));
});

afterAll(() => closeShop({ server, home, holdfast }));

/** The backup runs a schedule started, oldest first. */
function scheduledRuns(scheduleId: string) {
  return holdfast.catalogue.listRuns({ kind: 'backup' }).filter((r) => (r.detail?.trigger as { scheduleId?: string } | undefined)?.scheduleId === scheduleId);
}

/** The catalogue as another process sees it. */
function catalogueDb(): Database.Database {
  const db = new Database(join(home.home, 'catalogue.sqlite'));
  db.pragma('busy_timeout = 5000');
  return db;
}

function setNextRun(id: string, at: string): void {
  const db = catalogueDb();
  try {
    db.prepare('UPDATE schedules SET next_run = ? WHERE id = ?').run(at, id);
  } finally {
    db.close();
  }
}

interface Daemon {
  child: ChildProcess;
  stderr(): string;
  stop(): Promise<number | null>;
}

/** `holdfast daemon` as a service manager starts it, in a clean environment with `env` on top. */
async function startDaemon(env: Record<string, string> = {}): Promise<Daemon> {
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'holdfast.mjs'), 'daemon', '--grace', '30'], { env: cleanEnv({ ...home.env, ...env }), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  await waitFor(
    'the daemon to start',
    () => {
      if (child.exitCode !== null) throw new Error(`holdfast daemon exited ${child.exitCode}: ${stderr}`);
      // Its heartbeat is written: "started" is said before, and a daemon killed in between left no row (a flaky kill test).
      return stderr.includes('runs the schedules') || undefined;
    },
    60_000,
  );
  return {
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('two hosts on one HOLDFAST_HOME', () => {
  test('ticking at the same moment in two engines, a slot runs once: the one that claims it second gets nothing', async () => {
    const clock = { now: () => new Date('2025-03-01T01:00:30Z') };
    const schedule = holdfast.addSchedule({ profile: 'shop', type: 'custom', cron: '0 1 * * *', timeZone: 'UTC', options: { suffix: 'oneslot' } }, new Date('2025-03-01T00:00:00Z'));
    // Another process's engine: its own connection to the same catalogue.
    const other = await home.open();
    const here = holdfast.createScheduler(clock);
    const there = other.createScheduler(clock);
    let startedHere: StartedRun[] = [];
    try {
      // The other host's tick is caught where a second host can lose the race: it has read the due
      // schedules and found the profile idle; this host's tick claims the slot right then.
      const idle = other.isProfileBusy.bind(other);
      other.isProfileBusy = (profile: string) => {
        const busy = idle(profile);
        if (startedHere.length === 0) startedHere = here.tick();
        return busy;
      };
      const startedThere = there.tick();
      expect(startedHere).toEqual([expect.objectContaining({ scheduleId: schedule.id, dueAt: '2025-03-01T01:00:00.000Z' })]);
      expect(startedThere).toEqual([]);
      await Promise.all([here.whenIdle(), there.whenIdle()]);
    } finally {
      other.close();
    }
    expect(scheduledRuns(schedule.id).map((run) => run.status)).toEqual(['completed']);
    expect(holdfast.listSchedules().find((s) => s.id === schedule.id)).toMatchObject({ status: 'completed', nextRun: '2025-03-02T01:00:00.000Z' });
    holdfast.removeSchedule(schedule.id);
  });

  test('two daemons that tick on the same minute while the catalogue is busy take the slot once', async () => {
    const schedule = holdfast.addSchedule({ profile: 'shop', type: 'custom', cron: '0 3 * * *', timeZone: 'UTC', options: { suffix: 'twodaemons' } });
    setNextRun(schedule.id, '2099-01-01T03:00:00.000Z');
    const daemons = await Promise.all([startDaemon(), startDaemon()]);
    try {
      // Both tick at the top of every minute. Just before the next one, the slot becomes due and a
      // write lock is taken on the catalogue: both daemons read the due slot at the minute, both wait to
      // claim it, and both get the lock in turn when it is released.
      const msToMinute = () => 60_000 - (Date.now() % 60_000);
      if (msToMinute() < 5_000) await new Promise((resolve) => setTimeout(resolve, msToMinute() + 100));
      const db = catalogueDb();
      try {
        db.prepare('UPDATE schedules SET next_run = ? WHERE id = ?').run('2025-01-01T03:00:00.000Z', schedule.id);
        db.exec('BEGIN IMMEDIATE');
        // Held into the next minute, well under the daemons' 5 s busy timeout.
        await new Promise((resolve) => setTimeout(resolve, msToMinute() + 2_000));
        db.exec('ROLLBACK');
      } finally {
        db.close();
      }
      await waitFor('the slot to be taken and finished', () => holdfast.listSchedules().find((s) => s.id === schedule.id && s.status === 'completed'), 60_000);
    } finally {
      const codes = await Promise.all(daemons.map((daemon) => daemon.stop()));
      expect(codes, daemons.map((daemon) => daemon.stderr()).join('\n')).toEqual([0, 0]);
    }
    expect(scheduledRuns(schedule.id).map((run) => run.status)).toEqual(['completed']);
    // The other daemon never started the slot (a second start would have been refused as a conflict, and logged).
    expect(daemons.map((daemon) => (daemon.stderr().match(/backup of shop \w+/g) ?? []).join())).toEqual(expect.arrayContaining(['backup of shop completed', '']));
    holdfast.removeSchedule(schedule.id);
  }, 180_000);
});

describe('who runs the schedules (heartbeats), as `holdfast schedule list` and `holdfast health --json` say it', () => {
  const keyring = Boolean(process.env.HOLDFAST_TEST_KEYRING);

  async function scheduleList(env: Record<string, string> = home.env): Promise<string> {
    const listed = await runCli(['schedule', 'list'], env);
    expect(listed.code, listed.stderr).toBe(0);
    return listed.stdout;
  }

  test('a running daemon is named with its pid and last tick; stopped, it is gone and the list says nothing runs the schedules', async () => {
    const schedule = holdfast.addSchedule({ profile: 'shop', type: 'custom', cron: '0 3 * * *', timeZone: 'UTC', options: { suffix: 'heartbeat' } });
    const daemon = await startDaemon();
    try {
      const label = `holdfast daemon (pid ${daemon.child.pid} on ${hostname()})`;
      expect(await scheduleList()).toContain(`Schedules are run by ${label}, last tick `);
      const health = await runCli(['health', '--json'], home.env);
      expect(JSON.parse(health.stdout).scheduling).toMatchObject({ warning: null, running: [{ kind: 'daemon', pid: daemon.child.pid, label }] });
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
    expect(await scheduleList()).toContain('warning: nothing is running these schedules: start the desktop app, `holdfast daemon` or `holdfast serve`');
    const health = JSON.parse((await runCli(['health', '--json'], home.env)).stdout);
    expect(health.reasons).toContainEqual(expect.objectContaining({ code: 'NO_SCHEDULING_HOST' }));
    holdfast.removeSchedule(schedule.id);
  }, 120_000);

  test('a killed daemon is not taken for a running one: its heartbeat stays, its process is gone', async () => {
    const schedule = holdfast.addSchedule({ profile: 'shop', type: 'custom', cron: '0 3 * * *', timeZone: 'UTC', options: { suffix: 'killed' } });
    const daemon = await startDaemon();
    daemon.child.kill('SIGKILL');
    await daemon.stop();
    const listed = await scheduleList();
    expect(listed).toContain(`warning: nothing is running these schedules`);
    expect(listed).toContain(`(last: holdfast daemon (pid ${daemon.child.pid} on ${hostname()})`);
    expect(listed).toContain('its process is gone');
    holdfast.removeSchedule(schedule.id);
  }, 120_000);

  test.skipIf(!keyring)(
    'issue: a password stored in the keychain, a daemon with no D-Bus session: the list says which profile and why; the credentials file mends it',
    async () => {
      const schedule = holdfast.addSchedule({ profile: 'shop', type: 'custom', cron: '0 3 * * *', timeZone: 'UTC', options: { suffix: 'keychain' } });
      // Stored from a desktop session (the real gnome-keyring of test/with-keyring.sh).
      const stored = await runCli(['profile', 'edit', 'shop', '--password-stdin'], home.env, { input: 'shop-secret\n' });
      expect(stored.code, stored.stderr).toBe(0);
      // systemd starts the daemon with no session bus.
      const noSession = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/holdfast-test-bus' };
      let daemon = await startDaemon(noSession);
      try {
        await waitFor('the daemon to check the credentials', async () => ((await scheduleList()).includes('cannot get the password') ? true : undefined), 30_000);
        expect(await scheduleList()).toMatch(/warning: holdfast daemon \(pid \d+ on .*\) cannot get the password of profile "shop": OS keychain \(keytar\) cannot be reached/);
        expect(daemon.stderr()).toContain('scheduled backups of profile "shop" cannot get their password on this host');
      } finally {
        expect(await daemon.stop()).toBe(0);
      }
      // The README's way: the credentials file, its key from LoadCredential= (here the variable), the password put there.
      const fileStore = { ...noSession, HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'an-example-key-of-32-characters!!' };
      const put = await runCli(['profile', 'edit', 'shop', '--password-stdin'], cleanEnv({ ...home.env, ...fileStore }), { input: 'shop-secret\n' });
      expect(put.code, put.stderr).toBe(0);
      daemon = await startDaemon(fileStore);
      try {
        await waitFor(
          'the daemon to check the credentials',
          async () => ((await runCli(['schedule', 'hosts', '--json'], home.env)).stdout.includes('credentialsCheckedAt": "') ? true : undefined),
          30_000,
        );
        expect(await scheduleList()).not.toContain('cannot get the password');
      } finally {
        expect(await daemon.stop()).toBe(0);
      }
      holdfast.removeSchedule(schedule.id);
    },
    180_000,
  );
});

describe('BACKUP_CONCURRENCY', () => {
  test("read from the daemon's environment: with 2, two of three due backups run at once and the third waits", async () => {
    const profiles = ['shop', 'branch_a', 'branch_b'];
    const schedules = profiles.map((profile) => holdfast.addSchedule({ profile, type: 'custom', cron: '0 3 * * *', timeZone: 'UTC', options: { suffix: 'concurrency' } }));
    for (const schedule of schedules) setNextRun(schedule.id, '2025-01-01T03:00:00.000Z');
    // Every dump blocks on its database's locked table, so the ones that start stay running.
    const locks = await Promise.all(['shop', 'branch_a', 'branch_b'].map((db) => server.lockTable(db, 'users')));
    let daemon: Daemon | undefined;
    try {
      daemon = await startDaemon({ BACKUP_CONCURRENCY: '2' });
      // The start-up tick starts both in one go; the next tick is a minute away.
      const running = await waitFor(
        'two scheduled backups to run',
        () => {
          const now = holdfast.runningBackups();
          return now.length === 2 ? now : undefined;
        },
        60_000,
      );
      expect(holdfast.runningBackups()).toHaveLength(2);
      const waiting = profiles.filter((profile) => !running.some((run) => run.profile === profile));
      expect(waiting).toHaveLength(1);
      const still = holdfast.listSchedules().find((s) => s.profile === waiting[0]);
      expect(still).toMatchObject({ status: 'scheduled', nextRun: '2025-01-01T03:00:00.000Z' });
    } finally {
      await Promise.all(locks.map((lock) => lock.end()));
      expect(await daemon?.stop()).toBe(0);
    }
    expect(schedules.map((schedule) => scheduledRuns(schedule.id).map((run) => run.status)).sort()).toEqual([[], ['completed'], ['completed']]);
    for (const schedule of schedules) holdfast.removeSchedule(schedule.id);
  }, 180_000);
});

describe('pause and resume', () => {
  test('resuming starts from the next slot: the slots missed while paused are not caught up', async () => {
    const schedule = holdfast.addSchedule({ profile: 'shop', type: 'custom', cron: '0 2 * * *', timeZone: 'UTC', options: { suffix: 'resumed' } }, new Date('2025-04-01T00:00:00Z'));
    holdfast.setScheduleEnabled(schedule.id, false, new Date('2025-04-01T00:00:00Z'));
    const clock = { value: new Date('2025-04-05T12:00:00Z') };
    const scheduler = holdfast.createScheduler({ now: () => clock.value });
    // Four 02:00 slots passed while it was paused.
    expect(scheduler.tick()).toEqual([]);
    expect(holdfast.setScheduleEnabled(schedule.id, true, clock.value)).toMatchObject({ status: 'scheduled', nextRun: '2025-04-06T02:00:00.000Z' });
    expect(scheduler.tick()).toEqual([]);

    clock.value = new Date('2025-04-06T02:00:20Z');
    expect(scheduler.tick()).toEqual([expect.objectContaining({ scheduleId: schedule.id, catchUp: false, dueAt: '2025-04-06T02:00:00.000Z' })]);
    await scheduler.whenIdle();
    expect(scheduledRuns(schedule.id)).toEqual([
      expect.objectContaining({ status: 'completed', detail: expect.objectContaining({ trigger: { kind: 'schedule', scheduleId: schedule.id, catchUp: false } }) }),
    ]);
    holdfast.removeSchedule(schedule.id);
  });

  test('holdfast schedule resume: a slot that came due while paused is replaced by the next one', async () => {
    const added = await runCli(['schedule', 'add', 'shop', '--cron', '30 4 * * *', '--tz', 'UTC', '--suffix', 'cliresume', '--json'], home.env);
    expect(added.code, added.stderr).toBe(0);
    const { id } = JSON.parse(added.stdout);
    expect((await runCli(['schedule', 'pause', id], home.env)).code).toBe(0);
    // While paused, its stored slot went by.
    setNextRun(id, '2025-01-01T04:30:00.000Z');
    const resumed = await runCli(['schedule', 'resume', id, '--json'], home.env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const nextRun = Date.parse(JSON.parse(resumed.stdout).nextRun);
    expect(nextRun).toBeGreaterThan(Date.now());
    expect(new Date(nextRun).toISOString()).toMatch(/T04:30:00\.000Z$/);
    // A host ticking now has nothing to catch up.
    expect(holdfast.createScheduler().tick()).toEqual([]);
    holdfast.removeSchedule(id);
  });
});
