// When the catalogue's open runs quick_check (integrity.ts): after a clean close the next open trusts
// the unchanged file for a day; any other writer, a leftover -wal or an unreadable record means a
// check, and a damaged file is still refused before anything is read or written.
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { Catalogue } from './catalogue.ts';
import { catalogueIdentity, checkAtOpen, cleanRecordPath, QUICK_CHECK_MAX_AGE_MS, readCleanRecord } from './integrity.ts';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-integrity-'));
  file = join(dir, 'catalogue.sqlite');
  const catalogue = new Catalogue(file);
  // Enough rows that a page in the middle of the file holds table data.
  for (let i = 0; i < 300; i += 1) catalogue.db.prepare('INSERT INTO audit_log (at, actor, action, target) VALUES (?, ?, ?, ?)').run('t', 'a', 'x'.repeat(100), String(i));
  catalogue.close();
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of the catalogue beside it with a page in the middle overwritten: what quick_check must refuse. */
function damagedCopy(): string {
  const damaged = join(dir, 'damaged.sqlite');
  copyFileSync(file, damaged);
  const fd = openSync(damaged, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0x41), 0, 4096, 4096 * 4);
  closeSync(fd);
  return damaged;
}

/** What checkAtOpen decides for the file as it is now, `now` ms after the recorded check. */
function decide(after: number): 'trusted' | 'checked' {
  const record = readCleanRecord(file)!;
  const now = record.checkedAt + after;
  const db = new Database(file, { readonly: true });
  try {
    return checkAtOpen(db, file, catalogueIdentity(file), now).checkedAt === now ? 'checked' : 'trusted';
  } finally {
    db.close();
  }
}

test('a clean close leaves a record; the unchanged file is trusted for a day, then checked again', () => {
  const record = readCleanRecord(file);
  expect(record?.identity).toBe(catalogueIdentity(file));
  expect(decide(60_000)).toBe('trusted');
  expect(decide(QUICK_CHECK_MAX_AGE_MS - 1)).toBe('trusted');
  expect(decide(QUICK_CHECK_MAX_AGE_MS)).toBe('checked');
  // A clock set back does not stretch the day.
  expect(decide(-60_000)).toBe('checked');
});

test("a Holdfast process's own writes stay trusted; the record keeps the time of the last real check", () => {
  const first = readCleanRecord(file)!;
  const catalogue = new Catalogue(file);
  catalogue.db.prepare('INSERT INTO audit_log (at, actor, action, target) VALUES (?, ?, ?, ?)').run('t', 'a', 'again', 'x');
  catalogue.close();
  const second = readCleanRecord(file)!;
  expect(second.checkedAt).toBe(first.checkedAt);
  expect(second.identity).not.toBe(first.identity);
  expect(decide(60_000)).toBe('trusted');
});

test('any other writer, a leftover -wal, or an unreadable record means a check', () => {
  const identity = catalogueIdentity(file);
  // Written by something else, even with its modification time put back.
  const db = new Database(file);
  db.prepare('INSERT INTO audit_log (at, actor, action, target) VALUES (?, ?, ?, ?)').run('t', 'a', 'outside', 'x');
  db.close();
  const record = readCleanRecord(file)!;
  utimesSync(file, new Date(record.checkedAt), new Date(record.checkedAt));
  expect(catalogueIdentity(file)).not.toBe(identity);
  expect(decide(60_000)).toBe('checked');

  new Catalogue(file).close();
  expect(decide(60_000)).toBe('trusted');
  writeFileSync(`${file}-wal`, ''); // as a crash leaves it
  expect(decide(60_000)).toBe('checked');
  rmSync(`${file}-wal`);

  new Catalogue(file).close();
  writeFileSync(cleanRecordPath(file), 'not json');
  expect(readCleanRecord(file)).toBeUndefined();
  rmSync(cleanRecordPath(file));
  expect(readCleanRecord(file)).toBeUndefined();
});

test('a page overwritten after a clean close is refused at the next open, the file untouched', () => {
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0x41), 0, 4096, 4096 * 4);
  closeSync(fd);
  const before = readFileSync(file);
  expect(() => new Catalogue(file)).toThrow("failed SQLite's integrity check");
  expect(readFileSync(file).equals(before)).toBe(true);
});

test('a damaged copy put in place of a checked catalogue is refused', () => {
  const damaged = damagedCopy();
  copyFileSync(damaged, file);
  expect(() => new Catalogue(file)).toThrow("failed SQLite's integrity check");
});

test('a damaged copy moved into place while a Holdfast process has the catalogue open is not recorded as clean by its close', () => {
  const damaged = damagedCopy();
  // serve (or a long backup) is running; someone restores "their copy" with mv/rsync, which renames.
  const running = new Catalogue(file);
  renameSync(damaged, file);
  running.close();
  expect(() => new Catalogue(file)).toThrow("failed SQLite's integrity check");
});

test('a damaged copy renamed into place between the identity taken before the open and the open is checked', () => {
  const identity = catalogueIdentity(file);
  const damaged = damagedCopy();
  renameSync(damaged, file);
  const db = new Database(file, { readonly: true });
  try {
    expect(() => checkAtOpen(db, file, identity)).toThrow("failed SQLite's integrity check");
  } finally {
    db.close();
  }
});

test('a damaged copy written over the file in place (cp) while a Holdfast process has it open is not recorded as clean by its close', () => {
  const damaged = damagedCopy();
  const running = new Catalogue(file);
  running.db.prepare('INSERT INTO audit_log (at, actor, action, target) VALUES (?, ?, ?, ?)').run('t', 'a', 'during', 'x');
  copyFileSync(damaged, file); // same inode: truncated and rewritten
  running.close();
  expect(() => new Catalogue(file)).toThrow("failed SQLite's integrity check");
});
