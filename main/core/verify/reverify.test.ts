import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BackupOptionsSchema } from '../backup/options.ts';
import { Catalogue } from '../catalogue/catalogue.ts';
import { engineEventBus } from '../events/engine-bus.ts';
import type { NotifyEvent } from '../notify/notifier.ts';
import type { BackupMetadata } from '../model/types.ts';
import { reverifyBackups, scheduleReverify, type ReverifyEngine } from './reverify.ts';
import type { VerifyResult } from './verify.ts';

let dir: string;
let catalogue: Catalogue;
let serial = 0;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-reverify-'));
  catalogue = new Catalogue(join(dir, 'catalogue.sqlite'));
});

afterEach(() => {
  catalogue.close();
  rmSync(dir, { recursive: true, force: true });
});

function add(profile: string, timestamp: string): BackupMetadata {
  serial += 1;
  const id = `b${String(serial).padStart(11, '0')}`;
  const backup: BackupMetadata = {
    id,
    filename: `backup-${id}.dump`,
    timestamp,
    size: 1,
    compressed: true,
    encrypted: false,
    checksum: `sha256:${'0'.repeat(64)}`,
    databaseSize: 1,
    tables: [],
    version: 'PostgreSQL 15.18',
    duration: 1,
    profile,
    database: profile,
    path: join(dir, `backup-${id}.dump`),
    format: 'custom',
    compression: 'gzip',
    status: 'completed',
    rowCounts: {},
    serverMajor: 15,
    clientVersion: '15.18',
    options: BackupOptionsSchema.parse({}),
    globals: { filename: null, checksum: null, note: 'none' },
  };
  catalogue.insertBackup(backup, catalogue.startRun({ kind: 'backup', profile }));
  return backup;
}

/** An engine whose verify answers from `bad` (ids that fail) and records the order it was asked in. */
function engine(bad: Set<string>, options: { onVerify?: (id: string) => void; throwFor?: string } = {}) {
  const asked: string[] = [];
  const notes: NotifyEvent[] = [];
  const logged: string[] = [];
  const fake: ReverifyEngine = {
    catalogue,
    async verify(ref) {
      asked.push(ref);
      options.onVerify?.(ref);
      if (ref === options.throwFor) throw new Error('pg_restore not found');
      const valid = !bad.has(ref);
      catalogue.recordVerification(ref, valid);
      const backup = catalogue.requireBackup(ref);
      return { id: ref, filename: backup.filename, valid, checks: valid ? [] : [{ name: 'checksum', status: 'failed', detail: 'the file is corrupt' }] } satisfies VerifyResult;
    },
    // The engine's own subscribers, over a notifier and a logger that record.
    events: engineEventBus({ catalogue, logger: { log: (_level, message) => logged.push(message) }, notifier: { notify: async (event) => (notes.push(event), []) } }),
  };
  return { fake, asked, notes, logged };
}

describe('scheduled re-verification (issue 12 D)', () => {
  test('reads every stored backup back, least recently verified first, and reports and notifies each that fails', async () => {
    const a = add('shop', '2026-01-01T02:00:00.000Z');
    const b = add('shop', '2026-01-02T02:00:00.000Z');
    const c = add('crm', '2026-01-03T02:00:00.000Z');
    const gone = add('crm', '2026-01-04T02:00:00.000Z');
    catalogue.setBackupStatus(gone.id, 'deleted');
    catalogue.recordVerification(a.id, true);
    const { fake, asked, notes, logged } = engine(new Set([b.id]));

    const report = await reverifyBackups(fake);

    // Never verified first (oldest backup first among them), then the one verified longest ago.
    expect(asked).toEqual([b.id, c.id, a.id]);
    expect(report).toEqual({ verified: 3, failed: [{ id: b.id, filename: b.filename, profile: 'shop', problem: 'the file is corrupt' }], errors: [], stopped: false });
    expect(notes).toEqual([
      expect.objectContaining({
        kind: 'backup.failed',
        profile: 'shop',
        error: expect.objectContaining({ code: 'VERIFY_FAILED', message: expect.stringContaining(b.filename), hint: expect.any(String) }),
      }),
    ]);
    expect(logged).toEqual(['re-verification: a stored backup failed']);
    expect(catalogue.findBackup(b.id)?.lastVerified?.valid).toBe(false);
  });

  test('a verify that cannot run is reported and the rest go on; a stop ends it between backups', async () => {
    const a = add('shop', '2026-01-01T02:00:00.000Z');
    const b = add('shop', '2026-01-02T02:00:00.000Z');
    add('shop', '2026-01-03T02:00:00.000Z');
    const stop = new AbortController();
    const { fake, asked } = engine(new Set(), { throwFor: a.id, onVerify: (id) => id === b.id && stop.abort() });

    const report = await reverifyBackups(fake, { signal: stop.signal });

    expect(asked).toEqual([a.id, b.id]);
    expect(report).toMatchObject({ verified: 1, failed: [], errors: [{ filename: a.filename, message: 'pg_restore not found' }], stopped: true });
  });

  test('on its schedule: one run at a time, and stopping waits for the run in progress', async () => {
    add('shop', '2026-01-01T02:00:00.000Z');
    let fire: () => void = () => undefined;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { fake, asked } = engine(new Set());
    const slow: ReverifyEngine = { ...fake, verify: async (ref) => (await gate, fake.verify(ref)) };
    const stopped: string[] = [];
    const schedule = scheduleReverify(slow, '0 6 * * 0', {
      log: (message) => stopped.push(message),
      schedule: (expression, run) => {
        expect(expression).toBe('0 6 * * 0');
        fire = run;
        return { stop: () => stopped.push('task stopped') };
      },
    });

    fire();
    fire();
    expect(stopped).toEqual(['re-verification: the previous run is still going; this slot is skipped']);
    const stopping = schedule.stop();
    release();
    await stopping;
    expect(asked).toHaveLength(1);
    expect(stopped).toEqual(['re-verification: the previous run is still going; this slot is skipped', 'task stopped', 're-verification: 1 backups verified, 0 failed, 0 could not be read']);
  });
});
