// The CLI run in-process (main.ts) against a throwaway HOLDFAST_HOME of its own per test: for the
// unit specs of main/cli that read what a command prints, without a PostgreSQL or a child process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { main } from '../../main/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Gives each test of the file a fresh HOLDFAST_HOME (removed after); `home()` names the current one. */
export function useCliHome(prefix: string): { home(): string } {
  let home = '';
  let saved: string | undefined;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), prefix));
    saved = process.env.HOLDFAST_HOME;
    process.env.HOLDFAST_HOME = home;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.HOLDFAST_HOME;
    else process.env.HOLDFAST_HOME = saved;
    rmSync(home, { recursive: true, force: true });
  });
  return { home: () => home };
}

/** `holdfast …args` in this process, with what it printed. */
export async function holdfastCli(...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'holdfast', ...args], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), isTTY: false });
  return { code, stdout, stderr };
}
