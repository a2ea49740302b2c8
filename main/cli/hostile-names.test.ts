// The human CLI prints one line per item (a profile, a backup, a database): a name that breaks a line
// would forge a second item. Profile names refuse control characters but not U+2028/U+2029; a
// database name (the profile's dbname, or one a whole-server profile reads from the server) may hold
// a newline. Each is printed escaped, on its own item's line; --json was already safe.
import { expect, test } from 'vitest';
import { holdfastCli as holdfast, useCliHome } from '../../test/support/in-process-cli.ts';

useCliHome('holdfast-hostile-');

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
