// `holdfast key export` prints a file the DBA redirects into an offline copy and later hands to
// `age -d -i`. It is the identity file as Holdfast wrote it, line by line: the human output's
// newline escaping (showNewlinesIn) turned it into one line of `\n`s, which age reads as "no secret
// keys found", so the offline copy the key's warning asks for could not open a single backup.
import { expect, test } from 'vitest';
import { parseIdentityFile } from '../core/encryption/keyring.ts';
import { holdfast, throwawayHome } from '../../test/support/cli-in-process.ts';

throwawayHome('key-export', () => ({ HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'k'.repeat(32) }));

test('key export prints the identity file with its own lines, as age reads it', async () => {
  const generated = await holdfast('key', 'generate', '--name', 'main', '--json');
  expect(generated.code, generated.stderr).toBe(0);
  const { recipient } = JSON.parse(generated.stdout) as { recipient: string };

  const exported = await holdfast('key', 'export', 'main');
  expect(exported.code, exported.stderr).toBe(0);
  expect(exported.stdout).not.toContain('\\n');
  const lines = exported.stdout.split('\n');
  expect(lines).toContain(`# public key: ${recipient}`);
  expect(lines.filter((line) => line.startsWith('AGE-SECRET-KEY-1'))).toHaveLength(1);
  expect(() => parseIdentityFile(exported.stdout)).not.toThrow();
});
