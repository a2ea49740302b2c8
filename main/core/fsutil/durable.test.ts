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
