// Schedules against a real server: catch-up with real backups, no overlap with a manual backup,
// stalled dumps, and the headless daemon's start-up catch-up and graceful stop.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, runCli, startCli, type TestHome, waitFor } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(200));
});

afterAll(() => closeShop({ server, home, holdfast }));

/** The backup runs a schedule started, oldest first. */
function scheduledRuns(scheduleId: string) {
  return holdfast.catalogue.listRuns({ kind: 'backup' }).filter((r) => (r.detail?.trigger as { scheduleId?: string } | undefined)?.scheduleId === scheduleId);
}

function forceDue(id: string) {
  const db = new Database(join(home.home, 'catalogue.sqlite'));
  db.prepare('UPDATE schedules SET next_run = ? WHERE id = ?').run('2020-01-01T02:00:00.000Z', id);
  db.close();
}

describe('schedules', () => {
  test('CLI: add, list with a description, and invalid input refused with nothing stored', async () => {
    const added = await runCli(['schedule', 'add', 'shop', '--daily', '--tz', 'Europe/Berlin', '--json'], home.env);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ profile: 'shop', type: 'daily', schedule: '0 2 * * *', description: 'At 02:00', timeZone: 'Europe/Berlin', status: 'scheduled' });
    for (const args of [
      ['schedule', 'add', 'shop', '--cron', '0 25 * * *'],
      ['schedule', 'add', 'shop', '--cron', '* * *'],
      ['schedule', 'add', 'shop', '--daily', '--weekly'],
      ['schedule', 'add', 'shop', '--daily', '--tz', 'Mars/Olympus'],
      ['schedule', 'add', 'shop', '--daily', '--retention', 'bogus'],
    ]) {
      const refused = await runCli(args, home.env);
      expect(refused.code, args.join(' ')).toBe(2);
    }
    const listed = JSON.parse((await runCli(['schedule', 'list', '--json'], home.env)).stdout);
    expect(listed).toHaveLength(1);
    // What its backups are written as, beside where they go: the DBA's review could not see the compression.
    expect(listed[0].output).toEqual({ format: 'custom', compression: 'gzip', compressionFrom: 'default' });
    expect((await runCli(['schedule', 'list'], home.env)).stdout).toContain('custom format, gzip (the default) · copies:');
    // The same schedule again would only dump the database twice at 02:00: refused, naming the first.
    const twice = await runCli(['schedule', 'add', 'shop', '--daily', '--tz', 'Europe/Berlin', '--json'], home.env);
    expect(twice.code).toBe(1);
    expect(JSON.parse(twice.stdout)).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining(listed[0].id), hint: expect.stringContaining('Pause or remove') } });
    expect(JSON.parse((await runCli(['schedule', 'list', '--json'], home.env)).stdout)).toHaveLength(1);
    const paused = await runCli(['schedule', 'pause', listed[0].id, '--json'], home.env);
    expect(JSON.parse(paused.stdout)).toMatchObject({ status: 'paused', nextRun: null });
    expect((await runCli(['schedule', 'remove', listed[0].id], home.env)).code).toBe(0);
  });

  test('schedule edit changes only what it is given: --encrypt-to keeps the format, compression, suffix, retention and drills; --no-encrypt and --inherit-encryption after it', async () => {
    const recipient = 'age1aa9h7vld60sx4yvw46v7w8ppxjacjsakfthqudffwlm7kf65x9xqpznwr8';
    const added = await runCli(
      [
        'schedule',
        'add',
        'shop',
        '--cron',
        '15 1 * * *',
        '--format',
        'directory',
        '--jobs',
        '2',
        '--compress',
        'zstd:3',
        '--suffix',
        'nightly',
        '--exclude-table',
        'audit_*',
        '--retention',
        '14d',
        '--test-restore',
        '--json',
      ],
      home.env,
    );
    expect(added.code, added.stderr).toBe(0);
    const before = JSON.parse(added.stdout) as { id: string; options: Record<string, unknown>; retention: string; testRestore: boolean };
    const edit = async (...flags: string[]) => {
      const result = await runCli(['schedule', 'edit', before.id, ...flags, '--json'], home.env);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as typeof before;
    };
    const encrypted = await edit('--encrypt-to', recipient);
    expect(encrypted.options).toEqual({ ...before.options, encryptTo: [recipient] });
    expect(encrypted).toMatchObject({ retention: '14d', testRestore: true });
    expect((await edit('--no-encrypt')).options).toEqual({ ...before.options, encryptTo: 'none' });
    expect((await edit('--inherit-encryption')).options).toEqual(before.options);
    const contradiction = await runCli(['schedule', 'edit', before.id, '--encrypt-to', recipient, '--inherit-encryption'], home.env);
    expect(contradiction.code).toBe(2);
    expect(contradiction.stderr).toContain('contradict');
    expect((await runCli(['schedule', 'remove', before.id], home.env)).code).toBe(0);
  });

  test('a week offline: one real catch-up backup, named by the kind, then nothing until the next slot', async () => {
    const clockNow = { value: new Date('2025-01-01T00:00:00Z') };
    const schedule = holdfast.addSchedule({ profile: 'shop', type: 'daily', timeZone: 'UTC', testRestore: true }, clockNow.value);
    const scheduler = holdfast.createScheduler({ now: () => clockNow.value });
    clockNow.value = new Date('2025-01-08T09:00:00Z');
    expect(scheduler.tick()).toEqual([expect.objectContaining({ catchUp: true })]);
    await scheduler.whenIdle();
    expect(scheduler.tick()).toEqual([]);
    const view = holdfast.listSchedules().find((s) => s.id === schedule.id)!;
    expect(view).toMatchObject({ status: 'completed', catchUp: true, nextRun: '2025-01-09T02:00:00.000Z' });
    const runs = scheduledRuns(schedule.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'completed', detail: expect.objectContaining({ trigger: { kind: 'schedule', scheduleId: schedule.id, catchUp: true } }) });
    const taken = holdfast.catalogue.findBackup(runs[0]!.backupId!);
    expect(taken?.filename).toMatch(/-shop-daily\.dump$/);
    // The schedule asked for a restore drill after each backup.
    expect(taken?.restoreTest).toMatchObject({ status: 'passed' });
    holdfast.removeSchedule(schedule.id);
  });

  test('a manual backup while a scheduled one runs is refused with a clear message', async () => {
    const lock = await server.lockTable('shop', 'users');
    const clockNow = { value: new Date('2025-02-01T00:00:00Z') };
    const schedule = holdfast.addSchedule({ profile: 'shop', type: 'custom', cron: '0 * * * *', timeZone: 'UTC' }, clockNow.value);
    const scheduler = holdfast.createScheduler({ now: () => clockNow.value });
    try {
      clockNow.value = new Date('2025-02-01T01:00:00Z');
      expect(scheduler.tick()).toHaveLength(1);
      await waitFor('the scheduled backup to start', () => holdfast.isProfileBusy('shop') || undefined);
      await expect(holdfast.backup('shop', {})).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('already running') });
    } finally {
      await lock.end();
      await scheduler.whenIdle();
      holdfast.removeSchedule(schedule.id);
    }
    expect(holdfast.listSchedules()).toEqual([]);
  });

  test('a dump that writes nothing for BACKUP_STALL_SECONDS is ended and recorded as failed, naming the lock it waited for', async () => {
    const lock = await server.lockTable('shop', 'users');
    const stalled = await home.open({ BACKUP_STALL_SECONDS: '1' });
    try {
      // A stall shorter than the lock watch's first interval still names the lock in the way.
      await expect(stalled.backup('shop', { suffix: 'stall' })).rejects.toMatchObject({
        code: 'BACKUP_FAILED',
        message: expect.stringMatching(/no bytes were written for 1 s \(BACKUP_STALL_SECONDS\), waiting for a lock on public\.users held by pid \d+/),
      });
      expect(readdirSync(join(home.home, 'backups')).filter((f) => f.includes('stall'))).toEqual([]);
    } finally {
      stalled.close();
      await lock.end();
    }
  });

  test('the daemon catches up at start, and on SIGTERM lets a running backup finish within the grace period or interrupts it', async () => {
    const schedule = holdfast.addSchedule({ profile: 'shop', type: 'custom', cron: '0 3 * * *', timeZone: 'UTC', options: { suffix: 'daemon' } });
    forceDue(schedule.id);
    const first = startCli(['daemon', '--grace', '1'], home.env);
    const firstExit = new Promise<number | null>((resolve) => first.once('close', resolve));
    await waitFor('the catch-up backup', () => holdfast.listSchedules().find((s) => s.id === schedule.id && s.status === 'completed'), 30_000);
    first.kill('SIGTERM');
    expect(await firstExit).toBe(0);

    const lock = await server.lockTable('shop', 'users');
    try {
      forceDue(schedule.id);
      const second = startCli(['daemon', '--grace', '1'], home.env);
      const secondExit = new Promise<number | null>((resolve) => second.once('close', resolve));
      await waitFor('the second backup to start', () => holdfast.isProfileBusy('shop') || undefined, 30_000);
      second.kill('SIGTERM');
      expect(await secondExit).toBe(0);
    } finally {
      await lock.end();
    }
    const runs = scheduledRuns(schedule.id);
    expect(runs.map((r) => r.status)).toEqual(['completed', 'interrupted']);
    expect(readdirSync(join(home.home, 'backups')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    holdfast.removeSchedule(schedule.id);
  }, 90_000);

  test('on SIGTERM the daemon lets a running backup finish inside the grace period, then exits 0', async () => {
    const schedule = holdfast.addSchedule({ profile: 'shop', type: 'custom', cron: '0 3 * * *', timeZone: 'UTC', options: { suffix: 'graceful' } });
    const lock = await server.lockTable('shop', 'users');
    let locked = true;
    try {
      forceDue(schedule.id);
      const daemon = startCli(['daemon', '--grace', '60'], home.env);
      const exited = new Promise<number | null>((resolve) => daemon.once('close', resolve));
      await waitFor('the scheduled backup to start', () => holdfast.isProfileBusy('shop') || undefined, 30_000);
      daemon.kill('SIGTERM');
      // The backup is still blocked when the signal arrives; it finishes once the lock goes.
      await new Promise((r) => setTimeout(r, 500));
      expect(holdfast.isProfileBusy('shop')).toBe(true);
      await lock.end();
      locked = false;
      expect(await exited).toBe(0);
    } finally {
      if (locked) await lock.end();
    }
    const runs = scheduledRuns(schedule.id);
    expect(runs.map((r) => r.status)).toEqual(['completed']);
    expect(holdfast.catalogue.findBackup(runs[0]!.backupId!)?.filename).toMatch(/-shop-graceful\.dump$/);
    holdfast.removeSchedule(schedule.id);
  }, 90_000);
});
