#!/usr/bin/env node
// The `holdfast` command. Runs the bundle from `npm run build` (made by `npm ci`) while it is newer
// than every source file; otherwise the TypeScript sources directly through tsx, so an edited
// checkout never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'cli.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

// The UI is built up front (npm ci, .ci/setup, npm start), never here: it would hold the first answer 8–25 s.
if (process.argv[2] === 'serve' && !existsSync(join(root, 'dist', 'renderer', 'index.html'))) {
  process.stderr.write('holdfast: the browser UI is not built in this checkout (the API is served): run `npm run build` once (about 10 s).\n');
}

let main;
if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource(join(root, 'main'))) {
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../main/cli/main.ts'));
}
process.exitCode = await main(process.argv);
