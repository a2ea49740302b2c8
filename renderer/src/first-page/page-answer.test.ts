import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalogue } from '../../../main/core/catalogue/catalogue.ts';
import { BackupPageQuerySchema, selectBackupPage } from '../../../main/core/catalogue/backup-page.ts';
import type { BackupPage, BackupPageItem } from '../../../main/core/model/backup-page.ts';
import { makeHome, type TestHome } from '../../../test/support/holdfast-env.ts';
import { seedBackups } from '../../../test/support/seeded-home.ts';
import { pageItemToRow } from '../lib/set-rows.ts';
import { readFirstScreenAnswer } from './page-answer.ts';

const HOSTILE = '<img src=x onerror="window.__pwned=1">shop';

/** What the contract's backup.page answers over HTTP (main/contract/backups.ts), from a real catalogue. */
let engineAnswer: { ok: true; value: BackupPage };
let home: TestHome;

beforeAll(() => {
  home = makeHome();
  seedBackups(home, 6, { database: HOSTILE });
  const catalogue = new Catalogue(join(home.home, 'catalogue.sqlite'));
  try {
    const run = catalogue.startRun({ kind: 'backup', profile: 'shop' });
    catalogue.finishRun(run, 'failed', { error: 'pg_dump: error: connection to server failed' });
    const page = selectBackupPage(catalogue.db, BackupPageQuerySchema.parse({}));
    engineAnswer = { ok: true, value: { ...page, offset: 0, checkingFiles: false } };
  } finally {
    catalogue.close();
  }
});
afterAll(() => home.cleanup());

/** Summaries the seeded catalogue does not hold: every optional field the first screen reads, typed as the engine's. */
const summary = {
  id: 'abcdefabcdef',
  filename: 'backup-2026-12-01T00-00-00-000Z-shop.dump',
  timestamp: '2026-12-01T00:00:00.000Z',
  size: 1024,
  duration: 2000,
  profile: 'shop',
  database: 'shop',
  format: 'custom',
  compression: 'zstd:3',
  status: 'completed',
  lastVerified: { at: '2026-12-02T00:00:00.000Z', valid: true, contentChecked: false },
  restoreTest: { status: 'passed', at: '2026-12-03T00:00:00.000Z' },
  scope: 'schema-only',
  pinned: true,
  encryptedTo: ['age1example'],
  keyHere: false,
  imported: true,
} satisfies BackupPageItem;
const attempt = { id: 'run-1', status: 'interrupted', profile: null, timestamp: '2026-12-01T01:00:00.000Z', filename: null } satisfies BackupPageItem;

const answerWith = (items: unknown[], change: Record<string, unknown> = {}) => ({ ok: true, value: { ...engineAnswer.value, items, ...change } });

describe('readFirstScreenAnswer', () => {
  it("accepts the engine's own answer, hostile names included (they are drawn as text), with the rows the store makes of it", () => {
    const read = readFirstScreenAnswer(JSON.parse(JSON.stringify(engineAnswer)));
    expect(read?.total).toBe(7);
    expect(read?.items.map(pageItemToRow)).toEqual(engineAnswer.value.items.map(pageItemToRow));
    expect(read?.items.map(pageItemToRow).some((row) => row.database === HOSTILE)).toBe(true);
    expect(read?.items.map(pageItemToRow).some((row) => row.error?.includes('connection to server failed'))).toBe(true);
  });

  it('accepts every optional field the first screen reads, set or absent', () => {
    const { lastVerified: _v, restoreTest: _r, keyHere: _k, ...bare } = summary;
    expect(readFirstScreenAnswer(answerWith([summary, bare, { ...summary, lastVerified: null, restoreTest: null }, attempt, { ...attempt, error: 'x' }]))?.items).toHaveLength(5);
  });

  it('refuses an answer that is not a success envelope: no session, an error, anything else', () => {
    for (const body of [null, 'text', [], { ok: false, error: { code: 'UNAUTHORIZED', message: 'Sign in' } }, { ok: true }, { ok: true, value: [] }, { success: true, data: engineAnswer.value }])
      expect(readFirstScreenAnswer(body)).toBeUndefined();
  });

  it('refuses a page whose total, counts, profiles, file-check flag or items are not what is drawn', () => {
    for (const change of [
      { total: -1 },
      { total: '7' },
      { checkingFiles: 'no' },
      { profiles: [1] },
      { profiles: 'shop' },
      { counts: { ...engineAnswer.value.counts, sets: null } },
      { counts: undefined },
      { items: {} },
    ])
      expect(readFirstScreenAnswer(answerWith(engineAnswer.value.items, change)), JSON.stringify(change)).toBeUndefined();
  });

  it('refuses a backup with any field the row draws of the wrong type', () => {
    const wrong: Record<string, unknown> = {
      id: 1,
      profile: null,
      database: {},
      status: 'gone',
      timestamp: 'yesterday',
      filename: null,
      format: 3,
      compression: null,
      size: '1 KB',
      duration: Number.POSITIVE_INFINITY,
      lastVerified: { valid: 'yes' },
      restoreTest: { status: 'ok' },
      scope: 'everything',
      pinned: 'true',
      imported: 1,
      keyHere: 'no',
    };
    for (const [field, value] of Object.entries(wrong)) expect(readFirstScreenAnswer(answerWith([{ ...summary, [field]: value }])), field).toBeUndefined();
  });

  it('refuses an attempt with any field the row draws of the wrong type', () => {
    const wrong: Record<string, unknown> = { id: null, status: 2, profile: 3, timestamp: '', filename: 4, error: {} };
    for (const [field, value] of Object.entries(wrong)) expect(readFirstScreenAnswer(answerWith([{ ...attempt, [field]: value }])), field).toBeUndefined();
  });

  it('accepts a whole-server set as setToRow reads it, and refuses one with a field of the wrong type', () => {
    const set = {
      id: '5e7000000001',
      kind: 'set',
      profile: 'cluster',
      timestamp: '2026-12-01T02:00:00.000Z',
      status: 'partial',
      problems: ['crm: pg_dump failed'],
      version: 'PostgreSQL 17.2',
      serverMajor: 17,
      expected: ['shop', 'crm'],
      excluded: [],
      added: [],
      dropped: [],
      parallelDatabases: 2,
      globals: { filename: 'globals.sql', checksum: null, note: null },
      databases: [
        { database: 'shop', id: summary.id, filename: summary.filename, checksum: null, status: 'completed', error: null, rowCounts: {}, size: 1024 },
        { database: 'crm', id: null, filename: null, checksum: null, status: 'failed', error: 'pg_dump failed', rowCounts: {}, size: 0 },
      ],
      manifest: null,
      durationMs: 5000,
      members: [summary],
    } satisfies BackupPageItem;
    const read = readFirstScreenAnswer(answerWith([set, summary]));
    expect(read?.items.map(pageItemToRow)).toEqual([set, summary].map(pageItemToRow));
    const wrong: Record<string, unknown> = {
      id: 5,
      profile: null,
      status: 'done',
      timestamp: 'then',
      manifest: { filename: 1 },
      durationMs: '5 s',
      problems: [1],
      expected: 'shop',
      databases: [{ database: 'crm', id: null, status: 'lost' }],
      members: [{ ...summary, size: 'big' }],
    };
    for (const [field, value] of Object.entries(wrong)) expect(readFirstScreenAnswer(answerWith([{ ...set, [field]: value }])), field).toBeUndefined();
  });
});
