// The engine's events end to end, on a real catalogue in a throwaway home and a real local webhook:
// what an operation emits, what the audit, log and notification subscribers make of it, and that a
// subscriber's failure never fails the operation.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { loadConfig } from './config/config.ts';
import type { EmittedEvent } from './events/events.ts';
import { Holdfast } from './holdfast.ts';
import { closeServers, startServer, type TestServer } from './notify/test-support.ts';
import { runAs } from './users/acting.ts';
import type { HoldfastError } from './model/errors.ts';
import { seedBackup } from '../../test/support/clocked-cron.ts';

let home: string;
let holdfast: Holdfast;
let hook: TestServer;
let refusedPort: number;

beforeAll(async () => {
  hook = await startServer();
  home = mkdtempSync(join(tmpdir(), 'holdfast-events-'));
  ({ holdfast } = await Holdfast.open(loadConfig({ HOLDFAST_HOME: home, HOLDFAST_CONNECT_TIMEOUT_SECONDS: '1', HOLDFAST_WEBHOOK_URL: hook.url('/events') })));
  // A port nothing listens on: a backup fails at once with a connection error.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  refusedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  await holdfast.addProfile({ name: 'nowhere', host: '127.0.0.1', port: refusedPort, user: 'app', dbname: 'shop' });
});
afterAll(async () => {
  holdfast.close();
  rmSync(home, { recursive: true, force: true });
  await closeServers();
});
afterEach(() => {
  holdfast.catalogue.db.exec('DROP TRIGGER IF EXISTS audit_refused');
});

function record(): { events: EmittedEvent[]; stop: () => void } {
  const events: EmittedEvent[] = [];
  const stop = holdfast.events.subscribe({ name: 'spec', handle: (event) => void events.push(event) });
  return { events, stop };
}

const logLines = () =>
  readFileSync(join(home, 'logs', 'holdfast.log'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('engine events', () => {
  test('a failed backup: started, then failed; an audit row, a log line and a webhook notification, all before it returns', async () => {
    const { events, stop } = record();
    hook.requests.length = 0;
    try {
      await expect(holdfast.backup('nowhere', {})).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    } finally {
      stop();
    }
    const kinds = events.map((event) => event.kind).filter((kind) => kind !== 'backup.progress');
    expect(kinds).toEqual(['backup.started', 'backup.failed']);
    expect(events.at(-1)).toMatchObject({ profile: 'nowhere', database: 'shop', trigger: { kind: 'manual' }, error: { code: 'CONNECTION_FAILED' }, at: expect.any(String) });
    expect(holdfast.catalogue.auditEntries(1)[0]).toMatchObject({ action: 'backup.create', target: 'nowhere', detail: { result: 'failed', code: 'CONNECTION_FAILED' } });
    expect(logLines()).toContainEqual(expect.objectContaining({ level: 50, msg: 'backup failed', profile: 'nowhere', code: 'CONNECTION_FAILED', trigger: { kind: 'manual' } }));
    expect(hook.requests.map((request) => request.body)).toEqual([expect.objectContaining({ event: 'backup.failed', profile: 'nowhere', database: 'shop', source: 'holdfast' })]);
  });

  test('what started a backup is told in its events and recorded on its run (a schedule finds its runs by it)', async () => {
    const { events, stop } = record();
    try {
      await expect(holdfast.backup('nowhere', {}, { trigger: { kind: 'schedule', scheduleId: 'sched1', catchUp: true } })).rejects.toThrow();
    } finally {
      stop();
    }
    expect(events[0]).toMatchObject({ kind: 'backup.started', trigger: { kind: 'schedule', scheduleId: 'sched1', catchUp: true } });
    expect(holdfast.catalogue.listRuns({ kind: 'backup' }).at(-1)?.detail).toMatchObject({ trigger: { kind: 'schedule', scheduleId: 'sched1', catchUp: true } });
  });

  test('changes are audited for the user they were made for, with the action names the audit log has always had', async () => {
    const schedule = runAs('alice', () => holdfast.addSchedule({ profile: 'nowhere', type: 'daily' }));
    expect(holdfast.catalogue.auditEntries(1)[0]).toMatchObject({ actor: 'alice', action: 'schedule.add', target: schedule.id, detail: { profile: 'nowhere', cron: schedule.schedule } });
    holdfast.setScheduleEnabled(schedule.id, false);
    holdfast.removeSchedule(schedule.id);
    await holdfast.editProfile('nowhere', { port: refusedPort });
    expect(holdfast.catalogue.auditEntries(3).map((entry) => [entry.action, entry.target, entry.detail])).toEqual([
      ['profile.edit', 'nowhere', { fields: ['port'], password: 'unchanged' }],
      ['schedule.remove', schedule.id, null],
      ['schedule.pause', schedule.id, null],
    ]);
  });

  test('an audit row that cannot be written does not fail the operation: it is logged and said on stderr', async () => {
    holdfast.catalogue.db.exec(`CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log BEGIN SELECT RAISE(FAIL, 'the audit log refused the row'); END`);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const schedule = holdfast.addSchedule({ profile: 'nowhere', type: 'weekly' });
      expect(holdfast.listSchedules('nowhere').map((s) => s.id)).toContain(schedule.id);
      holdfast.removeSchedule(schedule.id);
      expect(stderr).toHaveBeenCalledWith(expect.stringContaining('audit could not record the schedule.added event: the audit log refused the row'));
    } finally {
      stderr.mockRestore();
    }
    expect(logLines()).toContainEqual(expect.objectContaining({ level: 50, subscriber: 'audit', event: 'schedule.removed', error: 'the audit log refused the row' }));
  });

  test('a pin or a delete whose audit row cannot be written is not made: the change and its record commit together', async () => {
    const filename = seedBackup(holdfast.catalogue, holdfast.config.backupDir, 'nowhere', '2026-01-02T03:04:05.000Z');
    holdfast.catalogue.db.exec(`CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log BEGIN SELECT RAISE(FAIL, 'the audit log refused the row'); END`);
    const pinning = (() => {
      try {
        holdfast.pinBackup(filename, true);
        return undefined;
      } catch (error) {
        return error as HoldfastError;
      }
    })();
    expect(pinning).toMatchObject({ code: 'INTERNAL', message: expect.stringContaining(`Pinning ${filename} was not recorded: its audit entry could not be written (the audit log refused the row)`) });
    expect(holdfast.showBackup(filename).pinned).toBe(false);
    await expect(holdfast.deleteBackup(filename, filename)).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining(`Deleting ${filename} was not recorded`) });
    expect(holdfast.showBackup(filename).status).not.toBe('deleted');
    holdfast.catalogue.db.exec('DROP TRIGGER audit_refused');
    holdfast.pinBackup(filename, true);
    expect(holdfast.catalogue.auditEntries(1)[0]).toMatchObject({ action: 'backup.pin', target: filename });
  });
});
