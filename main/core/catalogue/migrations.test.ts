// The migration that gave every backup a location (destination + key) beside its path: a catalogue
// written before it opens with each row keyed where its file lies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { Catalogue } from './catalogue.ts';
import { migrations } from './migrations.ts';
import { MOVE_UNWRITTEN_FILENAMES } from './unwritten-filenames.ts';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-migrations-'));
  file = join(dir, 'catalogue.sqlite');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A catalogue at the schema before locations, with rows as an older Holdfast wrote them (no location). */
function olderCatalogue(paths: Record<string, string>): void {
  const locations = migrations.findIndex((migration) => typeof migration === 'function');
  expect(locations).toBeGreaterThan(0);
  const older = new Database(file);
  for (const migration of migrations.slice(0, locations)) older.exec(migration as string);
  older.pragma(`user_version = ${locations}`);
  const insert = older.prepare(
    `INSERT INTO backups (id, run_id, profile_name, filename, path, status, created_at, size, checksum, metadata) VALUES (?, 'r', 'shop', ?, ?, 'completed', '2025-01-01T00:00:00.000Z', 1, 'sha256:x', ?)`,
  );
  for (const [id, path] of Object.entries(paths)) {
    const filename = path.slice(path.lastIndexOf('/') + 1);
    insert.run(id, `${id}-${filename}`, path, JSON.stringify({ id, filename, path, profile: 'shop', format: 'custom', globals: { filename: null, checksum: null, note: null } }));
  }
  older.close();
}

function locations(catalogue: Catalogue): Record<string, unknown> {
  return Object.fromEntries(catalogue.listBackups().map((backup) => [backup.id, backup.location]));
}

