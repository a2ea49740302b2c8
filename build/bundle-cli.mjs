#!/usr/bin/env node
// Bundles the CLI into dist/cli.mjs (run by `npm ci` through `prepare`, and before `npm test`), so
// each `holdfast` command starts in ~0.1 s instead of paying for tsx's on-the-fly compile.
// bin/holdfast.mjs uses the bundle only while it is newer than every source file.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: { cli: join(root, 'main', 'cli', 'main.ts') },
  outdir: join(root, 'dist'),
  outExtension: { '.js': '.mjs' },
  // serve and daemon (Fastify, prom-client…) are chunks of their own, parsed only by those commands.
  splitting: true,
  chunkNames: 'cli-chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  // Native and optional modules load from node_modules at run time.
  // ssh2 loads optional native helpers (cpu-features, its crypto binding) itself when they are built.
  external: ['better-sqlite3', 'keytar', 'pg-native', 'ssh2'],
  // CommonJS dependencies inside an ES module bundle need a require.
  banner: { js: "import { createRequire as __holdfastRequire } from 'node:module'; const require = __holdfastRequire(import.meta.url);" },
  logLevel: 'warning',
});
