// Commands a test needs from the machine (lz4, zstd…). On a developer's machine a missing one skips
// the test and says so on stderr; under CI (CI=true, as .ci/run runs) it fails the test instead, so
// a suite never passes in CI by skipping what .ci/setup was meant to install.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface RequiredTools {
  /** For test.skipIf: true only outside CI, when a tool is missing. */
  readonly skip: boolean;
  /** Call first in the test: throws, naming the missing tools, when one is missing (so only in CI). */
  check(): void;
}

export function requiredTools(tools: readonly string[], env: NodeJS.ProcessEnv = process.env): RequiredTools {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const missing = tools.filter((tool) => !dirs.some((dir) => existsSync(join(dir, tool))));
  const inCi = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  const skip = missing.length > 0 && !inCi;
  if (skip) process.stderr.write(`skipping a test that needs ${missing.join(' and ')} (not on PATH); .ci/setup installs them, and under CI=true it fails instead\n`);
  return {
    skip,
    check() {
      if (missing.length > 0) throw new Error(`${missing.join(' and ')} not found on PATH; run .ci/setup (under CI a missing tool fails the test rather than skipping it)`);
    },
  };
}
