#!/usr/bin/env node
// Bundles the CLI into dist/cli.mjs (run by `npm ci` through `prepare`, and before `npm test`), so
// each `holdfast` command starts in ~0.1 s instead of paying for tsx's on-the-fly compile.
// bin/holdfast.mjs uses the bundle only while it is newer than every source file. The settings are
// in cli-bundle-options.mjs.
//
// Built into a directory beside dist/ (the same depth, so the source maps' relative paths hold) and
// renamed into place: a command starting during a build sees the old entry with its chunks or the new
// one with its, never an entry importing a chunk not yet written (test/cli-bundle-atomic.test.ts).
import { build } from 'esbuild';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cliBundleOptions, root } from './cli-bundle-options.mjs';

const dist = join(root, 'dist');
const chunks = join(dist, 'cli-chunks');
const staging = await mkdtemp(join(root, 'dist.cli-build-'));
try {
  await build({ ...cliBundleOptions, outdir: staging });
  await mkdir(chunks, { recursive: true });
  // Chunk names carry a content hash: the new ones go in beside the old ones the entry in place imports.
  const fresh = new Set(await readdir(join(staging, 'cli-chunks')));
  for (const name of fresh) await rename(join(staging, 'cli-chunks', name), join(chunks, name));
  await rename(join(staging, 'cli.mjs.map'), join(dist, 'cli.mjs.map'));
  await rename(join(staging, 'cli.mjs'), join(dist, 'cli.mjs'));
  // Then the previous build's chunks go: without this, every build left them behind.
  for (const name of await readdir(chunks)) if (!fresh.has(name)) await rm(join(chunks, name), { force: true });
} finally {
  await rm(staging, { recursive: true, force: true });
}
