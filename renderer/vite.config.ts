// The renderer's build: a static app in dist/renderer that `holdfast serve` and the Electron window
// load. base './' so the same files work from file:// (Electron) and from http:// (serve). JSX goes
// through Vite's own esbuild (no React plugin: fast refresh is not worth a second toolchain here).
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { bundleFirstRequest, FIRST_REQUEST_FILE } from './first-page-bundle.ts';
import { MOUNT_CHUNK_META } from './src/first-page/mount-chunk.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The early script (src/first-page/first-request.ts: the Backups page's first request, sent before
 * the entry module runs) as the classic script index.html names: bundled alone, no import.
 */
function earlyScript(): Plugin {
  return {
    name: 'holdfast-early-script',
    apply: 'build',
    async generateBundle() {
      this.emitFile({ type: 'asset', fileName: FIRST_REQUEST_FILE, source: await bundleFirstRequest() });
    },
  };
}

/**
 * The app (boot.ts, which the entry main.tsx imports) asks for the catalogue, then imports mount.tsx (React and the pages). Without
 * a hint the browser learns of that chunk only once the entry has run, and fetches and compiles it
 * after: a waterfall in front of every first render. So the page names the chunk in a meta tag, and
 * src/first-page/first-request.ts adds a modulepreload link for it — except on the Backups page, whose first
 * screen is drawn before React (first-screen.ts): there the preload's compile held the entry back
 * (DOMContentLoaded 531 → 331 ms without it, 7 loads each, alternated), and the app imports the
 * chunk itself once that screen is drawn.
 */

function preloadMountChunk(): Plugin {
  return {
    name: 'holdfast-preload-mount-chunk',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, context) {
        const chunk = Object.values(context.bundle ?? {}).find((output) => output.type === 'chunk' && output.moduleIds.some((id) => id.endsWith('/src/mount.tsx')));
        if (!chunk) throw new Error('renderer build: no chunk for src/mount.tsx (boot.ts imports it lazily): the preload hint has nothing to name');
        // Before first-request.js, which reads it while the head is parsed.
        return [{ tag: 'meta', attrs: { name: MOUNT_CHUNK_META, content: `./${chunk.fileName}` }, injectTo: 'head-prepend' }];
      },
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  esbuild: { jsx: 'automatic' },
  plugins: [earlyScript(), preloadMountChunk()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Assets stay files: the CSP allows data: images, but nothing else inline.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
});
