// `npm start` (bin/start.mjs) without Electron's binary — the case on this machine and in CI — says
// so and serves the same UI with `holdfast serve` (--no-demo: the demo has its own suite, test/start-demo.test.ts).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function electronInstalled(): boolean {
  try {
    return existsSync(createRequire(import.meta.url)('electron') as string);
  } catch {
    return false;
  }
}

test.skipIf(electronInstalled())(
  'without the Electron binary, npm start explains and runs holdfast serve',
  async () => {
    const home = mkdtempSync(join(tmpdir(), 'holdfast-start-'));
    const child = spawn(process.execPath, [join(root, 'bin', 'start.mjs'), '--no-open', '--no-demo'], { cwd: root, env: { ...process.env, HOLDFAST_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk) => {
          stdout += chunk;
          const found = /Holdfast UI: (\S+)/.exec(stdout)?.[1];
          if (found) resolve(found);
        });
        child.on('exit', (code) => reject(new Error(`start exited ${code}: ${stderr}`)));
      });
      expect(stderr).toContain("Electron's binary is not installed");
      const page = await fetch(url, { redirect: 'manual' });
      expect([200, 302]).toContain(page.status);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    }
  },
  60_000,
);
