// Sets in the catalogue as units: retention keeps or deletes a set whole, and a set whose Holdfast
// died is marked interrupted at the next start. A real SQLite catalogue and real files.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BackupOptionsSchema } from '../backup/options.ts';
import { Catalogue, newId } from '../catalogue/catalogue.ts';
import type { BackupMetadata } from '../model/types.ts';
import { runCleanup } from '../retention/cleanup.ts';
import { MANIFEST_DETAIL, startingSet, type BackupSet } from './set-record.ts';
import { SetStore } from './set-rows.ts';
import { nestSets } from './backup-sets.ts';
import { attemptEntry } from '../catalogue/backup-page.ts';
import { settleInterruptedSets, STOPPED_PROBLEM } from './interrupted-sets.ts';

const NOW = new Date('2025-04-01T00:00:00.000Z');
let home: string;
let backupDir: string;
let catalogue: Catalogue;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'holdfast-sets-'));
  backupDir = join(home, 'backups');
  await mkdir(backupDir);
  catalogue = new Catalogue(join(home, 'catalogue.sqlite'), { backupDir });
});

afterEach(async () => {
  catalogue.close();
  await rm(home, { recursive: true, force: true });
});

/** A completed member backup of the set on disk and in the catalogue. */
async function seedMember(setId: string, database: string, filename: string, runId: string, timestamp = NOW.toISOString()): Promise<BackupMetadata> {
  const path = join(backupDir, filename);
  await writeFile(path, 'dump');
  const member: BackupMetadata = {
    id: newId(),
    filename,
    timestamp,
    size: 4,
    compressed: true,
    encrypted: false,
    checksum: `sha256:${'0'.repeat(64)}`,
    databaseSize: 1,
    tables: [],
    version: 'PostgreSQL 15.18',
    duration: 1,
    profile: 'server',
    database,
    path,
    format: 'custom',
    compression: 'gzip',
    status: 'completed',
    rowCounts: {},
    serverMajor: 15,
    clientVersion: 'pg_dump 15.18',
    options: BackupOptionsSchema.parse({}),
    globals: { filename: null, checksum: null, note: "Roles and tablespaces are in the backup set's roles file." },
    set: setId,
  };
  catalogue.insertBackup(member, runId);
  return member;
}

/** A finished set of the given databases on disk and in the catalogue, taken `daysAgo` before NOW. */
async function seedSet(daysAgo: number, databases: string[], status: 'completed' | 'partial' = 'completed'): Promise<BackupSet> {
  const timestamp = new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString();
  const stem = `backup-${timestamp.replace(/[:.]/g, '-')}-server`;
  const runId = catalogue.startRun({ kind: 'backup', profile: 'server' });
  const set: BackupSet = {
    id: newId(),
    kind: 'set',
    profile: 'server',
    timestamp,
    status,
    problems: [],
    version: 'PostgreSQL 15.18',
    serverMajor: 15,
    expected: databases,
    excluded: [],
    added: [],
    dropped: [],
    parallelDatabases: 2,
    globals: { filename: `${stem}.globals.sql`, checksum: null, note: null },
    databases: [],
    manifest: { filename: `${stem}.set`, checksum: `sha256:${'0'.repeat(64)}` },
    durationMs: 10,
  };
  new SetStore(catalogue.db).start(set, runId);
  for (const file of [set.globals.filename!, set.manifest!.filename]) await writeFile(join(backupDir, file), 'x');
  for (const database of databases) {
    const member = await seedMember(set.id, database, `${stem}-${database}.dump`, runId, timestamp);
    set.databases.push({ database, id: member.id, filename: member.filename, checksum: member.checksum, status: 'completed', error: null, rowCounts: {}, size: 4 });
  }
  catalogue.finishRun(runId, 'completed');
  new SetStore(catalogue.db).finish(set);
  return set;
}

