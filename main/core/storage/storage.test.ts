// Where a catalogued backup is read from: a local one where its path says (keyed against this
// process's BACKUP_DIR), outside BACKUP_DIR from its own folder; names a sidecar gives cannot reach outside.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { EngineContext } from '../backup/backup.ts';
import type { BackupMetadata } from '../model/types.ts';
import { checkBackupFiles } from '../verify/verify.ts';
import { BackupStorage } from './storage.ts';

let dir: string;
let backupDir: string;
let storage: BackupStorage;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-room-'));
  backupDir = join(dir, 'backups');
  mkdirSync(backupDir);
  storage = new BackupStorage(backupDir);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const noGlobals: BackupMetadata['globals'] = { filename: null, checksum: null, note: null };

test('a key under BACKUP_DIR is read from the local destination, with its companions beside it', async () => {
  const path = join(backupDir, 'shop', 'backup-a.dump');
  const stored = storage.locate({ path, location: { destination: 'local', key: 'shop/backup-a.dump' }, globals: { ...noGlobals, filename: 'backup-a.dump.globals.sql' } });
  expect(stored.destination.describe(stored.key)).toBe(path);
  expect(stored.key).toBe('shop/backup-a.dump');
  expect(stored.sidecarKey).toBe('shop/backup-a.dump.json');
  expect(stored.globalsKey).toBe('shop/backup-a.dump.globals.sql');
});

test('a local backup keyed against another BACKUP_DIR (the CLI run with its own beside the app) is read where its path says', async () => {
  const otherDir = join(dir, 'cli-backups');
  mkdirSync(otherDir);
  writeFileSync(join(otherDir, 'backup-y.dump'), 'y');
  writeFileSync(join(backupDir, 'backup-y.dump'), 'a different file of the same name');
  const backup = { path: join(otherDir, 'backup-y.dump'), location: { destination: 'local', key: 'backup-y.dump' }, globals: noGlobals };
  const stored = storage.locate(backup);
  expect(stored.destination.describe(stored.key)).toBe(join(otherDir, 'backup-y.dump'));
  expect((await storage.readable(backup)).backup.path).toBe(join(otherDir, 'backup-y.dump'));
});

test('an absolute key (outside BACKUP_DIR) is read from its own folder; a row without a location is where its path says', async () => {
  const elsewhere = join(dir, 'elsewhere');
  mkdirSync(elsewhere);
  writeFileSync(join(elsewhere, 'backup-b.dump'), 'b');
  const outside = storage.locate({ path: join(elsewhere, 'backup-b.dump'), location: { destination: 'local', key: join(elsewhere, 'backup-b.dump') }, globals: noGlobals });
  expect(outside.key).toBe('backup-b.dump');
  expect(outside.destination.describe(outside.key)).toBe(join(elsewhere, 'backup-b.dump'));
  expect(await storage.isPresent({ path: join(elsewhere, 'backup-b.dump'), globals: noGlobals })).toBe(true);
  expect(await storage.isPresent({ path: join(backupDir, 'backup-gone.dump'), globals: noGlobals })).toBe(false);
  expect(storage.locationOf({ path: join(backupDir, 'backup-c.dump') })).toEqual({ destination: 'local', key: 'backup-c.dump' });
});

test('an unknown destination is refused with what to do', () => {
  expect(() => storage.locate({ path: '/x', location: { destination: 'offsite', key: 'a' }, globals: noGlobals })).toThrow(/No storage destination named "offsite"/);
});

test('a roles file name that climbs out of the backup folder is refused, not read', async () => {
  const stored = storage.locate({ path: '', location: { destination: 'local', key: 'backup-a.dump' }, globals: { ...noGlobals, filename: '../secret' } });
  await expect(stored.destination.stat(stored.globalsKey!)).rejects.toMatchObject({ code: 'BAD_INPUT' });
});

test('verify reads a backup through the storage room: the file, its size and checksum', async () => {
  const content = 'SELECT 1;\n';
  writeFileSync(join(backupDir, 'backup-a.sql'), content);
  const backup = {
    filename: 'backup-a.sql',
    path: join(backupDir, 'backup-a.sql'),
    location: { destination: 'local', key: 'backup-a.sql' },
    size: content.length,
    checksum: `sha256:${createHash('sha256').update(content).digest('hex')}`,
    format: 'plain',
    compression: 'none',
    rowCounts: {},
    globals: noGlobals,
  } as unknown as BackupMetadata;
  const context = { config: { backupDir, timeoutMs: 10_000 }, clientTools: async () => [] } as unknown as EngineContext;
  const checks = await checkBackupFiles(context, backup);
  expect(checks.slice(0, 3)).toEqual([
    { name: 'exists', status: 'ok', detail: join(backupDir, 'backup-a.sql') },
    { name: 'size', status: 'ok', detail: `${content.length} bytes` },
    { name: 'checksum', status: 'ok', detail: backup.checksum },
  ]);
});

test('presence of many backups at once: one listing per folder; a file gone, a tree, a file outside BACKUP_DIR, a folder that is gone', async () => {
  const here = (name: string) => ({ path: join(backupDir, name), location: { destination: 'local' as const, key: name }, globals: noGlobals });
  writeFileSync(join(backupDir, 'a.dump'), 'a');
  mkdirSync(join(backupDir, 'tree.dir'));
  writeFileSync(join(backupDir, 'tree.dir', 'toc.dat'), 't');
  const outsideDir = join(dir, 'elsewhere');
  mkdirSync(outsideDir);
  writeFileSync(join(outsideDir, 'c.dump'), 'c');
  const backups = [
    here('a.dump'),
    here('gone.dump'),
    here('tree.dir'),
    { path: join(outsideDir, 'c.dump'), location: undefined, globals: noGlobals },
    { path: join(dir, 'no-such-folder', 'd.dump'), location: undefined, globals: noGlobals },
  ];
  const presence = await storage.presence(backups);
  expect(backups.map((backup) => presence.get(backup))).toEqual([true, false, true, true, false]);
  // The same answers one by one.
  for (const backup of backups) expect(await storage.isPresent(backup)).toBe(presence.get(backup));
});
