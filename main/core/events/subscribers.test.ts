import { describe, expect, test } from 'vitest';
import type { BackupMetadata } from '../model/types.ts';
import type { SwapRecovery } from '../restore/swap-journal.ts';
import { auditRow } from './audit.ts';
import type { EmittedEvent, EngineEvent } from './events.ts';
import { logLine } from './log.ts';
import { notification } from './notify.ts';

const at = '2026-01-01T00:00:00.000Z';
const stamped = (event: EngineEvent): EmittedEvent => ({ ...event, at });
const backup = { id: 'abc123abc123', filename: 'backup-shop.dump', profile: 'shop', database: 'shop', size: 3 * 1024 ** 2, duration: 1500, timestamp: at } as BackupMetadata;
const recovery = (action: SwapRecovery['action']): SwapRecovery => ({ runId: 'r1', profile: 'shop', database: 'shop', step: 'renamed-old' as SwapRecovery['step'], action, message: 'm' });

describe('what each subscriber makes of an event', () => {
  test('a delete is audited with its size in words and the rows that kept the file; nothing else hears of it', () => {
    const deleted = stamped({ kind: 'backup.deleted', backup, freedBytes: 0, sharedWith: ['backup-copy.dump'] });
    expect(auditRow(deleted)).toEqual({
      action: 'backup.delete',
      target: 'backup-shop.dump',
      detail: { id: backup.id, profile: 'shop', size: backup.size, freed: '0 B', filesKeptFor: ['backup-copy.dump'] },
    });
    expect(logLine(deleted)).toBeUndefined();
    expect(notification(deleted)).toBeUndefined();
  });

  test('a completed backup: an audit row, an info line with its trigger, a notification in the wire format', () => {
    const completed = stamped({ kind: 'backup.completed', profile: 'shop', backup, trigger: { kind: 'schedule', scheduleId: 's1', catchUp: false } });
    expect(auditRow(completed)).toEqual({ action: 'backup.create', target: 'backup-shop.dump', detail: { profile: 'shop', result: 'ok' } });
    expect(logLine(completed)).toEqual({
      level: 'info',
      message: 'backup completed',
      detail: { profile: 'shop', filename: 'backup-shop.dump', size: backup.size, durationMs: 1500, trigger: { kind: 'schedule', scheduleId: 's1', catchUp: false } },
    });
    expect(notification(completed)).toEqual({ kind: 'backup.completed', profile: 'shop', database: 'shop', filename: 'backup-shop.dump', size: backup.size, durationMs: 1500, at });
  });

  test('a swap that was never reached is logged but not audited; one rolled back is both, as a warning', () => {
    expect(auditRow(stamped({ kind: 'restore.recovered', recovery: recovery('not-reached') }))).toBeUndefined();
    expect(logLine(stamped({ kind: 'restore.recovered', recovery: recovery('not-reached') }))?.level).toBe('error');
    const rolledBack = stamped({ kind: 'restore.recovered', recovery: recovery('rolled-back') });
    expect(auditRow(rolledBack)).toMatchObject({ action: 'restore.recover', target: 'shop', detail: { action: 'rolled-back', run: 'r1' } });
    expect(logLine(rolledBack)).toMatchObject({ level: 'warn', message: 'interrupted restore' });
  });

  test('a half-restored new database dropped at start is audited and logged as a warning; one that was never created is only logged', () => {
    const dropped = stamped({
      kind: 'restore.newDatabaseRecovered',
      recovery: { runId: 'r2', profile: 'shop', database: 'shop_copy', action: 'dropped', message: 'the half-restored "shop_copy" was dropped' },
    });
    expect(auditRow(dropped)).toEqual({
      action: 'restore.recover',
      target: 'shop_copy',
      detail: { profile: 'shop', run: 'r2', action: 'dropped', message: 'the half-restored "shop_copy" was dropped' },
    });
    expect(logLine(dropped)).toMatchObject({ level: 'warn', message: 'interrupted restore', detail: { database: 'shop_copy', action: 'dropped' } });
    expect(notification(dropped)).toBeUndefined();
    const absent = stamped({ kind: 'restore.newDatabaseRecovered', recovery: { runId: 'r3', profile: 'shop', database: 'shop_copy', action: 'not-created', message: 'm' } });
    expect(auditRow(absent)).toBeUndefined();
    expect(logLine(absent)?.level).toBe('info');
  });

  test('a drill database left behind is notified as a failure that says what to do; a failed scheduled drill as a failed backup', () => {
    const left = notification(
      stamped({ kind: 'drill.cleanupFailed', profile: 'scratch', database: 'shop__holdfast_drill_1', filename: 'backup-shop.dump', error: 'database is being accessed by other users' }),
    );
    expect(left).toMatchObject({
      kind: 'drill.cleanupFailed',
      error: { code: 'CONFLICT', message: expect.stringContaining('is being accessed'), hint: expect.stringContaining('DROP DATABASE "shop__holdfast_drill_1"') },
    });
    expect(notification(stamped({ kind: 'schedule.drillFailed', scheduleId: 's1', profile: 'shop', database: 'shop', message: 'drill failed' }))).toEqual({
      kind: 'backup.failed',
      profile: 'shop',
      database: 'shop',
      error: { code: 'VERIFY_FAILED', message: 'drill failed' },
      at,
    });
  });

  test('progress is for the tray only: no row, no line, no notification', () => {
    const progress = stamped({ kind: 'backup.progress', profile: 'shop', progress: { phase: 'dumping', bytes: 10, elapsedMs: 5, expectedBytes: undefined } });
    expect([auditRow(progress), logLine(progress), notification(progress)]).toEqual([undefined, undefined, undefined]);
  });
});
