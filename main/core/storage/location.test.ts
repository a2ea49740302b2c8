import { relative, sep } from 'node:path';
import { expect, test } from 'vitest';
import { localLocation } from './location.ts';

/** What localLocation answered when it always asked path.relative. */
function byRelative(path: string, backupDir: string): string {
  const inside = relative(backupDir, path);
  const under = inside !== '' && inside !== '..' && !inside.startsWith(`..${sep}`);
  return (under ? inside : path).split(sep).join('/');
}

test('a path under BACKUP_DIR is keyed relative to it, the same as path.relative says, however the two are spelt', () => {
  const cases: Array<[string, string]> = [
    ['/var/backups/holdfast/backup-1.dump', '/var/backups/holdfast'],
    ['/var/backups/holdfast/backup-1.dump', '/var/backups/holdfast/'],
    ['/var/backups/holdfast/sets/s1/backup-1.dump', '/var/backups/holdfast'],
    ['/var/backups/holdfast/../elsewhere/backup-1.dump', '/var/backups/holdfast'],
    ['/var/backups/holdfast/./backup-1.dump', '/var/backups/holdfast'],
    ['/var/backups/holdfast//backup-1.dump', '/var/backups/holdfast'],
    ['/var/backups/holdfast', '/var/backups/holdfast'],
    ['/var/backups/holdfast-other/backup-1.dump', '/var/backups/holdfast'],
    ['/elsewhere/backup-1.dump', '/var/backups/holdfast'],
    ['/a/../b/backup-1.dump', '/a/../b'],
  ];
  for (const [path, dir] of cases) expect(localLocation(path, dir), `${path} under ${dir}`).toEqual({ destination: 'local', key: byRelative(path, dir) });
});

test('without a BACKUP_DIR the absolute path is the key', () => {
  expect(localLocation('/var/backups/backup-1.dump', undefined)).toEqual({ destination: 'local', key: '/var/backups/backup-1.dump' });
});
