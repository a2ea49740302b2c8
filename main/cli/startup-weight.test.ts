// What every `holdfast` command loads before it does anything: the bundle's static import graph from
// main/cli/main.ts. Heavy libraries needed by only a few commands stay out of it (they are imported
// when used), because on a 2-core machine each one is paid by every backup's wall time (issue 12,
// item 22). Built the way build/bundle-cli.mjs builds it, with esbuild's metafile.
import { build } from 'esbuild';
import { join } from 'node:path';
import { expect, test } from 'vitest';
// @ts-expect-error -- a build script in plain JavaScript, without type declarations
import { cliBundleOptions, root } from '../../build/cli-bundle-options.mjs';

/** Every input file in the chunks an entry (main.ts, or a module it imports when used) reaches through static imports. */
async function startupInputs(entryPoint = 'main/cli/main.ts'): Promise<string[]> {
  const chunks = await startupChunks(entryPoint);
  return chunks.flatMap((chunk) => chunk.inputs);
}

/** The chunks an entry reaches through static imports, each with its input files. */
async function startupChunks(entryPoint: string): Promise<Array<{ path: string; inputs: string[] }>> {
  const result = await build({ ...cliBundleOptions, outdir: join(root as string, 'dist', 'startup-weight-probe'), write: false, metafile: true, logLevel: 'error' });
  const outputs = result.metafile!.outputs;
  // Each dynamically imported module is an entry point of its own: the CLI's is main.ts.
  const entry = Object.keys(outputs).find((path) => outputs[path]!.entryPoint === entryPoint)!;
  const reached = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (reached.has(path)) continue;
    reached.add(path);
    for (const imported of outputs[path]!.imports) if (imported.kind === 'import-statement' && outputs[imported.path]) pending.push(imported.path);
  }
  return [...reached].map((path) => ({ path, inputs: Object.keys(outputs[path]!.inputs) }));
}

test("start-up loads no S3 SDK, no age library, and none of zod's locales", async () => {
  const inputs = await startupInputs();
  expect(inputs.some((input) => input.includes('main/core/holdfast.ts'))).toBe(true); // the probe sees the engine
  // `import { z } from 'zod'` keeps the whole namespace, locales included (366 KB); `import * as z` does not.
  expect(inputs.filter((input) => input.includes('node_modules/zod/v4/locales/') && !input.endsWith('/en.js'))).toEqual([]);
  expect(inputs.filter((input) => /node_modules\/(@aws-sdk|@smithy|@azure|ssh2|nodemailer)\//.test(input)).slice(0, 3)).toEqual([]);
  expect(inputs.filter((input) => input.includes('node_modules/age-encryption/')).slice(0, 3)).toEqual([]);
}, 60_000);

test('start-up loads none of the operations only some commands use (main/core/on-demand.ts): no restore, drill, set taking or restoring, verify, import or health', async () => {
  const inputs = await startupInputs();
  expect(inputs.some((input) => input.includes('main/core/backup/take-backup.ts'))).toBe(true); // the probe sees the backup path
  const onDemandOnly = [
    'main/core/restore/restore.ts',
    'main/core/drill/test-restore.ts',
    'main/core/sets/take-set.ts',
    'main/core/sets/restore-set.ts',
    'main/core/sets/drill-set.ts',
    'main/core/sets/delete-set.ts',
    'main/core/verify/verify.ts',
    'main/core/backup/import-dump.ts',
    'main/core/backup/import-upload.ts',
    'main/core/retention/delete-backup.ts',
    'main/core/stats/engine-health.ts',
  ];
  expect(inputs.filter((input) => onDemandOnly.includes(input))).toEqual([]);
}, 60_000);

// Each import() is an entry point, and esbuild makes a chunk for every set of entry points sharing code:
// with one import() per operation the start-up read 38 chunks, and finding and reading them cost more
// than the 260 KB they left out (15-20 ms of CPU; on-demand.ts gathers them into one entry instead).
test('start-up reads a handful of chunks, not one per lazily imported module', async () => {
  const chunks = await startupChunks('main/cli/main.ts');
  expect(chunks.length).toBeGreaterThan(1); // the probe sees the chunks
  expect(chunks.length).toBeLessThanOrEqual(12);
}, 60_000);

test('start-up loads no cron library: main/core/schedule/cron-libraries.ts requires each when a cron expression is first read', async () => {
  const inputs = await startupInputs();
  expect(inputs.some((input) => input.includes('main/core/schedule/cron.ts'))).toBe(true); // the probe sees the cron checks
  expect(inputs.filter((input) => /node_modules\/(node-cron|cronstrue|croner)\//.test(input)).slice(0, 3)).toEqual([]);
}, 60_000);

test("serve's start loads no ajv, no fast-json-stringify compiler, no glob, no pino and no light-my-request (build/cli-bundle-options.mjs, SERVE_LEAVES_OUT)", async () => {
  const inputs = await startupInputs('main/cli/serve.ts');
  expect(inputs.some((input) => input.includes('node_modules/fastify/fastify.js'))).toBe(true); // the probe sees Fastify
  const leftOut = /node_modules\/(ajv|@fastify\/ajv-compiler|@fastify\/fast-json-stringify-compiler|glob|pino|light-my-request)\/|node_modules\/fast-json-stringify\/index\.js$/;
  expect(inputs.filter((input) => leftOut.test(input)).slice(0, 3)).toEqual([]);
}, 60_000);
