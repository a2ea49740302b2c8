// Editing a schedule and running it now, over a real SQLite catalogue; the backup runner here records
// calls (real backups run in the browser test, test/e2e/schedules-run-now.spec.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BackupOptionsSchema } from '../backup/options.ts';
import { Catalogue } from '../catalogue/catalogue.ts';
import { HoldfastError } from '../model/errors.ts';
import type { BackupMetadata } from '../model/types.ts';
import { nextRunAfter } from './cron.ts';
import { runScheduleNow } from './run-now.ts';
import { ScheduleStore } from './schedule-store.ts';
import { editSchedule } from './schedules.ts';
import { newProfileRecord } from '../../../test/support/profile-record.ts';

let dir: string;
let catalogue: Catalogue;
let schedules: ScheduleStore;
const now = new Date('2026-03-02T10:00:00Z');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-sched-edit-'));
  catalogue = new Catalogue(join(dir, 'catalogue.sqlite'));
  schedules = new ScheduleStore(catalogue.db);
  catalogue.addProfile(newProfileRecord('shop'));
});
afterEach(() => {
  catalogue.close();
  rmSync(dir, { recursive: true, force: true });
});

const events: unknown[] = [];
const engine = () => ({
  catalogue,
  schedules,
  config: { env: {}, retentionDays: 30, compressionDefault: true, presets: { daily: '0 2 * * *', weekly: '0 3 * * 0', monthly: '0 4 1 * *' } },
  events: { emit: async (event: unknown) => void events.push(event) },
});
const add = (cron = '0 2 * * *') =>
  schedules.add(
    { profile: 'shop', type: 'custom', cron, timeZone: 'UTC', options: BackupOptionsSchema.parse({}), retention: null, testRestore: false, nextRun: nextRunAfter(cron, 'UTC', now).toISOString() },
    now,
  );

describe('editSchedule', () => {
  test('a new time or zone moves the next run to the new slot; the history stays; the change is told', () => {
    const schedule = add();
    schedules.markRunNow(schedule.id, now);
    const edited = editSchedule(engine(), schedule.id, { type: 'custom', cron: '30 4 * * *', timeZone: 'Europe/Paris' }, now);
    expect(edited).toMatchObject({ schedule: '30 4 * * *', timeZone: 'Europe/Paris', nextRun: '2026-03-03T03:30:00.000Z', lastRun: now.toISOString() });
    expect(events.at(-1)).toMatchObject({ kind: 'schedule.edited' });
  });

  test('a drill switched on keeps the slot; a bad cron is refused and nothing changes', () => {
    const schedule = add();
    expect(editSchedule(engine(), schedule.id, { testRestore: true }, now)).toMatchObject({ testRestore: true, nextRun: schedule.nextRun });
    expect(() => editSchedule(engine(), schedule.id, { type: 'custom', cron: 'every day' }, now)).toThrow(HoldfastError);
    expect(schedules.require(schedule.id).cron).toBe('0 2 * * *');
  });

  test("new options without encryptTo keep who the schedule's backups are encrypted to (a super-admin's choice); a new one replaces it", () => {
    const schedule = schedules.add(
      {
        profile: 'shop',
        type: 'daily',
        cron: '0 2 * * *',
        timeZone: 'UTC',
        options: BackupOptionsSchema.parse({ encryptTo: ['offsite-key'] }),
        retention: null,
        testRestore: false,
        nextRun: now.toISOString(),
      },
      now,
    );
    expect(editSchedule(engine(), schedule.id, { options: BackupOptionsSchema.parse({ format: 'plain' }) }, now).options).toMatchObject({ format: 'plain', encryptTo: ['offsite-key'] });
    expect(editSchedule(engine(), schedule.id, { options: BackupOptionsSchema.parse({ encryptTo: 'none' }) }, now).options.encryptTo).toBe('none');
    // inheritEncryption clears the schedule's own choice: its backups follow the profile's, then the default.
    const cleared = editSchedule(engine(), schedule.id, { inheritEncryption: true, options: BackupOptionsSchema.parse({ format: 'tar' }) }, now).options;
    expect(cleared).toMatchObject({ format: 'tar' });
    expect(cleared).not.toHaveProperty('encryptTo');
    expect(editSchedule(engine(), schedule.id, { inheritEncryption: true }, now).options).not.toHaveProperty('encryptTo');
    expect(() => editSchedule(engine(), schedule.id, { inheritEncryption: true, options: BackupOptionsSchema.parse({ encryptTo: 'none' }) }, now)).toThrow(/either/);
  });
});

