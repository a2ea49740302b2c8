#!/usr/bin/env node
// Bundles the desktop shell (`npm run build:electron`):
//   main/electron/main.ts → dist/electron/main.mjs   (ES module: the engine uses import.meta)
//   preload/preload.ts    → dist/electron/preload.cjs (CommonJS: a sandboxed preload cannot load ESM)
//   build/icon.png, build/tray/*.png → dist/electron/icons/
// The preload may only require 'electron': the build fails if anything else got into it.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'electron');

const [, preload] = await Promise.all([
  build({
    entryPoints: [join(root, 'main', 'electron', 'main.ts')],
    outfile: join(out, 'main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    // Electron 39 runs Node 22.
    target: 'node22',
    sourcemap: 'linked',
    // Electron itself, and native or optional modules, load from node_modules at run time.
    external: ['electron', 'better-sqlite3', 'keytar', 'pg-native', 'ssh2'],
    // CommonJS dependencies inside an ES module bundle need a require.
    banner: { js: "import { createRequire as __holdfastRequire } from 'node:module'; const require = __holdfastRequire(import.meta.url);" },
    logLevel: 'warning',
  }),
  build({
    entryPoints: [join(root, 'preload', 'preload.ts')],
    outfile: join(out, 'preload.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'chrome142',
    sourcemap: 'inline',
    external: ['electron'],
    metafile: true,
    logLevel: 'warning',
  }),
]);

// The sandboxed preload runs with a require that knows only 'electron' and a few built-ins; a stray
// import of the contract (zod) or the engine would make it fail at run time, so fail here instead.
const allowed = new Set(['preload/preload.ts', 'preload/channels.ts', 'preload/create-bridge.ts', 'main/bridge.ts']);
const inputs = Object.keys(preload.metafile.inputs).map((input) => relative(root, join(root, input)));
const stray = inputs.filter((input) => !allowed.has(input));
if (stray.length > 0) {
  process.stderr.write(`bundle-electron: the preload must not include ${stray.join(', ')} (it may only require 'electron')\n`);
  process.exit(1);
}
const requires = Object.values(preload.metafile.outputs).flatMap((output) => output.imports.map((imported) => imported.path));
if (requires.some((path) => path !== 'electron')) {
  process.stderr.write(`bundle-electron: the preload requires ${requires.join(', ')}; only 'electron' is available in a sandboxed preload\n`);
  process.exit(1);
}

mkdirSync(join(out, 'icons'), { recursive: true });
copyFileSync(join(root, 'build', 'icon.png'), join(out, 'icons', 'icon.png'));
for (const name of readdirSync(join(root, 'build', 'tray'))) {
  if (name.endsWith('.png')) copyFileSync(join(root, 'build', 'tray', name), join(out, 'icons', name));
}
