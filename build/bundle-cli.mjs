#!/usr/bin/env node
// Bundles the CLI into dist/cli.mjs (run by `npm ci` through `prepare`, and before `npm test`), so
// each `holdfast` command starts in ~0.1 s instead of paying for tsx's on-the-fly compile.
// bin/holdfast.mjs uses the bundle only while it is newer than every source file. The settings are
// in cli-bundle-options.mjs.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cliBundleOptions, root } from './cli-bundle-options.mjs';

// Chunk names carry a content hash: without this, every build left the previous chunks behind.
await rm(join(root, 'dist', 'cli-chunks'), { recursive: true, force: true });
await build(cliBundleOptions);
