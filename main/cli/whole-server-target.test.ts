// A DBA's review (stop 33): `holdfast restore <hr backup> --to server`, where "server" is a whole-server
// profile, restored hr's tables into postgres — the profile's dbname, which for such a profile is only
// where it connects to list the databases. Without --dbname such a restore is refused, naming the
// database to give; nothing is read or connected to first.
import { expect, test } from 'vitest';
import { holdfast, throwawayHome } from '../../test/support/cli-in-process.ts';
import { seedBackups } from '../../test/support/seeded-home.ts';

const currentHome = throwawayHome('whole-target');

test('a restore to a whole-server profile without --dbname is refused, naming the database to give, not restored into its maintenance database', async () => {
  const home = currentHome();
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
