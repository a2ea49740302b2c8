// Damage in every format Holdfast writes, and in the roles file beside a backup: verify fails and
// names what is damaged, and a restore that would replace the database is refused before it touches
// anything. (One flipped byte in a custom dump is in failures.test.ts.) Also: a backup flagged
// missing at start is completed again once its file is back.
import { closeSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BackupOptions } from '../main/core/backup/options.ts';
import type { Holdfast } from '../main/core/holdfast.ts';
import type { BackupMetadata } from '../main/core/model/types.ts';
import type { PgServer } from './support/pg-server.ts';
import { closeShop, openShop, type TestHome } from './support/holdfast-env.ts';

let server: PgServer;
let home: TestHome;
let holdfast: Holdfast;

beforeAll(async () => {
  ({ server, home, holdfast } = await openShop(500));
});

afterAll(() => closeShop({ server, home, holdfast }));

/** Flips one bit of the byte in the middle of a file. */
function flipByte(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    const at = Math.floor(statSync(path).size / 2);
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, at);
    byte[0] = byte[0]! ^ 0x01;
    writeSync(fd, byte, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}

/** What a refused restore must leave as it was: the shop database's rows and the list of databases. */
async function targetState() {
  const databases = await server.query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY datname');
  const counts = await server.query<{ users: string; orders: string }>('SELECT (SELECT count(*) FROM users)::text AS users, (SELECT count(*) FROM orders)::text AS orders', 'shop');
  return { databases: databases.map((row) => row.datname), counts: counts[0] };
}

/** Verify fails with `detail` on the check named; a --clean restore over shop is refused with it, shop untouched. */
async function expectRefused(backup: BackupMetadata, check: string, detail: RegExp): Promise<void> {
  const result = await holdfast.verify(backup.id);
  expect(result.valid).toBe(false);
  expect(result.checks.filter((c) => c.status === 'failed')).toContainEqual(expect.objectContaining({ name: check, detail: expect.stringMatching(detail) }));

  const before = await targetState();
  await expect(holdfast.restore({ ref: backup.id, to: 'shop', create: false, clean: true, confirm: 'shop', noOwner: false, noAcl: false, dryRun: false })).rejects.toMatchObject({
    code: 'RESTORE_REFUSED',
    message: expect.stringMatching(new RegExp(`failed verification.*${detail.source}`)),
  });
  expect(await targetState()).toEqual(before);
  expect(before.counts).toEqual({ users: '500', orders: '1000' });
}

async function backupAs(suffix: string, options: Partial<BackupOptions>): Promise<BackupMetadata> {
  const backup = await holdfast.backup('shop', { ...options, suffix });
  expect((await holdfast.verify(backup.id)).valid).toBe(true);
  return backup;
}

describe('damaged backups in every format', () => {
  test('directory: a data file changed', async () => {
    const backup = await backupAs('dir-flip', { format: 'directory' });
    const data = readdirSync(backup.path)
      .filter((name) => name.endsWith('.dat.gz'))
      .sort((a, b) => statSync(join(backup.path, b)).size - statSync(join(backup.path, a)).size)[0]!;
    flipByte(join(backup.path, data));
    await expectRefused(backup, 'checksum', new RegExp(`changed ${data.replace('.', '\\.')}; missing none`));
  });

  test('directory: its table of contents changed (the list of what the archive holds)', async () => {
    const backup = await backupAs('dir-toc', { format: 'directory' });
    flipByte(join(backup.path, 'toc.dat'));
    await expectRefused(backup, 'checksum', /changed toc\.dat; missing none/);
  });

  test('directory: a data file removed, or one added that was never part of it', async () => {
    const removed = await backupAs('dir-gone', { format: 'directory' });
    const data = readdirSync(removed.path)
      .filter((name) => name.endsWith('.dat.gz'))
      .sort()[0]!;
    rmSync(join(removed.path, data));
    await expectRefused(removed, 'checksum', new RegExp(`changed none; missing ${data.replace('.', '\\.')}`));

    const added = await backupAs('dir-extra', { format: 'directory' });
    writeFileSync(join(added.path, '9999.dat.gz'), 'planted');
    await expectRefused(added, 'checksum', /changed 9999\.dat\.gz; missing none/);
  });

  test('tar: one flipped byte', async () => {
    const backup = await backupAs('tar-flip', { format: 'tar' });
    flipByte(backup.path);
    await expectRefused(backup, 'checksum', /does not match the recorded sha256:[0-9a-f]{64}: the file is corrupt/);
  });

  test('plain .sql.gz and .sql: one flipped byte', async () => {
    const gz = await backupAs('plain-gz', { format: 'plain' });
    expect(gz.filename).toMatch(/\.sql\.gz$/);
    flipByte(gz.path);
    await expectRefused(gz, 'checksum', /the file is corrupt/);

    const sql = await backupAs('plain-sql', { format: 'plain', compression: { method: 'none' } });
    expect(sql.filename).toMatch(/\.sql$/);
    flipByte(sql.path);
    await expectRefused(sql, 'checksum', /the file is corrupt/);
  });

  test('the roles file beside a backup: changed, or gone', async () => {
    const changed = await backupAs('roles-flip', {});
    expect(changed.globals.filename).toBeTruthy();
    writeFileSync(join(backupDirOf(changed), changed.globals.filename!), 'CREATE ROLE intruder SUPERUSER LOGIN;\n', { flag: 'a' });
    await expectRefused(changed, 'globals', /the roles file does not match its checksum/);

    const gone = await backupAs('roles-gone', {});
    rmSync(join(backupDirOf(gone), gone.globals.filename!));
    await expectRefused(gone, 'globals', new RegExp(`${gone.globals.filename!.replace(/[.]/g, '\\.')} is gone: the roles and tablespaces this backup's objects need cannot be restored with it`));
  });
});

function backupDirOf(backup: BackupMetadata): string {
  return join(backup.path, '..');
}

describe('a backup file that goes away and comes back', () => {
  test('is flagged missing at start, and completed again at the next start once its file is back', async () => {
    const backup = await holdfast.backup('shop', { suffix: 'away' });
    const aside = `${backup.path}.aside`;
    renameSync(backup.path, aside);
    const gone = await home.open();
    try {
      expect(gone.catalogue.findBackup(backup.id)?.status).toBe('missing');
    } finally {
      gone.close();
    }

    renameSync(aside, backup.path);
    const back = await home.open();
    try {
      expect(back.catalogue.findBackup(backup.id)?.status).toBe('completed');
      expect((await back.verify(backup.id)).valid).toBe(true);
    } finally {
      back.close();
    }
  });
});
