import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from 'vitest';
import { DRILL_WORDS, drillWord } from './drill-words.ts';

const root = join(import.meta.dirname, '..', '..', '..');
/** The shells a person reads: the app, the CLI, the REST documentation, the notices. */
const SHELLS = ['renderer/src', 'main/cli', 'main/serve', 'main/core/notify'];
/** Other names a drill's outcome went by; each outcome is spelt in drill-words.ts alone. */
const VARIANTS = [/drill passed/i, /restore[- ]tested/i, /restore test failed/i, /drill failed/i, /drill could not run/i];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

test('one word for each drill outcome: no shell spells one itself', () => {
  const found: string[] = [];
  for (const file of SHELLS.flatMap((dir) => sources(join(root, dir)))) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        // Identifiers and keys (proof states, CSS classes) are not words a person reads.
        const text = line.replace(/'restore-tested'|'drill-failed'/g, '');
        if (VARIANTS.some((variant) => variant.test(text))) found.push(`${relative(root, file)}:${index + 1}: ${line.trim()}`);
      });
  }
  expect(found).toEqual([]);
});

test('a drill that could not run is not called failed', () => {
  expect(drillWord({ ok: true })).toBe(DRILL_WORDS.passed);
  expect(drillWord({ ok: false, verdict: 'not-run' })).toBe(DRILL_WORDS.notRun);
  expect(drillWord({ ok: false, verdict: 'failed' })).toBe(DRILL_WORDS.failed);
});
