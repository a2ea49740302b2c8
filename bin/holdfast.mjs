#!/usr/bin/env node
// The `holdfast` command. Runs the bundle from `npm run build` (made by `npm ci`) while it is newer
// than every source file; otherwise the TypeScript sources directly through tsx, so an edited
// checkout never runs stale code.
//
// Every command pays for what this file does before and after it (issue 12, item 22: a backup's
// fixed cost, all of it serial with pg_dump). Asking every source file its age is ~300 stat calls:
// asked synchronously, while libuv's threads read the bundle, it costs 12–16 ms of CPU; asked through
// fs/promises it cost 35–56 ms (a promise, a callback and a path join per file on this thread). A
// stale bundle, loaded for nothing, is then set aside (its modules only define things when loaded).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// A reader that went away (`holdfast backup prod | head -1`) ends the output, not the command: an
// unhandled EPIPE would kill a backup mid-dump and leave its run for the next start to call interrupted.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'cli.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    // Specs are not in the bundle: an edited one does not make it stale.
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

// The UI is built up front (npm ci, .ci/setup, npm start), never here: it would hold the first answer 8–25 s.
if (process.argv[2] === 'serve' && !existsSync(join(root, 'dist', 'renderer', 'index.html'))) {
  process.stderr.write('holdfast: the browser UI is not built in this checkout (the API is served): run `npm run build` once (about 10 s).\n');
}

// The bundle's read starts first (on libuv's threads); the walk runs while it is read.
const bundled = existsSync(bundle) ? import(pathToFileURL(bundle).href).catch(() => undefined) : undefined;
const newest = newestSource(join(root, 'main'));
const loaded = await bundled;

let main;
if (loaded && statSync(bundle).mtimeMs >= newest) {
  ({ main } = loaded);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../main/cli/main.ts'));
}
process.exitCode = await main(process.argv);
// Once everything the command started has settled (the event loop is empty: notifications sent,
// files closed, output written — stdout and stderr are synchronous on Linux), exit without Node's
// teardown of the environment and the heap, 50–130 ms of freeing memory the kernel frees anyway
// (issue 12, item 22). 'exit' listeners still run; work still pending keeps the process alive as before.
process.once('beforeExit', () => process.exit());
