// bin/holdfast.mjs runs the bundle only while it is newer than every source file, and the sources
// through tsx otherwise: an edited checkout must never run stale code. Checked on a copy of the bin in
// a throwaway root whose bundle and sources each say which one ran.
import { execFileSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { binCopy } from './support/bin-copy.ts';

const root = binCopy('holdfast-bin-');
mkdirSync(join(root, 'main', 'cli'), { recursive: true });
mkdirSync(join(root, 'main', 'core', 'deep'), { recursive: true });
const bundle = join(root, 'dist', 'cli.mjs');
writeFileSync(bundle, "export async function main() { process.stdout.write('bundle'); return 0; }\n");
writeFileSync(join(root, 'main', 'cli', 'main.ts'), "export async function main(): Promise<number> { process.stdout.write('sources'); return 0; }\n");
const deepSource = join(root, 'main', 'core', 'deep', 'edited.ts');
writeFileSync(deepSource, 'export {};\n');

const ran = () => execFileSync(process.execPath, [join(root, 'bin', 'holdfast.mjs')], { encoding: 'utf8' });
const setAge = (path: string, secondsAgo: number) => utimesSync(path, new Date(Date.now() - secondsAgo * 1000), new Date(Date.now() - secondsAgo * 1000));

test('the bundle runs while it is newer than every source file', () => {
  setAge(join(root, 'main', 'cli', 'main.ts'), 60);
  setAge(deepSource, 60);
  setAge(bundle, 10);
  expect(ran()).toBe('bundle');
});

test('a source file edited after the build, however deep, runs the sources instead', () => {
  setAge(bundle, 10);
  setAge(deepSource, 1);
  expect(ran()).toBe('sources');
});

test('a bundle that fails to load runs the sources', () => {
  setAge(deepSource, 60);
  writeFileSync(bundle, 'export const broken = ;\n');
  setAge(bundle, 10);
  expect(ran()).toBe('sources');
});

test('an edited spec does not make the bundle stale: specs are not bundled', () => {
  const spec = join(root, 'main', 'core', 'deep', 'edited.test.ts');
  writeFileSync(bundle, "export async function main() { process.stdout.write('bundle'); return 0; }\n");
  writeFileSync(spec, 'export {};\n');
  setAge(deepSource, 60);
  setAge(bundle, 10);
  setAge(spec, 1);
  expect(ran()).toBe('bundle');
});
