// Issue 17 (DBA lows): a schedule whose backups are encrypted says so in the Schedules list, and to
// whom: by its own choice, or inherited from its connection; one that is not encrypted says nothing.
import { runCli } from '../support/holdfast-env.ts';
import { expect, test } from './fixtures.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'schedule-encryption', homeEnv: { HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'an-example-key-of-32-characters!!' } });

test('the Schedules list marks encrypted schedules with their keys, own or inherited', async ({ page, holdfast }) => {
  expect((await runCli(['key', 'generate', '--name', 'team'], holdfast.home.env)).code).toBe(0);
  const connection = { host: holdfast.pg.host, port: holdfast.pg.port, user: holdfast.pg.user, dbname: 'shop' };
  await rpc(holdfast.url, 'profile.add', { name: 'own-choice', ...connection });
  await rpc(holdfast.url, 'profile.add', { name: 'inherits', ...connection, encryptTo: ['team'] });
  await rpc(holdfast.url, 'profile.add', { name: 'in-the-clear', ...connection });
  await rpc(holdfast.url, 'schedule.add', { profile: 'own-choice', type: 'daily', options: { encryptTo: ['team'] } });
  await rpc(holdfast.url, 'schedule.add', { profile: 'inherits', type: 'daily' });
  await rpc(holdfast.url, 'schedule.add', { profile: 'in-the-clear', type: 'daily' });

  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Schedules');
  const row = (profile: string) => page.getByRole('table', { name: 'Schedules' }).getByRole('row', { name: new RegExp(`^${profile}`) });
  await expect(row('own-choice')).toContainText('encrypted to “team”');
  await expect(row('inherits')).toContainText('encrypted to “team”');
  await expect(row('in-the-clear')).not.toContainText('encrypted');
});
