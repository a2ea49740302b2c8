// The renderer's build: a static app in dist/renderer that `holdfast serve` and the Electron window
// load. base './' so the same files work from file:// (Electron) and from http:// (serve). JSX goes
// through Vite's own esbuild (no React plugin: fast refresh is not worth a second toolchain here).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Assets stay files: the CSP allows data: images, but nothing else inline.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
});
