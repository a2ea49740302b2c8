#!/usr/bin/env node
// The `holdfast` command. Runs the bundle from `npm run build` (made by `npm ci`) while it is newer
// than every source file; otherwise the TypeScript sources directly through tsx, so an edited
// checkout never runs stale code.
//
// Asking every source file its age takes 35–80 ms of stat calls on a slow disk, paid by every
// command (issue 12, item 22: a backup's fixed cost). So it is asked on libuv's threads while this
// thread compiles the bundle; a stale bundle, loaded for nothing, is then set aside (its modules only
// define things when loaded).
import { existsSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'cli.mjs');

async function newestSource(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const ages = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return newestSource(path);
      // Specs are not in the bundle: an edited one does not make it stale.
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? stat(path).then((info) => info.mtimeMs) : 0;
    }),
  );
  return Math.max(0, ...ages);
}

// The UI is built up front (npm ci, .ci/setup, npm start), never here: it would hold the first answer 8–25 s.
if (process.argv[2] === 'serve' && !existsSync(join(root, 'dist', 'renderer', 'index.html'))) {
  process.stderr.write('holdfast: the browser UI is not built in this checkout (the API is served): run `npm run build` once (about 10 s).\n');
}

const sourcesAge = newestSource(join(root, 'main'));
const bundled = existsSync(bundle) ? import(pathToFileURL(bundle).href).catch(() => undefined) : undefined;
const [newest, loaded] = await Promise.all([sourcesAge, bundled]);

let main;
if (loaded && statSync(bundle).mtimeMs >= newest) {
  ({ main } = loaded);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../main/cli/main.ts'));
}
process.exitCode = await main(process.argv);
