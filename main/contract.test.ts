// The channels the desktop UI added to the contract: deleting one backup (with its file name typed
// as the confirmation) and reading the settings, through `invoke` as every shell calls them.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BackupOptionsSchema, MAX_PATTERNS } from './core/backup/options.ts';
import { companionPaths } from './core/backup/naming.ts';
import { loadConfig } from './core/config/config.ts';
import { sha256File } from './core/fsutil/durable.ts';
import { Holdfast } from './core/holdfast.ts';
import { noKeychain } from '../test/support/no-keychain.ts';
import type { BackupMetadata } from './core/model/types.ts';
import { invoke } from './contract.ts';

let home: string;
let holdfast: Holdfast;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'holdfast-contract-'));
  ({ holdfast } = await Holdfast.open(loadConfig({ HOLDFAST_HOME: home }), { secrets: noKeychain }));
});

afterEach(async () => {
  holdfast.close();
  await rm(home, { recursive: true, force: true });
});

/** A backup catalogued the way `holdfast adopt` does: a file and its sidecar with a matching checksum. */
async function adoptedBackup(): Promise<BackupMetadata> {
  const filename = 'backup-2025-01-01T02-00-00-000Z-shop.dump';
  const path = join(holdfast.config.backupDir, filename);
  await mkdir(holdfast.config.backupDir, { recursive: true });
  await writeFile(path, 'PGDMP not a real archive, only bytes to delete');
  const { globals, sidecar } = companionPaths(path);
  await writeFile(globals, '-- roles');
  const metadata = {
    id: 'a1b2c3d4e5f6',
    filename,
    timestamp: '2025-01-01T02:00:00.000Z',
    size: 47,
    compressed: true,
    encrypted: false,
    checksum: `sha256:${await sha256File(path)}`,
    databaseSize: 1000,
    tables: ['public.users'],
    version: 'PostgreSQL 15.18',
    duration: 120,
    profile: 'shop',
    database: 'shop',
    path,
    format: 'custom',
    compression: 'gzip',
    status: 'completed',
    rowCounts: { 'public.users': 3 },
    serverMajor: 15,
    clientVersion: 'pg_dump 15.18',
    options: BackupOptionsSchema.parse({}),
    globals: { filename: `${filename}.globals.sql`, checksum: null, note: null },
  };
  await writeFile(sidecar, JSON.stringify(metadata));
  const adopted = await invoke(holdfast, 'backup.adopt', { dir: holdfast.config.backupDir });
  expect(adopted).toMatchObject({ ok: true, value: { adopted: [filename] } });
  return holdfast.catalogue.requireBackup(filename);
}

