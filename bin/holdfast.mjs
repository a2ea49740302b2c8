#!/usr/bin/env node
// The `holdfast` command. Runs the bundle from `npm run build` (made by `npm ci`) while it is newer
// than every source file; otherwise the TypeScript sources directly through tsx, so an edited
// checkout never runs stale code. `serve` and `daemon` are the exception: a long-lived command
// bundles once (esbuild: about as long as one start through tsx, 3–7 s here) and then starts from the
// bundle (0.6 s) every time after, where through tsx every start took 6–7 s.
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

/** One build step before a long-lived command; when it fails the command still runs, from the sources. */
function buildOnce(what, args) {
  process.stderr.write(`holdfast: ${what}, once…\n`);
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status === 0) process.stderr.write(`holdfast: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return result.status === 0;
}

if (LONG_LIVED.has(command) && !bundleIsFresh()) buildOnce('bundling the CLI (dist/cli.mjs is missing or older than the sources)', [join(root, 'build', 'bundle-cli.mjs')]);
// Building the UI here would hold the first answer for 8–25 s; `npm start` and .ci/setup build it up front.
if (command === 'serve' && !existsSync(join(root, 'dist', 'renderer', 'index.html'))) {
  process.stderr.write('holdfast: the browser UI is not built in this checkout (the API is served): run `npm run build` once (about 10 s).\n');
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
