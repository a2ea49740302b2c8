// What a command's start builds before it runs: zod schemas cost every `holdfast` command CPU at load
// (~1,300 of them took 30–150 ms of each start, issues 12 and 17), so the engine's and the contract's
// are built on first use (main/core/model/lazy-schema.ts). This spec loads the CLI in a fresh module
// graph, runs `holdfast --help`, and counts what was built on the way.
import * as z from 'zod';
import { afterAll, expect, test } from 'vitest';
import { lazySchemasBuilt } from '../core/model/lazy-schema.ts';

// zod installs `_zod` on every schema and check it constructs; counting those calls counts constructions.
const defineProperty = Object.defineProperty;
let constructed = 0;
Object.defineProperty = function countZodConstructions<T>(target: T, key: PropertyKey, descriptor: PropertyDescriptor & ThisType<unknown>): T {
  if (key === '_zod') constructed += 1;
  return defineProperty(target, key, descriptor);
};
afterAll(() => {
  Object.defineProperty = defineProperty;
});

/**
 * What `--help` may still build at load: the environment's schema (main/core/config/config.ts, 56
 * constructions, parsed by every command that opens a home) and a little room. Before the schemas
 * were lazy it was 1,323.
 */
const HELP_BUILDS_AT_MOST = 80;

test("`holdfast --help` builds none of the engine's or the contract's lazy schemas, and few zod schemas at all", async () => {
  const counting = constructed;
  z.string().min(1);
  expect(constructed - counting).toBeGreaterThan(0); // the count sees constructions (zod still installs `_zod`)

  const before = constructed;
  const { main } = await import('./main.ts');
  let stdout = '';
  const code = await main(['node', 'holdfast', '--help'], { stdout: (text) => (stdout += text), stderr: () => {}, isTTY: false });
  expect(code).toBe(0);
  expect(stdout).toContain('profile');
  expect(lazySchemasBuilt()).toBe(0);
  expect(constructed - before).toBeLessThanOrEqual(HELP_BUILDS_AT_MOST);
}, 60_000);
