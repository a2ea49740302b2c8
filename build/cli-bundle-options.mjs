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

/**
 * Modules Fastify and @fastify/static reach only for features `holdfast serve` does not use
 * (main/serve/server.ts says so where it sets them up), left out of serve's chunk: ~0.5 MB of its
 * 1.3 MB that every serve start parsed before it could listen (bench row 8). Each is replaced by a
 * module whose every use throws, naming what was left out and why, so a route that starts to need
 * one fails its first test through the bundle instead of running without it.
 */
export const SERVE_LEAVES_OUT = [
  // Fastify's default JSON-schema compilers (ajv, fast-json-stringify): routes validate with zod, and
  // server.ts gives Fastify compilers of its own that refuse a route schema.
  { module: '@fastify/ajv-compiler', importer: /[\\/]fastify[\\/]lib[\\/]schema-controller\.js$/, why: 'Fastify route schemas (routes validate with zod: main/serve/rest/schemas.ts)' },
  { module: '@fastify/fast-json-stringify-compiler', importer: /[\\/]fastify[\\/]lib[\\/]schema-controller\.js$/, why: 'Fastify response schemas (answers are serialised with JSON.stringify)' },
  // Only for `wildcard: false` (a route per file found at start); server.ts registers it with wildcard: true.
  { module: 'glob', importer: /[\\/]@fastify[\\/]static[\\/]index\.js$/, why: "@fastify/static's wildcard: false" },
  // Only for a Fastify logger; server.ts sets logger: false (the engine's own log says what matters).
  { module: './logger-pino.js', importer: /[\\/]fastify[\\/]lib[\\/]logger-factory\.js$/, why: "a Fastify logger (pino); serve's logger is false" },
  // Only for app.inject(), which the specs use through the sources, never the bundle.
  { module: 'light-my-request', importer: /[\\/]fastify[\\/]fastify\.js$/, why: 'app.inject() (the specs run the sources)' },
];

const serveLeavesOut = {
  name: 'serve-leaves-out',
  setup(build) {
    for (const [index, { module, importer }] of SERVE_LEAVES_OUT.entries()) {
      const filter = new RegExp(`^${module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
      build.onResolve({ filter }, (args) => (importer.test(args.importer) ? { path: String(index), namespace: 'serve-leaves-out' } : undefined));
    }
    build.onLoad({ filter: /.*/, namespace: 'serve-leaves-out' }, (args) => {
      const { module, why } = SERVE_LEAVES_OUT[Number(args.path)];
      const message = `${module} is left out of the holdfast bundle (build/cli-bundle-options.mjs): it is needed only for ${why}.`;
      // Whatever is read from it is a function that throws, so the first use says what is missing.
      const contents = `const fail = () => { throw new Error(${JSON.stringify(message)}); };\nmodule.exports = new Proxy(fail, { get: () => fail });\n`;
      return { contents, loader: 'js' };
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
  plugins: [pgRuntimeIsNode, serveLeavesOut],
};
