// How the CLI is bundled (build/bundle-cli.mjs builds it), stated once: the start-up weight spec
// (main/cli/startup-weight.test.ts) bundles with the same settings to see what every command loads.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * node-postgres asks at load time whether it runs in a Cloudflare Worker, by constructing a fetch
 * `Response` — which makes Node 20 load its whole fetch implementation (undici), ~30 ms of every
 * command's start-up. The CLI only ever runs on Node, so the bundle answers "no" without asking.
 */
const pgRuntimeIsNode = {
  name: 'pg-runtime-is-node',
  setup(build) {
    build.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const patched = source.replace('if (isCloudflareRuntime()) {', 'if (false) {');
      if (patched === source) throw new Error(`${args.path}: the Cloudflare check this build skips is not there any more; update build/bundle-cli.mjs`);
      return { contents: patched, loader: 'js' };
    });
  },
};

/** How the CLI is bundled; also read by main/cli/startup-weight.test.ts, which checks what start-up loads. */
export const cliBundleOptions = {
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
  // Without comments and indentation the chunks are ~35% smaller to read and parse: serve's spawn to
  // URL took 40-60 ms less CPU in two alternated runs (its chunk is 2 MB of Fastify); --help and
  // profile list 0-80 ms (within the noise at load 4-7). A V8 code cache for a one-file CommonJS
  // bundle gained less (wt/codecache, reverted). Names stay as written; the linked source map gives
  // the original lines (node --enable-source-maps).
  minifyWhitespace: true,
  // Native and optional modules load from node_modules at run time.
  // ssh2 loads optional native helpers (cpu-features, its crypto binding) itself when they are built.
  external: ['better-sqlite3', 'keytar', 'pg-native', 'ssh2'],
  // CommonJS dependencies inside an ES module bundle need a require.
  banner: { js: "import { createRequire as __holdfastRequire } from 'node:module'; const require = __holdfastRequire(import.meta.url);" },
  logLevel: 'warning',
  plugins: [pgRuntimeIsNode],
};