describe('retention and sets', () => {
  test('an old set is deleted whole (every member, its roles file and manifest); a young one is kept whole', async () => {
    const old = await seedSet(60, ['a', 'b', 'c']);
    const young = await seedSet(1, ['a', 'b', 'c']);
    const report = await runCleanup(catalogue, { profile: 'server', policy: { kind: 'days', keepDays: 30 }, now: NOW, dryRun: false });
    expect(report.deleted.sort()).toEqual(old.databases.map((m) => m.id).sort());
    const store = new SetStore(catalogue.db);
    expect(store.find(old.id)!.status).toBe('deleted');
    expect(existsSync(join(backupDir, old.globals.filename!)) || existsSync(join(backupDir, old.manifest!.filename))).toBe(false);
    expect(store.find(young.id)!.status).toBe('completed');
    expect(store.members(young.id)).toHaveLength(3);
  });

  test('a partial set never counts as the newest good copy: the older completed set stays', async () => {
    const good = await seedSet(60, ['a', 'b']);
    await seedSet(1, ['a'], 'partial');
    const report = await runCleanup(catalogue, { profile: 'server', policy: { kind: 'days', keepDays: 30 }, now: NOW, dryRun: true });
    const kept = report.decisions.filter((d) => d.action === 'keep').map((d) => d.id);
    expect(kept).toEqual(expect.arrayContaining(good.databases.map((m) => m.id!)));
  });
});

describe('a set whose Holdfast stopped', () => {
  test('is settled once its run is no longer running: interrupted, its finished members listed, its sealed roles file kept, its unrecorded manifest removed', async () => {
    const store = new SetStore(catalogue.db);
    const stem = 'backup-2026-03-01T00-00-00-000Z-server';
    const runId = catalogue.startRun({ kind: 'backup', profile: 'server', detail: { [MANIFEST_DETAIL]: `${stem}.set`, wholeServerSet: true } });
    const set = startingSet({ id: newId(), profile: 'server', timestamp: NOW.toISOString(), parallelDatabases: 1 });
    set.expected = ['a', 'b'];
    store.start(set, runId);
    const member = await seedMember(set.id, 'a', `${stem}-a.dump`, runId);
    // As take-set.ts does: the sealed roles file recorded, then renamed into place.
    store.recordGlobals(set.id, { filename: `${stem}.globals.sql`, checksum: `sha256:${createHash('sha256').update('CREATE ROLE x;\n').digest('hex')}`, note: null });
    await writeFile(join(backupDir, `${stem}.globals.sql`), 'CREATE ROLE x;\n');
    await writeFile(join(backupDir, `${stem}.set`), JSON.stringify({ ...set, status: 'completed', manifest: null }));
    expect(await settleInterruptedSets(catalogue, backupDir)).toEqual([]);
    // What the start-up reconcile does to a run whose process is gone.
    catalogue.finishRun(runId, 'interrupted', { error: 'Holdfast stopped' });
    expect(await settleInterruptedSets(catalogue, backupDir)).toEqual([set.id]);
    const settled = store.find(set.id)!;
    expect(settled.status).toBe('interrupted');
    expect(settled.problems[0]).toBe(STOPPED_PROBLEM);
    expect(settled.databases).toEqual([
      expect.objectContaining({ database: 'a', id: member.id, status: 'completed', checksum: member.checksum }),
      expect.objectContaining({ database: 'b', id: null, status: 'interrupted' }),
    ]);
    expect(settled.globals).toEqual({ filename: `${stem}.globals.sql`, checksum: `sha256:${createHash('sha256').update('CREATE ROLE x;\n').digest('hex')}`, note: null });
    expect(existsSync(join(backupDir, `${stem}.set`))).toBe(false);
    expect(await settleInterruptedSets(catalogue, backupDir)).toEqual([]);
  });

  // A roles file is the set's only if the set recorded it (its name and SHA-256, in the set's row, before
  // renaming it into place); a file found under the expected name is otherwise someone else's.
  test.each([
    ['nothing was recorded (the set was stopped before its roles file was sealed)', undefined],
    ['what was recorded is other bytes (the file was replaced after)', 'CREATE ROLE ours;\n'],
  ])('a file under its roles file name is neither adopted nor removed when %s', async (_, recorded) => {
    const store = new SetStore(catalogue.db);
    const stem = 'backup-2026-03-03T00-00-00-000Z-server';
    const runId = catalogue.startRun({ kind: 'backup', profile: 'server', detail: { [MANIFEST_DETAIL]: `${stem}.set`, wholeServerSet: true } });
    const set = startingSet({ id: newId(), profile: 'server', timestamp: NOW.toISOString(), parallelDatabases: 1 });
    set.expected = ['a'];
    store.start(set, runId);
    if (recorded !== undefined) store.recordGlobals(set.id, { filename: `${stem}.globals.sql`, checksum: `sha256:${createHash('sha256').update(recorded).digest('hex')}`, note: null });
    const planted = 'CREATE ROLE planted SUPERUSER;\n';
    await writeFile(join(backupDir, `${stem}.globals.sql`), planted);
    catalogue.finishRun(runId, 'interrupted', { error: 'Holdfast stopped' });
    expect(await settleInterruptedSets(catalogue, backupDir)).toEqual([set.id]);
    const settled = store.find(set.id)!;
    expect(settled.globals).toMatchObject({ filename: null, checksum: null });
    expect(settled.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^roles and tablespaces: /)]));
    expect(await readFile(join(backupDir, `${stem}.globals.sql`), 'utf8')).toBe(planted);
  });

  // The name is known from the run's start; the file there is the set's only if it says so (the set
  // writes its id into it). Another Holdfast's (a BACKUP_DIR two homes share), or anything else, stays.
  test.each([
    ['another set of the same name', () => JSON.stringify({ id: newId(), status: 'completed' })],
    ['not a manifest', () => 'kept by the DBA'],
  ])('a file under its manifest name that is not its manifest is left alone: %s', async (_, content) => {
    const store = new SetStore(catalogue.db);
    const stem = 'backup-2026-03-02T00-00-00-000Z-server';
    const runId = catalogue.startRun({ kind: 'backup', profile: 'server', detail: { [MANIFEST_DETAIL]: `${stem}.set`, wholeServerSet: true } });
    const set = startingSet({ id: newId(), profile: 'server', timestamp: NOW.toISOString(), parallelDatabases: 1 });
    set.expected = ['a'];
    store.start(set, runId);
    const text = content();
    await writeFile(join(backupDir, `${stem}.set`), text);
    catalogue.finishRun(runId, 'interrupted', { error: 'Holdfast stopped' });
    expect(await settleInterruptedSets(catalogue, backupDir)).toEqual([set.id]);
    expect(await readFile(join(backupDir, `${stem}.set`), 'utf8')).toBe(text);
  });
});