test('an older catalogue opens with each backup located: under BACKUP_DIR by its relative key, elsewhere by its absolute path', () => {
  const backupDir = join(dir, 'backups');
  olderCatalogue({
    a: join(backupDir, 'backup-a.dump'),
    b: join(backupDir, 'nested', 'backup-b.dump'),
    c: join(dir, 'elsewhere', 'backup-c.dump'),
    d: join(`${backupDir}-old`, 'backup-d.dump'),
  });
  const catalogue = new Catalogue(file, { backupDir });
  try {
    expect(catalogue.db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(locations(catalogue)).toEqual({
      a: { destination: 'local', key: 'backup-a.dump' },
      b: { destination: 'local', key: 'nested/backup-b.dump' },
      c: { destination: 'local', key: join(dir, 'elsewhere', 'backup-c.dump') },
      // A sibling folder whose name merely starts with BACKUP_DIR's is not under it.
      d: { destination: 'local', key: join(`${backupDir}-old`, 'backup-d.dump') },
    });
    // The path stays as it was, for compatibility.
    expect(catalogue.findBackup('a')?.path).toBe(join(backupDir, 'backup-a.dump'));
  } finally {
    catalogue.close();
  }
});

test('opened without a backup directory, rows are keyed by their absolute paths, and the migration does not run again', () => {
  const backupDir = join(dir, 'backups');
  const path = join(backupDir, 'backup-a.dump');
  olderCatalogue({ a: path });
  const plain = new Catalogue(file);
  expect(locations(plain)).toEqual({ a: { destination: 'local', key: path } });
  plain.db.prepare(`UPDATE backups SET metadata = json_set(metadata, '$.location', json(?))`).run(JSON.stringify({ destination: 'offsite', key: 'shop/backup-a.dump' }));
  plain.close();
  const engine = new Catalogue(file, { backupDir });
  try {
    expect(locations(engine)).toEqual({ a: { destination: 'offsite', key: 'shop/backup-a.dump' } });
  } finally {
    engine.close();
  }
});

test('a catalogue from before the azure and sftp types keeps its destinations, and then takes the new types', () => {
  const widened = migrations.findIndex((migration) => typeof migration === 'string' && migration.includes('CREATE TABLE destinations_new'));
  expect(widened).toBeGreaterThan(0);
  const older = new Database(file);
  for (const migration of migrations.slice(0, widened)) typeof migration === 'string' ? older.exec(migration) : migration(older, { backupDir: undefined });
  older.pragma(`user_version = ${widened}`);
  older.prepare(`INSERT INTO destinations (id, name, type, settings, has_secret, created_at, updated_at) VALUES ('d1', 'bucket', 's3', '{"bucket":"b"}', 1, 't', 't')`).run();
  expect(() => older.prepare(`INSERT INTO destinations (id, name, type, settings, created_at, updated_at) VALUES ('d2', 'box', 'sftp', '{}', 't', 't')`).run()).toThrow(/CHECK constraint/);
  older.close();
  const catalogue = new Catalogue(file, {});
  try {
    expect(catalogue.db.prepare('SELECT id, name, type, settings, has_secret FROM destinations').all()).toEqual([{ id: 'd1', name: 'bucket', type: 's3', settings: '{"bucket":"b"}', has_secret: 1 }]);
    catalogue.db.prepare(`INSERT INTO destinations (id, name, type, settings, created_at, updated_at) VALUES ('d2', 'box', 'sftp', '{}', 't', 't')`).run();
    catalogue.db.prepare(`INSERT INTO destinations (id, name, type, settings, created_at, updated_at) VALUES ('d3', 'blob', 'azure', '{}', 't', 't')`).run();
  } finally {
    catalogue.close();
  }
});

// Failed and interrupted backup runs of a Holdfast from before plannedFilename named the file they
// would have written as their `filename`, so `list --all` showed a file never written. Moved where
// no backup (or, for a set's run, no set's manifest) has that name; a run that did write it keeps it.
test("an older catalogue's failed and interrupted runs keep the file they never wrote as plannedFilename, not filename", () => {
  const at = migrations.indexOf(MOVE_UNWRITTEN_FILENAMES);
  expect(at).toBeGreaterThan(0);
  const older = new Database(file);
  for (const migration of migrations.slice(0, at)) typeof migration === 'string' ? older.exec(migration) : migration(older, { backupDir: undefined });
  older.pragma(`user_version = ${at}`);
  const run = older.prepare(`INSERT INTO runs (id, kind, profile_name, status, started_at, detail) VALUES (?, ?, 'shop', ?, '2025-01-01T00:00:00.000Z', ?)`);
  const detail = (fields: Record<string, unknown>) => JSON.stringify({ options: { format: 'custom' }, ...fields });
  run.run('failed', 'backup', 'failed', detail({ filename: 'backup-failed.dump' }));
  run.run('interrupted', 'backup', 'interrupted', detail({ filename: 'backup-interrupted.dump', set: 's0' }));
  run.run('imported', 'backup', 'failed', detail({ filename: 'backup-imported.dump', importedFrom: '/tmp/x.dump' }));
  run.run('wrote', 'backup', 'failed', detail({ filename: 'backup-wrote.dump' }));
  run.run('completed', 'backup', 'completed', detail({ filename: 'backup-completed.dump' }));
  run.run('verify', 'verify', 'failed', detail({ filename: 'backup-wrote.dump' }));
  run.run('set-stopped', 'backup', 'interrupted', detail({ filename: 'backup-server.set', wholeServerSet: true }));
  run.run('set-partial', 'backup', 'failed', JSON.stringify({ filename: 'backup-partial.set', setId: 's1' }));
  // A detail that is not JSON (a damaged or hand-edited row) is left as it is: the migration runs at
  // every start, and one such row must not stop every command with "malformed JSON".
  run.run('not-json', 'backup', 'failed', '{"filename": "backup-cut.dump", "optio');
  run.run('set-not-json', 'backup', 'interrupted', '{"filename": "backup-cut.set", "wholeServerSet": tr');
  older
    .prepare(
      `INSERT INTO backups (id, run_id, profile_name, filename, path, status, created_at, size, checksum, metadata) VALUES ('b', 'wrote', 'shop', 'backup-wrote.dump', '/b/backup-wrote.dump', 'completed', 't', 1, 'sha256:x', '{}')`,
    )
    .run();
  older
    .prepare(`INSERT INTO backup_sets (id, run_id, profile_name, created_at, status, manifest_path, manifest) VALUES ('s1', 'set-partial', 'server', 't', 'partial', 'backup-partial.set', '{}')`)
    .run();
  older.close();
  const catalogue = new Catalogue(file, {});
  try {
    const detailOf = (id: string) => catalogue.getRun(id)?.detail;
    expect(detailOf('failed')).toEqual({ options: { format: 'custom' }, plannedFilename: 'backup-failed.dump' });
    expect(detailOf('interrupted')).toEqual({ options: { format: 'custom' }, set: 's0', plannedFilename: 'backup-interrupted.dump' });
    expect(detailOf('imported')).toEqual({ options: { format: 'custom' }, importedFrom: '/tmp/x.dump', plannedFilename: 'backup-imported.dump' });
    // A set's run keeps its manifest's name where a set's run does now (interrupted-sets.ts reads it there).
    expect(detailOf('set-stopped')).toEqual({ options: { format: 'custom' }, wholeServerSet: true, manifestName: 'backup-server.set' });
    expect(detailOf('wrote')).toEqual({ options: { format: 'custom' }, filename: 'backup-wrote.dump' });
    expect(detailOf('completed')).toEqual({ options: { format: 'custom' }, filename: 'backup-completed.dump' });
    expect(detailOf('verify')).toEqual({ options: { format: 'custom' }, filename: 'backup-wrote.dump' });
    expect(detailOf('set-partial')).toEqual({ filename: 'backup-partial.set', setId: 's1' });
    const rawDetail = catalogue.db.prepare(`SELECT id, detail FROM runs WHERE id IN ('not-json', 'set-not-json') ORDER BY id`).all();
    expect(rawDetail).toEqual([
      { id: 'not-json', detail: '{"filename": "backup-cut.dump", "optio' },
      { id: 'set-not-json', detail: '{"filename": "backup-cut.set", "wholeServerSet": tr' },
    ]);
  } finally {
    catalogue.close();
  }
});
