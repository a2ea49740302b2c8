import { constants, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFilePrefix } from './file-prefix.ts';

const dir = mkdtempSync(join(tmpdir(), 'holdfast-prefix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readFilePrefix', () => {
  const file = join(dir, 'dump');
  writeFileSync(file, 'PGDMP and the rest');

  it('reads the first bytes asked for', async () => {
    expect((await readFilePrefix(file, 5)).toString()).toBe('PGDMP');
  });

  it('gives what there is when the file is shorter', async () => {
    expect((await readFilePrefix(file, 1024)).toString()).toBe('PGDMP and the rest');
  });

  it('opens with the opener given, so a caller can refuse what it must not follow', async () => {
    const link = join(dir, 'link');
    symlinkSync(file, link);
    const noFollow = (path: string) => open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    expect((await readFilePrefix(link, 5)).toString()).toBe('PGDMP');
    await expect(readFilePrefix(link, 5, noFollow)).rejects.toMatchObject({ code: 'ELOOP' });
  });
});
