// `holdfast --version` (and commander's -V) print the version package.json states: the one copy of it.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { holdfast } from '../../test/support/cli-in-process.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

test.each(['--version', '-V'])('`holdfast %s` prints the package version and exits 0', async (flag) => {
  expect(await holdfast(flag)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
});
