import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { expect, test } from 'vitest';
import { loadEverythingNow, onFirstUse } from './first-use.ts';

const mainDir = join(import.meta.dirname, '..', '..');

/** import() calls that need not be loaded by a process that stays up, and why. */
const NOT_ON_FIRST_USE: Record<string, string> = {
  // The one-shot command's way into the hosts: loaded before the process becomes one that stays up.
  'cli/commands/hosts.ts': "import('../daemon.ts'), import('../serve.ts')",
  // keytar is external to the bundle (build/cli-bundle-options.mjs): node_modules, which a build leaves alone.
  'core/secrets/secret-store.ts': "import('keytar')",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Each import() call in a source file (types and comments are not calls), with whether it sits inside onFirstUse(…). */
function importCalls(file: string): Array<{ line: number; text: string; onFirstUse: boolean }> {
  const text = readFileSync(file, 'utf8');
  // Parsed only when the text could hold one: the few hundred files without are read, not parsed.
  if (!/\bimport\s*\(/.test(text)) return [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const calls: Array<{ line: number; text: string; onFirstUse: boolean }> = [];
  const visit = (node: ts.Node, inside: boolean) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      calls.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.getText(), onFirstUse: inside });
    }
    const entering = inside || (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'onFirstUse');
    ts.forEachChild(node, (child) => visit(child, entering));
  };
  visit(source, false);
  return calls;
}

test('every import() in main/ goes through onFirstUse, so serve and the daemon load it before a rebuild can remove its chunk', () => {
  const files = sourceFiles(mainDir);
  const found = files.flatMap((file) => importCalls(file).map((call) => ({ ...call, name: relative(mainDir, file) })));
  expect(found.filter((call) => call.onFirstUse).length).toBeGreaterThanOrEqual(7); // the probe sees them
  const stray = found.filter((call) => !call.onFirstUse && !(call.name in NOT_ON_FIRST_USE)).map((call) => `${call.name}:${call.line}: ${call.text}`);
  expect(stray).toEqual([]);
}, 30_000);

test('the exempted files still have the import() they are exempted for', () => {
  for (const [name, imports] of Object.entries(NOT_ON_FIRST_USE)) {
    const source = readFileSync(join(mainDir, name), 'utf8');
    for (const call of imports.split(', ')) expect(source, name).toContain(call);
  }
});

test('onFirstUse loads once, and again after a failure', async () => {
  let calls = 0;
  const load = onFirstUse(async () => {
    calls += 1;
    if (calls === 1) throw new Error('chunk missing');
    return calls;
  });
  await expect(load()).rejects.toThrow('chunk missing');
  expect(await load()).toBe(2);
  expect(await load()).toBe(2);
  expect(calls).toBe(2);
});

test('loadEverythingNow loads what is registered, and what that code registers in turn', async () => {
  const loaded: string[] = [];
  onFirstUse(async () => {
    loaded.push('outer');
    onFirstUse(async () => loaded.push('inner'));
  });
  await loadEverythingNow();
  expect(loaded).toEqual(['outer', 'inner']);
});

test('loadEverythingNow tries every one when one fails, then says which failed', async () => {
  let tries = 0;
  onFirstUse(async () => {
    tries += 1;
    if (tries === 1) throw new Error('on-demand-OLDHASH.mjs is gone');
  });
  let loaded = false;
  onFirstUse(async () => (loaded = true));
  await expect(loadEverythingNow()).rejects.toThrow('on-demand-OLDHASH.mjs is gone');
  expect(loaded).toBe(true);
  await loadEverythingNow(); // a failed one is tried again
  expect(tries).toBe(2);
});