describe('a set in the list', () => {
  test("holds the attempts of its own run and its members' runs by the set's id, not by when they ran; another attempt of the profile stays beside it", async () => {
    const set = await seedSet(1, ['shop']);
    const running = { ...set, id: newId(), status: 'running' as const, timestamp: NOW.toISOString(), databases: [], durationMs: 0 };
    const setRun = catalogue.startRun({ kind: 'backup', profile: 'server' });
    new SetStore(catalogue.db).start(running, setRun);
    // A member that failed an hour into the set: a time window around the set's start would lose it.
    const memberRun = catalogue.startRun({ kind: 'backup', profile: 'server', detail: { set: running.id } });
    catalogue.finishRun(memberRun, 'failed', { error: 'permission denied for database secret' });
    const loose = catalogue.startRun({ kind: 'backup', profile: 'server' });
    catalogue.finishRun(loose, 'failed', { error: 'another backup of "server" is running' });

    const setOfRun = new SetStore(catalogue.db).setsOfRuns();
    const attempts = catalogue.listRuns({ kind: 'backup', statuses: ['failed', 'running'] }).map((run) => attemptEntry(run, setOfRun.get(run.id)));
    expect(attempts.find((entry) => entry.id === memberRun)?.set).toBe(running.id);
    const listed = nestSets([...catalogue.listBackups(), ...attempts], new SetStore(catalogue.db).list());
    const top = listed.map((entry) => entry.id);
    expect(top).toEqual(expect.arrayContaining([set.id, running.id, loose]));
    expect(top).not.toContain(memberRun);
    expect(top).not.toContain(setRun);
    const nested = listed.find((entry) => entry.id === running.id);
    expect(nested && 'members' in nested ? nested.members.map((member) => member.id).sort() : []).toEqual([memberRun, setRun].sort());
  });
});
