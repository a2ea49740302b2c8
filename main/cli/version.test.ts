// `holdfast --version` (and commander's -V) print the version package.json states: the one copy of it.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { main } from './main.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

test.each(['--version', '-V'])('`holdfast %s` prints the package version and exits 0', async (flag) => {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'holdfast', flag], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), isTTY: false });
  expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
});