describe('editSchedule is a patch of the options', () => {
  test('one option given changes that option only: the format, compression, filters, suffix and encryption stay', () => {
    const schedule = schedules.add(
      {
        profile: 'shop',
        type: 'daily',
        cron: '0 2 * * *',
        timeZone: 'UTC',
        options: BackupOptionsSchema.parse({ format: 'directory', jobs: 4, compression: { method: 'zstd', level: 3 }, excludeTables: ['audit_*'], suffix: 'nightly', encryptTo: ['offsite-key'] }),
        retention: '30d',
        testRestore: true,
        nextRun: now.toISOString(),
      },
      now,
    );
    const edited = editSchedule(engine(), schedule.id, { options: { encryptTo: 'none' } }, now);
    expect(edited.options).toEqual({ ...schedule.options, encryptTo: 'none' });
    expect(edited).toMatchObject({ retention: '30d', testRestore: true });
    expect(editSchedule(engine(), schedule.id, { options: { schemas: ['sales'] } }, now).options).toEqual({ ...schedule.options, encryptTo: 'none', schemas: ['sales'] });
  });

  test('null clears an optional option; a patch that leaves the options contradictory is refused and nothing changes', () => {
    const schedule = schedules.add(
      {
        profile: 'shop',
        type: 'daily',
        cron: '0 2 * * *',
        timeZone: 'UTC',
        options: BackupOptionsSchema.parse({ format: 'directory', jobs: 4, suffix: 'nightly' }),
        retention: null,
        testRestore: false,
        nextRun: now.toISOString(),
      },
      now,
    );
    expect(editSchedule(engine(), schedule.id, { options: { suffix: null } }, now).options).not.toHaveProperty('suffix');
    expect(() => editSchedule(engine(), schedule.id, { options: { format: 'custom' } }, now)).toThrow(/jobs: parallel jobs need --format directory/);
    expect(schedules.require(schedule.id).options).toMatchObject({ format: 'directory', jobs: 4 });
    expect(editSchedule(engine(), schedule.id, { options: { format: 'custom', jobs: null } }, now).options).toMatchObject({ format: 'custom' });
  });
});

describe('runScheduleNow', () => {
  const notWholeServer = { isWholeServer: () => false, take: async () => Promise.reject(new Error('not a whole-server profile')), testRestore: async () => Promise.reject(new Error('not a set')) };
  const taken = { id: 'b1', filename: 'shop.dump' } as BackupMetadata;

  test("takes the schedule's backup with its options, records it as the last run, and leaves the next slot", async () => {
    const schedule = add();
    const calls: string[] = [];
    const result = await runScheduleNow(
      {
        ...engine(),
        config: { concurrency: 1 },
        sets: notWholeServer,
        isProfileBusy: () => false,
        backup: async (profile) => (calls.push(profile), taken),
        testRestore: async () => ({ ok: true }) as never,
      },
      schedule.id,
      {},
      now,
    );
    expect(result).toEqual({ scheduleId: schedule.id, backup: { id: 'b1', filename: 'shop.dump' }, drill: null });
    expect(calls).toEqual(['shop']);
    expect(schedules.require(schedule.id)).toMatchObject({ lastRun: now.toISOString(), lastStatus: 'completed', nextRun: schedule.nextRun });
  });

  test('refused while a backup of the profile runs; a failed backup is the schedule’s failed last run', async () => {
    const schedule = add();
    const base = { ...engine(), config: { concurrency: 1 }, sets: notWholeServer, testRestore: async () => ({ ok: true }) as never };
    await expect(runScheduleNow({ ...base, isProfileBusy: () => true, backup: async () => taken }, schedule.id, {}, now)).rejects.toMatchObject({ code: 'CONFLICT' });
    const failing = async (): Promise<BackupMetadata> => {
      throw new HoldfastError('BACKUP_FAILED', 'pg_dump failed');
    };
    await expect(runScheduleNow({ ...base, isProfileBusy: () => false, backup: failing }, schedule.id, {}, now)).rejects.toMatchObject({ code: 'BACKUP_FAILED' });
    expect(schedules.require(schedule.id)).toMatchObject({ lastStatus: 'failed', lastError: 'pg_dump failed' });
  });
});

describe('a schedule made to follow the profile\'s "keep no local copy"', () => {
  test('is refused when its own destinations are none: each of its backups would be refused at its hour', () => {
    catalogue.addProfile(newProfileRecord('offsite', { noLocalCopy: true, copyTo: ['bucket'] }));
    const schedule = schedules.add(
      {
        profile: 'offsite',
        type: 'daily',
        cron: '0 2 * * *',
        timeZone: 'UTC',
        options: BackupOptionsSchema.parse({ noLocalCopy: false }),
        copyTo: [],
        retention: null,
        testRestore: false,
        nextRun: nextRunAfter('0 2 * * *', 'UTC', now).toISOString(),
      },
      now,
    );
    expect(() => editSchedule(engine(), schedule.id, { inheritNoLocalCopy: true }, now)).toThrow(/only copy|--copy-to|destination/);
    expect(schedules.require(schedule.id).options.noLocalCopy).toBe(false);
  });
});
