// Adopt records each backup's location as the rest of the engine reads it: a key under BACKUP_DIR,
// or the absolute path of a backup adopted in place elsewhere.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { Catalogue } from '../catalogue/catalogue.ts';
import { existsSync } from 'node:fs';
import { removeBackupFiles } from '../retention/cleanup.ts';
import { adoptDirectory } from './adopt.ts';
import { BackupStorage } from './storage.ts';

let dir: string;
let backupDir: string;
let catalogue: Catalogue;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-adopt-'));
  backupDir = join(dir, 'backups');
  catalogue = new Catalogue(join(dir, 'catalogue.sqlite'), { backupDir });
});

afterEach(() => {
  catalogue.close();
  rmSync(dir, { recursive: true, force: true });
});

let serial = 0;
function backupIn(folder: string, content = 'SELECT 1;\n', globalsFilename: string | null = null): { id: string; filename: string } {
  serial += 1;
  mkdirSync(folder, { recursive: true });
  const id = serial.toString(16).padStart(12, '0');
  const filename = `backup-2025-01-01T00-00-0${serial}-000Z-shop.sql`;
  writeFileSync(join(folder, filename), content);
  const sidecar = {
    id,
    filename,
    timestamp: '2025-01-01T00:00:00.000Z',
    size: content.length,
    format: 'plain',
    profile: 'shop',
    compression: 'none',
    checksum: `sha256:${createHash('sha256').update(content).digest('hex')}`,
    rowCounts: {},
    clientVersion: 'pg_dump 16',
    serverMajor: 16,
    globals: { filename: globalsFilename, checksum: null, note: null },
    path: '/where/it/was/written',
    location: { destination: 'local', key: 'stale' },
  };
  writeFileSync(join(folder, `${filename}.json`), JSON.stringify(sidecar));
  return { id, filename };
}

test("a backup adopted under BACKUP_DIR is keyed relative to it; one adopted elsewhere by its absolute path; the sidecar's own path and location are not trusted", async () => {
  const inside = backupIn(backupDir);
  const elsewhere = join(dir, 'usb');
  const outside = backupIn(elsewhere);
  expect((await adoptDirectory(catalogue, backupDir, backupDir)).report.adopted).toEqual([inside.filename]);
  expect((await adoptDirectory(catalogue, elsewhere, backupDir)).report.adopted).toEqual([outside.filename]);
  expect(catalogue.findBackup(inside.id)).toMatchObject({ path: join(backupDir, inside.filename), location: { destination: 'local', key: inside.filename } });
  expect(catalogue.findBackup(outside.id)).toMatchObject({ path: join(elsewhere, outside.filename), location: { destination: 'local', key: join(elsewhere, outside.filename) } });
});

test("a file whose bytes differ from its sidecar's checksum is skipped", async () => {
  const damaged = backupIn(backupDir);
  writeFileSync(join(backupDir, damaged.filename), 'SELECT 2;\n');
  const { report } = await adoptDirectory(catalogue, backupDir, backupDir);
  expect(report.adopted).toEqual([]);
  expect(report.skipped).toMatchObject([{ file: damaged.filename, reason: expect.stringContaining('does not match') }]);
});

test('a sidecar whose roles file is not its own is skipped, and deleting a backup never removes a file its row names as roles file but is not its companion', async () => {
  // Another profile's backups in BACKUP_DIR/other, and a sidecar that names that folder (or one of its files) as its roles file.
  const victim = backupIn(join(backupDir, 'other'));
  const hostile = backupIn(backupDir, 'SELECT 1;\n', 'other');
  const { report } = await adoptDirectory(catalogue, backupDir, backupDir);
  expect(report.adopted).toEqual([]);
  expect(report.skipped).toMatchObject([{ file: hostile.filename, reason: expect.stringContaining('roles file') }]);
  // A row that says so anyway (an older catalogue, a hand edit): its delete leaves the other backup alone.
  const row = { ...(catalogue.findBackup(victim.id) ?? {}), id: hostile.id } as never;
  const storage = new BackupStorage(backupDir);
  const stored = {
    ...(row as object),
    path: join(backupDir, hostile.filename),
    location: { destination: 'local', key: hostile.filename },
    format: 'plain',
    globals: { filename: `other/${victim.filename}`, checksum: null, note: null },
  };
  await removeBackupFiles(storage, stored as never);
  expect(existsSync(join(backupDir, hostile.filename))).toBe(false);
  expect(existsSync(join(backupDir, 'other', victim.filename))).toBe(true);
});

test('a sidecar far bigger than any Holdfast writes is skipped without being read into memory', async () => {
  const { truncateSync } = await import('node:fs');
  mkdirSync(backupDir, { recursive: true });
  const huge = join(backupDir, 'backup-2025-01-01T00-00-00-000Z-huge.sql.json');
  writeFileSync(huge, '');
  truncateSync(huge, 2 * 1024 * 1024 * 1024);
  const { report } = await adoptDirectory(catalogue, backupDir, backupDir);
  expect(report.skipped).toMatchObject([{ file: 'backup-2025-01-01T00-00-00-000Z-huge.sql.json', reason: expect.stringContaining('more than any sidecar holds') }]);
});

test("deleting an encrypted backup removes its encrypted roles file (<stem>.globals.sql.age), the dump's own companion", async () => {
  mkdirSync(backupDir, { recursive: true });
  const filename = 'backup-2025-01-01T00-00-00-000Z-shop.dump.age';
  const roles = 'backup-2025-01-01T00-00-00-000Z-shop.dump.globals.sql.age';
  for (const name of [filename, roles, `${filename}.json`]) writeFileSync(join(backupDir, name), 'age-encryption.org/v1\n');
  const stored = { id: 'e1', filename, path: join(backupDir, filename), location: { destination: 'local', key: filename }, format: 'custom', globals: { filename: roles, checksum: null, note: null } };
  await removeBackupFiles(new BackupStorage(backupDir), stored as never);
  expect([filename, roles, `${filename}.json`].filter((name) => existsSync(join(backupDir, name)))).toEqual([]);
});

test('an object whose name no destination accepts as a key (a backslash, as a hostile bucket or SFTP listing may hold) is skipped, and the good backups beside it are still adopted', async () => {
  const good = backupIn(backupDir);
  writeFileSync(join(backupDir, 'backup-x\\..\\..\\evil.dump.json'), '{}');
  const { report } = await adoptDirectory(catalogue, backupDir, backupDir);
  expect(report.adopted).toEqual([good.filename]);
  expect(report.skipped).toMatchObject([{ file: 'backup-x\\..\\..\\evil.dump.json', reason: expect.stringContaining('backslash') }]);
});
