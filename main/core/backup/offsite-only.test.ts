import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { BackupCopy } from '../model/types.ts';
import { releaseLocalFiles } from './offsite-only.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function localBackup(): string {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-offsite-only-'));
  dirs.push(dir);
  const path = join(dir, 'backup-shop.dump');
  writeFileSync(path, 'PGDMP');
  return path;
}

const copy = (destination: string, state: BackupCopy['state']) => ({ destination, state }) as BackupCopy;

describe('releaseLocalFiles', () => {
  test('with no named destination the local file is its only copy: kept, whatever the copy rows say', async () => {
    const path = localBackup();
    expect(await releaseLocalFiles({ path }, [], [copy('nas', 'verified')])).toMatchObject({ kept: true });
    expect(existsSync(path)).toBe(true);
  });

  test('one unverified copy out of two keeps the local file; every copy verified removes it', async () => {
    const path = localBackup();
    expect(await releaseLocalFiles({ path }, ['nas', 'bucket'], [copy('nas', 'verified'), copy('bucket', 'failed')])).toEqual({ kept: true, reason: 'the copy on "bucket" was not verified' });
    expect(existsSync(path)).toBe(true);
    expect(await releaseLocalFiles({ path }, ['nas', 'bucket'], [copy('nas', 'verified'), copy('bucket', 'verified')])).toEqual({ kept: false, reason: null });
    expect(existsSync(path)).toBe(false);
  });
});