describe('backup.delete', () => {
  test('refuses without the file name typed, and then removes the file, its companions and the listing', async () => {
    const backup = await adoptedBackup();
    const { sidecar, globals } = companionPaths(backup.path);

    const refused = await invoke(holdfast, 'backup.delete', { ref: backup.id, confirm: 'shop' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', hint: expect.stringContaining(backup.filename) } });
    expect(existsSync(backup.path)).toBe(true);

    const deleted = await invoke(holdfast, 'backup.delete', { ref: backup.id, confirm: backup.filename });
    expect(deleted).toEqual({ ok: true, value: { deleted: backup.filename, freedBytes: backup.size } });
    for (const path of [backup.path, sidecar, globals]) expect(existsSync(path)).toBe(false);
    expect(await invoke(holdfast, 'backup.list', {})).toEqual({ ok: true, value: [] });
    expect(holdfast.catalogue.auditEntries(1)[0]).toMatchObject({ action: 'backup.delete', target: backup.filename });

    // Gone means gone: a second delete is NOT_FOUND, not a silent success.
    expect(await invoke(holdfast, 'backup.delete', { ref: backup.id, confirm: backup.filename })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  test('a row whose file another row also points at is dropped without removing the file; the last row pointing at it removes it', async () => {
    const backup = await adoptedBackup();
    const { sidecar, globals } = companionPaths(backup.path);
    // A second row naming the same file, as a copied catalogue or a hand-made fixture leaves it.
    const twin = { ...backup, id: 'f6e5d4c3b2a1', filename: 'backup-2025-01-02T02-00-00-000Z-shop.dump', timestamp: '2025-01-02T02:00:00.000Z' };
    holdfast.catalogue.insertBackup(twin, holdfast.catalogue.startRun({ kind: 'backup', profile: 'shop' }));

    const dropped = await invoke(holdfast, 'backup.delete', { ref: twin.id, confirm: twin.filename });
    expect(dropped).toEqual({ ok: true, value: { deleted: twin.filename, freedBytes: 0, filesKept: expect.stringContaining(backup.filename) } });
    for (const path of [backup.path, sidecar, globals]) expect(existsSync(path)).toBe(true);
    expect(holdfast.catalogue.findBackup(twin.id)?.status).toBe('deleted');
    expect(holdfast.catalogue.auditEntries(1)[0]).toMatchObject({ action: 'backup.delete', target: twin.filename, detail: { freed: '0 B', filesKeptFor: [backup.filename] } });

    // The row left is the only one naming the file now: its delete removes it.
    expect(await invoke(holdfast, 'backup.delete', { ref: backup.id, confirm: backup.filename })).toEqual({ ok: true, value: { deleted: backup.filename, freedBytes: backup.size } });
    for (const path of [backup.path, sidecar, globals]) expect(existsSync(path)).toBe(false);
  });
});

describe('settings.get', () => {
  test('shows the configuration, and whether a webhook is set but never its URL', async () => {
    const secretUrl = 'https://hooks.example.com/services/T000/B000/secret-part';
    // Read from the engine's environment (its configuration), never from this process's.
    const { holdfast: withWebhook } = await Holdfast.open(loadConfig({ HOLDFAST_HOME: home, HOLDFAST_WEBHOOK_URL: secretUrl }), { secrets: noKeychain });
    try {
      const result = await invoke(withWebhook, 'settings.get', {});
      expect(result).toMatchObject({
        ok: true,
        value: {
          home,
          backupDir: join(home, 'backups'),
          retentionDays: 30,
          schedules: { daily: '0 2 * * *', cleanup: '0 5 * * *' },
          notifications: { webhook: true, slack: false, on: 'all' },
        },
      });
      expect(JSON.stringify(result)).not.toContain('secret-part');
    } finally {
      withWebhook.close();
    }
    expect(await invoke(holdfast, 'settings.get', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });
});

describe('backup.list fields and backup.show', () => {
  test("fields: 'summary' lists each backup without its tables, row counts, options (only their scope), roles file or checksum; backup.show answers the full record", async () => {
    const backup = await adoptedBackup();
    const full = await invoke(holdfast, 'backup.list', {});
    expect(full).toEqual({ ok: true, value: [backup] });
    expect(await invoke(holdfast, 'backup.list', { fields: 'full' })).toEqual(full);

    const summary = await invoke(holdfast, 'backup.list', { all: true, fields: 'summary' });
    expect(summary).toEqual({
      ok: true,
      value: [
        {
          id: backup.id,
          filename: backup.filename,
          timestamp: backup.timestamp,
          size: backup.size,
          duration: backup.duration,
          profile: 'shop',
          database: 'shop',
          format: 'custom',
          compression: 'gzip',
          status: 'completed',
          scope: 'full',
          lastVerified: null,
          restoreTest: null,
          pinned: false,
          encryptedTo: null,
          imported: false,
        },
      ],
    });

    // …and whether its file is on this machine (the details offer no download of a backup kept on its destinations only).
    expect(await invoke(holdfast, 'backup.show', { ref: backup.id })).toEqual({ ok: true, value: { ...backup, localFilePresent: true } });
    expect(await invoke(holdfast, 'backup.show', { ref: backup.filename })).toEqual({ ok: true, value: { ...backup, localFilePresent: true } });
  });

  test('rejects unknown field sets and refs, and a backup that is not catalogued is NOT_FOUND', async () => {
    expect(await invoke(holdfast, 'backup.list', { fields: 'tables' })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('fields') } });
    expect(await invoke(holdfast, 'backup.show', {})).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('ref') } });
    expect(await invoke(holdfast, 'backup.show', { ref: '' })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(await invoke(holdfast, 'backup.show', { ref: 'a1b2c3d4e5f6', extra: true })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('extra') } });
    expect(await invoke(holdfast, 'backup.show', { ref: '../catalogue.sqlite' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('retention.preview', () => {
  test('a bad policy is named once, with what is wrong in it and the forms that work', async () => {
    const result = await invoke(holdfast, 'retention.preview', { policy: 'gfs:7d,4x' });
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', hint: expect.stringContaining('gfs:7d,4w,12m,3y') } });
    const message = result.ok ? '' : result.error.message;
    expect(message.match(/gfs:7d,4x/g)).toHaveLength(1);
    expect(message).toContain('"4x"');
    // A message that does not name the policy still gets it.
    const empty = await invoke(holdfast, 'retention.preview', { policy: ' ' });
    expect(empty).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });
});

describe('input errors', () => {
  test('however much input is wrong, the error names the first problems and counts the rest, in a bounded message', async () => {
    const tables = await invoke(holdfast, 'backup.create', { profile: 'shop', options: { tables: Array(MAX_PATTERNS).fill(1) } });
    expect(tables).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', message: expect.stringContaining('options.tables.0: Invalid input: expected string, received number') } });
    const tablesMessage = (tables as { error: { message: string } }).error.message;
    expect(tablesMessage).toContain(`and ${(MAX_PATTERNS - 5).toLocaleString('en-US')} more problems`);
    expect(tablesMessage.length).toBeLessThan(1000);
    // A longer list is refused whole, without a problem per entry.
    expect(await invoke(holdfast, 'backup.create', { profile: 'shop', options: { tables: Array(300_000).fill(1) } })).toEqual({
      ok: false,
      error: expect.objectContaining({ message: `Invalid input for backup.create: options.tables: Too big: expected array to have <=${MAX_PATTERNS} items` }),
    });

    const keys = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`field${i}`, 1]));
    const unknown = await invoke(holdfast, 'profile.list', { ...keys, ['x'.repeat(100_000)]: 1 });
    const unknownMessage = (unknown as { error: { message: string } }).error.message;
    expect(unknownMessage).toContain('unknown fields field0, field1, field2, field3, field4 and 49,996 more');
    expect(unknownMessage.length).toBeLessThan(1000);

    const long = await invoke(holdfast, 'profile.list', { ['y'.repeat(100_000)]: 1 });
    expect((long as { error: { message: string } }).error.message).toMatch(/^Invalid input for profile\.list: unknown field y{40}…$/);
  });
});

describe('backup.create of a whole-server profile', () => {
  test('is refused with a hint the app can show: its own controls, no channel name or CLI command', async () => {
    await holdfast.addProfile({ name: 'whole', host: '127.0.0.1', port: 5432, user: 'postgres', dbname: 'postgres', wholeServer: { excludeDatabases: [], parallelDatabases: 2 } });
    const refused = await invoke(holdfast, 'backup.create', { profile: 'whole', options: {} });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', hint: expect.stringContaining('holdfast backup') } });
    if (refused.ok) return;
    expect(refused.error.appHint).toContain('Run now');
    expect(refused.error.appHint).not.toMatch(/backup\.take|holdfast [a-z]|--[a-z]/);
  });
});
