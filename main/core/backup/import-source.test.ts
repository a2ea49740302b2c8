import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { openRegularFile, plainOrigin, requireRoomFor, reserveRoomFor } from './import-source.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// inspectImportSource refuses a pipe or a device by lstat, but the file is opened later (its head,
// then the copy): one swapped for a FIFO in between blocked the open until a writer came, holding
// one of libuv's four file threads for good. The open itself must not wait, and must refuse.
test('a FIFO or a device is refused at the open itself, without waiting for a writer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-fifo-'));
  dirs.push(dir);
  const fifo = join(dir, 'swapped.dump');
  execFileSync('mkfifo', [fifo]);
  await expect(openRegularFile(fifo)).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/not a regular file/) });
  await expect(openRegularFile('/dev/zero')).rejects.toMatchObject({ code: 'BAD_INPUT' });
}, 5_000);

test('a dump larger than the free space where it would be copied is refused before a byte is written, naming both sizes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-room-'));
  try {
    const disk = statfsSync(dir);
    const free = disk.bavail * disk.bsize;
    expect(() => requireRoomFor('/srv/dumps/huge.dump', free + 1024 ** 3, dir)).toThrow(/\/srv\/dumps\/huge\.dump is .* and the backup directory has .* free/);
    expect(() => requireRoomFor('/srv/dumps/small.dump', 1024, dir)).not.toThrow();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Each import checked the free space alone: two uploads at once that each fit, together filled
// BACKUP_DIR, and the scheduled backups failed meanwhile. Room taken by an import in flight counts.
test('room reserved by an import in flight counts against the next one until it is released', () => {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-room-'));
  try {
    const disk = statfsSync(dir);
    const sixTenths = Math.floor(disk.bavail * disk.bsize * 0.6);
    const first = reserveRoomFor('first.dump', sixTenths, dir);
    expect(() => reserveRoomFor('second.dump', sixTenths, dir)).toThrow(/second\.dump is .* and the backup directory has .* free, .* of it taken by imports in progress/);
    expect(() => requireRoomFor('second.dump', sixTenths, dir)).toThrow(/taken by imports in progress/);
    first.release();
    first.release(); // twice is harmless
    reserveRoomFor('second.dump', sixTenths, dir).release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// What pg_dump --create writes after CREATE DATABASE (appendPsqlMetaConnect): a plain name bare, any
// other as a quoted connection string. A script without the line, or one of another shape, says nothing.
test.each([
  ['\\connect shop', 'shop'],
  ['\\connect Shop.v2', 'Shop.v2'],
  ['\\connect -reuse-previous=on "dbname=\'my db\'"', 'my db'],
  ['\\connect -reuse-previous=on "dbname=\'it\\\'s \\\\ ""x""\'"', 'it\'s \\ "x"'],
  ['\\connect :dbname', undefined],
  ["SET client_encoding = 'UTF8';", undefined],
])("a plain script's database from %s: %s", (line, database) => {
  expect(plainOrigin(`--\n-- PostgreSQL database dump\n--\n${line}\n`).database).toBe(database);
});
