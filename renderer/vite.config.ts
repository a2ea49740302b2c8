// The renderer's build: a static app in dist/renderer that `holdfast serve` and the Electron window
// load. base './' so the same files work from file:// (Electron) and from http:// (serve). JSX goes
// through Vite's own esbuild (no React plugin: fast refresh is not worth a second toolchain here).
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The entry (main.tsx) asks for the catalogue, then imports mount.tsx (React and the pages). Without
 * a hint the browser learns of that chunk only once the entry has run, and fetches and compiles it
 * after: a waterfall in front of every first render. A modulepreload link in the page lets it fetch
 * and compile the chunk while the entry loads and runs (`npm run bench`, row 7).
 */
function preloadMountChunk(): Plugin {
  return {
    name: 'holdfast-preload-mount-chunk',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, context) {
        const chunk = Object.values(context.bundle ?? {}).find((output) => output.type === 'chunk' && output.moduleIds.some((id) => id.endsWith('/src/mount.tsx')));
        if (!chunk) throw new Error('renderer build: no chunk for src/mount.tsx (main.tsx imports it lazily): the modulepreload hint has nothing to name');
        return [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${chunk.fileName}` }, injectTo: 'head' }];
      },
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  esbuild: { jsx: 'automatic' },
  plugins: [preloadMountChunk()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Assets stay files: the CSP allows data: images, but nothing else inline.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
});
