// A DBA's review (stop 33): `holdfast restore <hr backup> --to server`, where "server" is a whole-server
// profile, restored hr's tables into postgres — the profile's dbname, which for such a profile is only
// where it connects to list the databases. Without --dbname such a restore is refused, naming the
// database to give; nothing is read or connected to first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { seedBackups } from '../../test/support/seeded-home.ts';
import { main } from './main.ts';

let home: string;
let saved: string | undefined;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'holdfast-whole-target-'));
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

test('a restore to a whole-server profile without --dbname is refused, naming the database to give, not restored into its maintenance database', async () => {
  const [backup] = seedBackups({ home, env: { HOLDFAST_HOME: home }, open: () => Promise.reject(new Error('unused')), cleanup: () => undefined }, 1, { database: 'hr' });
  // Port 9 (discard): nothing answers, so a restore that got as far as connecting fails differently.
  const added = await holdfast('profile', 'add', 'server', '--host', '127.0.0.1', '--port', '9', '--user', 'postgres', '--all-databases', '--no-libpq-password-files');
  expect(added.code, added.stderr).toBe(0);
  for (const dryRun of [[], ['--dry-run']]) {
    const refused = await holdfast('restore', backup!.id, '--to', 'server', '--create', ...dryRun);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('Profile "server" backs up every database on 127.0.0.1:9; its database, postgres, is only where it connects');
    expect(refused.stderr).toContain(`hint: Name the database with --dbname: holdfast restore ${backup!.id} --to server --dbname hr --create`);
  }
  // With --dbname it goes on, and fails only where it connects.
  const named = await holdfast('restore', backup!.id, '--to', 'server', '--dbname', 'hr', '--create', '--dry-run');
  expect(named.stderr).not.toContain('backs up every database');
});
