// A copy of bin/holdfast.mjs in a throwaway root (its own dist/ and main/, the repository's
// node_modules), for specs of what the bin itself decides: which code runs, and how it exits.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');

/** The root of a fresh copy of the bin (removed after the file's tests), with empty dist/ and main/. */
export function binCopy(prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'bin'));
  copyFileSync(join(repo, 'bin', 'holdfast.mjs'), join(root, 'bin', 'holdfast.mjs'));
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(join(root, 'dist'));
  mkdirSync(join(root, 'main'));
  return root;
}
