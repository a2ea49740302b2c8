// Issue 12, item 11: as root, from a checkout inside a 0700 directory, the OS user a scratch server
// runs as cannot reach the embedded binaries under node_modules ("runuser: failed to execute
// …/pg-server-17/native/bin/initdb: Permission denied"). Holdfast copies them once to a root-owned cache
// that user can read, and the server starts from there.
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { binariesRunnableBy, findServerBinaries } from '../main/core/drill/server-binaries.ts';
import { startSandboxServer } from '../main/core/drill/scratch-server.ts';
import { ensureSandboxUser, SANDBOX_USER } from '../main/core/drill/server-user.ts';
import { usePrivateTmpdir } from './support/holdfast-env.ts';

const privateTmp = usePrivateTmpdir();
const asRoot = process.getuid?.() === 0;
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  privateTmp.remove();
});

describe('server binaries the server user cannot reach', () => {
  test.skipIf(!asRoot)("binaries inside a 0700 directory are copied to a root-owned cache, and a drill's sandbox starts from the copy", async () => {
    await ensureSandboxUser();
    const embedded = findServerBinaries(16);
    expect(embedded.source).toBe('embedded');
    // A checkout in a private directory: root reads it, holdfast-sandbox cannot.
    const hidden = mkdtempSync(join(privateTmp.dir, 'private-checkout-'));
    chmodSync(hidden, 0o700);
    cpSync(join(embedded.binDir, '..'), join(hidden, 'native'), { recursive: true, verbatimSymlinks: true });
    const unreachable = { ...embedded, binDir: join(hidden, 'native', 'bin') };

    const runnable = await binariesRunnableBy(unreachable, SANDBOX_USER);
    made.push(join(runnable.binDir, '..'));
    expect(runnable.binDir.startsWith('/var/cache/holdfast/server-binaries/')).toBe(true);
    const cache = statSync('/var/cache/holdfast/server-binaries');
    expect({ uid: cache.uid, groupOrOtherWrite: cache.mode & 0o022 }).toEqual({ uid: 0, groupOrOtherWrite: 0 });
    expect(existsSync(join(runnable.binDir, 'initdb'))).toBe(true);

    const server = await startSandboxServer(unreachable);
    try {
      expect(server.binaries.binDir).toBe(runnable.binDir);
    } finally {
      await server.stop();
    }
  });
});
