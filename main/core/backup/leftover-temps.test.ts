// The sweep of a dead run's temp files, with a real catalogue and real files: a live run's companions
// (plain and encrypted roles-file temps) stay; a dead run's go.
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { Catalogue } from '../catalogue/catalogue.ts';
import { durableTempPath } from '../fsutil/durable.ts';
import { HOST_TAG, OTHER_HOST_TEMP_MAX_AGE_MS } from '../fsutil/temp-claim.ts';
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

// A BACKUP_DIR two hosts share (NFS): host A's pid means nothing on host B, so B's start-up judged A's
// running write dead (no such pid here) and removed its temp. A temp names its host; another host's
// is left alone until it has not changed for OTHER_HOST_TEMP_MAX_AGE_MS.
test("another host's durable temp and upload directory stay however its pid reads here; past the age limit they go", async () => {
  const backups = join(dir, 'backups');
  const DEAD_HERE = 2147483646;
  const theirs = join(backups, `.backup-2026-12-05T14-00-00-000Z-shop.dump.json.${DEAD_HERE}@other-host.example-0a1b2c3d.tmp`);
  const theirUpload = join(backups, uploadDirName(DEAD_HERE, '0a1b2c3d', 'other-host'));
  const mineDead = join(backups, uploadDirName(DEAD_HERE, '0a1b2c3e'));
  writeFileSync(theirs, 'x');
  for (const upload of [theirUpload, mineDead]) {
    mkdirSync(upload, { mode: 0o700 });
    writeFileSync(join(upload, 'dump'), 'PGDMP');
  }
  expect(await removeLeftoverTemps(backups, new Set())).toEqual([mineDead]);
  expect(existsSync(theirs) && existsSync(theirUpload)).toBe(true);
  expect(uploadDirName(DEAD_HERE, '0a1b2c3e')).toContain(`${DEAD_HERE}@${HOST_TAG}-`);
  // The upload's file is still growing: the directory's own time is old, the file's is not.
  const old = new Date(Date.now() - OTHER_HOST_TEMP_MAX_AGE_MS - 60_000);
  utimesSync(theirUpload, old, old);
  expect(await removeLeftoverTemps(backups, new Set())).toEqual([]);
  utimesSync(join(theirUpload, 'dump'), old, old);
  utimesSync(theirs, old, old);
  expect((await removeLeftoverTemps(backups, new Set())).sort()).toEqual([theirs, theirUpload].sort());
});

test('a durable write names this host in its temp', () => {
  expect(basename(durableTempPath('/b/backup-x.dump.json'))).toMatch(new RegExp(`^\\.backup-x\\.dump\\.json\\.${process.pid}@${HOST_TAG.replace(/\./g, '\\.')}-[0-9a-f]{8}\\.tmp$`));
});

test("a host whose name ends in a dot and digits (10.0.2147483645, worker.2147483645) keeps its live temps: its name's digits are not read as a pid of this host", async () => {
  const backups = join(dir, 'backups');
  const DEAD_HERE = 2147483646;
  // Read greedily, `…@10.0.2147483645-…` was pid 2147483645 of an older name without a host, judged here.
  const theirs = join(backups, `.backup-2026-12-05T14-00-00-000Z-shop.dump.json.${DEAD_HERE}@10.0.2147483645-0a1b2c3d.tmp`);
  const theirUpload = join(backups, uploadDirName(DEAD_HERE, '0a1b2c3d', 'worker.2147483645'));
  writeFileSync(theirs, 'x');
  mkdirSync(theirUpload, { mode: 0o700 });
  expect(await removeLeftoverTemps(backups, new Set())).toEqual([]);
  expect(existsSync(theirs) && existsSync(theirUpload)).toBe(true);
});
