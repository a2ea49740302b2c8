// The human CLI prints one line per item (a profile, a backup, a database): a name that breaks a line
// would forge a second item. Profile names refuse control characters but not U+2028/U+2029; a
// database name (the profile's dbname, or one a whole-server profile reads from the server) may hold
// a newline. Each is printed escaped, on its own item's line; --json was already safe.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { main } from './main.ts';

let home: string;
let saved: string | undefined;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'holdfast-hostile-'));
  saved = process.env.HOLDFAST_HOME;
  process.env.HOLDFAST_HOME = home;
});

afterEach(() => {
  if (saved === undefined) delete process.env.HOLDFAST_HOME;
  else process.env.HOLDFAST_HOME = saved;
  rmSync(home, { recursive: true, force: true });
});

async function holdfast(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'holdfast', ...args], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), isTTY: false });
  return { code, stdout, stderr };
}

const FORGED = 'forged  admin@evil:5432';

test('a profile name with a line separator and a database name with a newline stay on their line in `profile list`, escaped', async () => {
  const name = `shop\u2028${FORGED}`;
  const added = await holdfast('profile', 'add', name, '--host', 'db.example', '--user', 'app', '--dbname', `shop\n${FORGED}`, '--no-libpq-password-files');
  expect(added.code, JSON.stringify(added.stderr)).toBe(0);
  const listed = await holdfast('profile', 'list');
  expect(listed.code, listed.stderr).toBe(0);
  const lines = listed.stdout.split(/\r\n|[\n\r\u2028\u2029\u0085\v\f]/).filter((line) => line !== '');
  expect(lines).toEqual([`shop\\u2028${FORGED}  app@db.example:5432/shop\\n${FORGED}`]);
  const json = await holdfast('profile', 'list', '--json');
  expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ name, dbname: `shop\n${FORGED}` })]);
});
