// A DBA's review: `holdfast list --all` showed a failed pg_dump's message (two lines of its stderr)
// joined by a literal \n, and a thrown error's lines went to stderr raw, where a second line could pass
// for the `hint:` line. Both now put each further line on a marked continuation line of its own.
import { expect, test } from 'vitest';
import { holdfast, throwawayHome } from '../../test/support/cli-in-process.ts';
import { loadConfig } from '../core/config/config.ts';
import { Holdfast } from '../core/holdfast.ts';
import { CONTINUATION } from '../core/model/terminal-text.ts';
import { printError } from './runner.ts';

throwawayHome('continuation');

const STDERR = 'pg_dump: error: query failed: ERROR:  permission denied for table employees\npg_dump: detail: Query was: LOCK TABLE public.employees IN ACCESS SHARE MODE';

test("list --all: a failed attempt's tool message reads as the tool wrote it, one line each, the second marked as its continuation", async () => {
  const { holdfast: engine } = await Holdfast.open(loadConfig());
  try {
    const run = engine.catalogue.startRun({ kind: 'backup', profile: 'weak' });
    engine.catalogue.finishRun(run, 'failed', { error: `pg_dump exited with code 1: ${STDERR}`, detail: { hint: "The message above is pg_dump's own; fix its cause and run the backup again." } });
  } finally {
    engine.close();
  }
  const { code, stdout } = await holdfast('list', '--all');
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
