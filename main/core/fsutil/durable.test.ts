// A durable write that fails must not leave its temp file behind. ENOSPC is real here: a 1 MB tmpfs,
// which only root may mount (the suites run as root in CI; elsewhere the case says it was skipped).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { asRoot, fillUp, mountTmpfs } from '../../../test/support/full-disk.ts';
import { writeFileDurably } from './durable.ts';

test.skipIf(!asRoot)('writeFileDurably on a full file system: the error is ENOSPC and no temp file stays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-full-'));
  const unmount = mountTmpfs(dir, '1m');
  try {
    fillUp(dir);
    const target = join(dir, 'backup-x.dump.json');
    await expect(writeFileDurably(target, 'x'.repeat(64 * 1024))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(readdirSync(dir).sort()).toEqual(['ballast']);
    expect(existsSync(target)).toBe(false);
  } finally {
    unmount();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a directory-format tree holding a symlink (or any entry that is not a file or a folder) has no checksum: pg_restore, run by Holdfast, would read what it points to', async () => {
  const { symlinkSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { checksumTree } = await import('./durable.ts');
  const tree = mkdtempSync(join(tmpdir(), 'holdfast-tree-'));
  try {
    writeFileSync(join(tree, 'toc.dat'), 'toc');
    mkdirSync(join(tree, 'sub'));
    expect((await checksumTree(tree)).files.map((f) => f.path)).toEqual(['toc.dat']);
    symlinkSync('/etc/passwd', join(tree, 'sub', '3001.dat'));
    await expect(checksumTree(tree)).rejects.toThrow(/sub\/3001\.dat.*not a regular file/);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});

test('writeFileDurably without the directory sync (its caller syncs the directory once after several renames) still puts the whole file under its name and leaves no temp file', async () => {
  const { readFileSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-nosync-'));
  try {
    const target = join(dir, 'backup-x.dump.json');
    await writeFileDurably(target, '{"a": 1}\n', { syncDirectory: false });
    expect(readFileSync(target, 'utf8')).toBe('{"a": 1}\n');
    expect(readdirSync(dir)).toEqual(['backup-x.dump.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
