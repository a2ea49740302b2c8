// The early script (src/first-page/first-request.ts) as the page loads it: one classic script, an
// IIFE with no import (a classic script cannot import, and the CSP allows no inline script), built
// by the renderer's Vite build (vite.config.ts) into dist/renderer/first-request.js, and by its spec
// to run the same bytes the page runs.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const FIRST_REQUEST_FILE = 'first-request.js';
const SOURCE = fileURLToPath(new URL('./src/first-page/first-request.ts', import.meta.url));

export async function bundleFirstRequest(): Promise<string> {
  const result = await build({ entryPoints: [SOURCE], bundle: true, format: 'iife', platform: 'browser', target: 'es2022', minify: true, legalComments: 'none', write: false, logLevel: 'silent' });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`renderer build: esbuild wrote nothing for ${SOURCE}`);
  return output.text;
}
