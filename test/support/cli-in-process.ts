// The `holdfast` CLI run in this process, for specs that check what a command prints and exits with:
// main() with its output captured, against a throwaway HOLDFAST_HOME the spec's hooks make and remove.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { main } from '../../main/cli/main.ts';

export interface CliAnswer {
  code: number;
  stdout: string;
  stderr: string;
}

/** One `holdfast …` command as a pipe would run it (not a terminal): its exit code and what it printed. */
export async function holdfast(...args: string[]): Promise<CliAnswer> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'holdfast', ...args], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), isTTY: false });
  return { code, stdout, stderr };
}

/**
 * Before each test, a new empty HOLDFAST_HOME (and any other variables given, each may name a path in
 * it); after it, the environment as it was and the home removed. Returns the current test's home.
 */
export function throwawayHome(prefix: string, variables: (home: string) => Record<string, string> = () => ({})): () => string {
  let home = '';
  let saved: NodeJS.ProcessEnv = {};
  beforeEach(() => {
    saved = { ...process.env };
    home = mkdtempSync(join(tmpdir(), `holdfast-${prefix}-`));
    Object.assign(process.env, { HOLDFAST_HOME: home, ...variables(home) });
  });
  afterEach(() => {
    process.env = saved;
    rmSync(home, { recursive: true, force: true });
  });
  return () => home;
}
