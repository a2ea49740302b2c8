// `npm run build` while a `holdfast` command starts must never show that command a half-written CLI
// bundle: the entry and its chunks are switched together (build/bundle-cli.mjs builds beside dist/ and
// renames into place). Watched here from outside, as a starting command would see it: at every moment
// during a build, dist/cli.mjs exists and every chunk it imports is there.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test } from 'vitest';
import { cleanEnv } from './support/clean-env.ts';

const root = join(import.meta.dirname, '..');
const entry = join(root, 'dist', 'cli.mjs');

/** What a command starting now would fail on: no entry, or an entry importing a chunk that is not there. */
function brokenNow(): string | undefined {
  let text: string;
  try {
    text = readFileSync(entry, 'utf8');
  } catch {
    return 'dist/cli.mjs is missing';
  }
  if (!text.includes('export')) return 'dist/cli.mjs is half written';
  for (const [, chunk] of text.matchAll(/"\.\/(cli-chunks\/[^"]+\.mjs)"/g)) if (!existsSync(join(dirname(entry), chunk!))) return `dist/cli.mjs imports ${chunk}, which is not there`;
  return undefined;
}

test('a build in progress never leaves dist/cli.mjs importing chunks that are not there', async () => {
  const build = () =>
    new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [join(root, 'build', 'bundle-cli.mjs')], { cwd: root, env: cleanEnv(), stdio: 'ignore' });
      child.on('error', reject);
      child.on('exit', (code) => resolve(code ?? 1));
    });
  expect(await build()).toBe(0);
  expect(brokenNow()).toBeUndefined();
  const seen = new Set<string>();
  let done = false;
  const running = build().finally(() => (done = true));
  while (!done) {
    const broken = brokenNow();
    if (broken) seen.add(broken);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  expect(await running).toBe(0);
  expect([...seen]).toEqual([]);
  expect(brokenNow()).toBeUndefined();
  // Nothing of the build is left beside dist/'s own files.
  expect(readFileSync(entry, 'utf8')).toContain('export');
}, 120_000);
