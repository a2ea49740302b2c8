// The sweep of a dead run's temp files, with a real catalogue and real files: a live run's companions
// (plain and encrypted roles-file temps) stay; a dead run's go.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { Catalogue } from '../catalogue/catalogue.ts';
import { uploadDirName } from './import-upload.ts';
import { removeLeftoverTemps } from './leftover-temps.ts';
import { companionPaths, TEMP_SUFFIX } from './naming.ts';

let dir: string;
let catalogue: Catalogue;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-leftover-'));
  mkdirSync(join(dir, 'backups'));
  catalogue = new Catalogue(join(dir, 'catalogue.sqlite'));
});
afterEach(() => {
  catalogue.close();
  rmSync(dir, { recursive: true, force: true });
});

test.each(['backup-2026-12-05T14-00-00-000Z-shop.dump', 'backup-2026-12-05T14-00-00-000Z-shop.dump.age'])('a running backup keeps its roles-file temp (%s)', async (filename) => {
  const final = join(dir, 'backups', filename);
  const dumpTemp = `${final}${TEMP_SUFFIX}`;
  const rolesTemp = `${companionPaths(final).globals}${TEMP_SUFFIX}`;
  catalogue.startRun({ kind: 'backup', profile: 'shop', tempPath: dumpTemp });
  writeFileSync(dumpTemp, 'x');
  writeFileSync(rolesTemp, 'x');
  expect(await removeLeftoverTemps(join(dir, 'backups'), new Set())).toEqual([]);
  expect(existsSync(rolesTemp)).toBe(true);
});

test('a run this start found stopped leaves nothing: its dump temp and its roles-file temp go', async () => {
  const final = join(dir, 'backups', 'backup-2026-12-05T14-00-00-000Z-shop.dump');
  const dumpTemp = `${final}${TEMP_SUFFIX}`;
  const rolesTemp = `${companionPaths(final).globals}${TEMP_SUFFIX}`;
  writeFileSync(dumpTemp, 'x');
  writeFileSync(rolesTemp, 'x');
  expect((await removeLeftoverTemps(join(dir, 'backups'), new Set([dumpTemp]))).sort()).toEqual([dumpTemp, rolesTemp].sort());
});

// A BACKUP_DIR two homes share (a shared volume, README): the other home's backup is running, and
// its run is in its own catalogue, not this one. Its temps are not this start's to remove: removing
// them failed that backup with "pg_dump exited 0 but wrote nothing".
test("another home's dump temp and roles-file temp (no run of this catalogue) stay", async () => {
  const final = join(dir, 'backups', 'backup-2026-12-05T14-00-00-000Z-theirs.dump');
  const dumpTemp = `${final}${TEMP_SUFFIX}`;
  const rolesTemp = `${companionPaths(final).globals}${TEMP_SUFFIX}`;
  writeFileSync(dumpTemp, 'x');
  writeFileSync(rolesTemp, 'x');
  expect(await removeLeftoverTemps(join(dir, 'backups'), new Set())).toEqual([]);
  expect(existsSync(dumpTemp) && existsSync(rolesTemp)).toBe(true);
});

test("a file still being written durably (.<name>.<pid>-<tag>.tmp) stays while its writer lives; a dead writer's goes", async () => {
  const backups = join(dir, 'backups');
  const writing = join(backups, `.backup-2026-12-05T14-00-00-000Z-shop.dump.json.${process.pid}-0a1b2c3d.tmp`);
  const orphan = join(backups, '.backup-2026-12-04T14-00-00-000Z-shop.dump.json.2147483646-0a1b2c3d.tmp');
  writeFileSync(writing, 'x');
  writeFileSync(orphan, 'x');
  expect(await removeLeftoverTemps(backups, new Set())).toEqual([orphan]);
  expect(existsSync(writing)).toBe(true);
});

test("an upload's private directory stays while its process lives; a crashed one's goes, with what it received", async () => {
  const backups = join(dir, 'backups');
  const receiving = join(backups, uploadDirName(process.pid, '0a1b2c3d'));
  const crashed = join(backups, uploadDirName(2147483646, '0a1b2c3d'));
  for (const upload of [receiving, crashed]) {
    mkdirSync(upload, { mode: 0o700 });
    writeFileSync(join(upload, 'dump'), 'PGDMP');
  }
  expect(await removeLeftoverTemps(backups, new Set())).toEqual([crashed]);
  expect(existsSync(receiving)).toBe(true);
  expect(existsSync(crashed)).toBe(false);
});
