#!/usr/bin/env node
// The `holdfast` command. Runs the bundle from `npm run build` (made by `npm ci`) while it is newer
// than every source file; otherwise the TypeScript sources directly through tsx, so an edited
// checkout never runs stale code. `serve` and `daemon` are the exception: a long-lived command
// bundles once (esbuild, 1–3 s) rather than start through tsx (6–7 s on a 2-core machine, on every
// start), and `serve` builds the browser UI once when there is none (a fresh clone without `npm ci`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'cli.mjs');
const LONG_LIVED = new Set(['serve', 'daemon']);
const command = process.argv[2];

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const bundleIsFresh = () => existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource(join(root, 'main'));

/** One build step before a long-lived command; false when it failed (the command still runs, from the sources). */
function buildOnce(what, args) {
  process.stderr.write(`holdfast: ${what}, once…\n`);
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status === 0) process.stderr.write(`holdfast: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return result.status === 0;
}

if (LONG_LIVED.has(command) && !bundleIsFresh()) buildOnce('bundling the CLI (dist/cli.mjs is missing or older than the sources)', [join(root, 'build', 'bundle-cli.mjs')]);
if (command === 'serve' && !existsSync(join(root, 'dist', 'renderer', 'index.html'))) {
  buildOnce('building the browser UI (dist/renderer is missing; npm run build makes it too)', [
    join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
    'build',
    '--config',
    'renderer/vite.config.ts',
    '--logLevel',
    'warn',
  ]);
}

let main;
if (bundleIsFresh()) {
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../main/cli/main.ts'));
}
process.exitCode = await main(process.argv);
