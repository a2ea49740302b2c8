import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { expect, test } from 'vitest';
import { processDirPrefix } from '../process/liveness.ts';
import { DOWNLOAD_PREFIXES, makeDownloadDir, removeStaleDownloads } from './private-temp.ts';
import { privateDownload } from './remote-object.ts';

test('a copy downloaded for a restore lives in a directory named for this process, which the next start removes once the process is gone (SIGKILL skips every finally; the dump would stay in /tmp)', async () => {
  const copy = await privateDownload('backup-x.dump', async () => Readable.from([Buffer.from('dump bytes')]));
  const mine = await makeDownloadDir('copy');
  const exited = spawnSync(process.execPath, ['-e', '']).pid;
  const dead = DOWNLOAD_PREFIXES.map((prefix) => join(tmpdir(), `${prefix}${exited}-0badc0de-abcdef`));
  try {
    expect(basename(dirname(copy.path)).startsWith(processDirPrefix('holdfast-download-'))).toBe(true);
    expect(basename(mine).startsWith(processDirPrefix('holdfast-copy-'))).toBe(true);
    for (const dir of dead) mkdirSync(dir, { mode: 0o700 });
    const removed = await removeStaleDownloads();
    expect(removed).toEqual(expect.arrayContaining(dead));
    for (const dir of dead) expect(existsSync(dir)).toBe(false);
    // A living process's downloads stay.
    expect(existsSync(copy.path)).toBe(true);
    expect(existsSync(mine)).toBe(true);
  } finally {
    await copy.release();
    rmSync(mine, { recursive: true, force: true });
    for (const dir of dead) rmSync(dir, { recursive: true, force: true });
  }
});
