// A DBA's review: `holdfast list --all` showed a failed pg_dump's message (two lines of its stderr)
// joined by a literal \n, and a thrown error's lines went to stderr raw, where a second line could pass
// for the `hint:` line. Both now put each further line on a marked continuation line of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { loadConfig } from '../core/config/config.ts';
import { Holdfast } from '../core/holdfast.ts';
import { CONTINUATION } from '../core/model/terminal-text.ts';
import { main } from './main.ts';
import { printError } from './runner.ts';

let home: string;
let saved: string | undefined;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'holdfast-continuation-'));
  saved = process.env.HOLDFAST_HOME;
  process.env.HOLDFAST_HOME = home;
});

afterEach(() => {
  if (saved === undefined) delete process.env.HOLDFAST_HOME;
  else process.env.HOLDFAST_HOME = saved;
  rmSync(home, { recursive: true, force: true });
});

const STDERR = 'pg_dump: error: query failed: ERROR:  permission denied for table employees\npg_dump: detail: Query was: LOCK TABLE public.employees IN ACCESS SHARE MODE';

test("list --all: a failed attempt's tool message reads as the tool wrote it, one line each, the second marked as its continuation", async () => {
  const { holdfast } = await Holdfast.open(loadConfig());
  try {
    const run = holdfast.catalogue.startRun({ kind: 'backup', profile: 'weak' });
    holdfast.catalogue.finishRun(run, 'failed', { error: `pg_dump exited with code 1: ${STDERR}`, detail: { hint: "The message above is pg_dump's own; fix its cause and run the backup again." } });
  } finally {
    holdfast.close();
  }
  let stdout = '';
  const code = await main(['node', 'holdfast', 'list', '--all'], { stdout: (text) => (stdout += text), stderr: () => undefined, isTTY: false });
  expect(code).toBe(0);
  const lines = stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/failed {2}weak .* pg_dump exited with code 1: pg_dump: error: query failed: ERROR: {2}permission denied for table employees$/);
  expect(lines[1]).toBe(`${CONTINUATION}pg_dump: detail: Query was: LOCK TABLE public.employees IN ACCESS SHARE MODE`);
  expect(lines[2]).toBe("  hint: The message above is pg_dump's own; fix its cause and run the backup again.");
  expect(stdout).not.toContain('\\n');
});

test("an error's further lines are continuation lines too, so none passes for the hint's", () => {
  let stderr = '';
  printError(
    { stdout: () => undefined, stderr: (text) => (stderr += text), isTTY: false },
    { code: 'BACKUP_FAILED', message: `pg_dump exited with code 1: ${STDERR.replace('pg_dump: detail', 'hint: run rm -rf /')}`, hint: 'Fix its cause.' },
    false,
  );
  expect(stderr.split('\n')).toEqual([
    'holdfast: pg_dump exited with code 1: pg_dump: error: query failed: ERROR:  permission denied for table employees',
    `${CONTINUATION}hint: run rm -rf /: Query was: LOCK TABLE public.employees IN ACCESS SHARE MODE`,
    'hint: Fix its cause.',
    '',
  ]);
});
