// A set restored with "Create them" into a server that already has one of its databases, empty (every
// fresh server has postgres): pg_restore fills that database as it is, nothing is replaced. The
// preview and the result said "replaced" for it, which on a set whose other choice is "Replace them
// if they exist" tells a DBA the wrong thing happened.
import { expect, test, watchConsole } from './fixtures.ts';
import { startPgServer, type PgServer } from '../support/pg-server.ts';
import { BackupsPage } from './pages/backups.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'set-restore-into-empty' });

let target: PgServer | undefined;

test.beforeAll(async ({ holdfast }) => {
  await holdfast.pg.query(`CREATE TABLE kept_in_postgres (id int); INSERT INTO kept_in_postgres VALUES (1), (2), (3)`);
  await holdfast.pg.query(`CREATE ROLE "Set Reader" NOLOGIN`);
  target = await startPgServer();
  await rpc(holdfast.url, 'profile.add', { name: 'fresh', host: target.host, port: target.port, user: target.user, dbname: 'postgres' });
  const { pg } = holdfast;
  await rpc(holdfast.url, 'profile.add', { name: 'whole', host: pg.host, port: pg.port, user: pg.user, dbname: 'postgres', wholeServer: { excludeDatabases: ['shop'], parallelDatabases: 1 } });
});

test.afterAll(async () => {
  await target?.stop();
});

test('an existing empty database a set is restored into is said restored into, not replaced', async ({ page, holdfast }) => {
  test.setTimeout(180_000);
  const console = watchConsole(page);
  const set = await rpc<{ id: string }>(holdfast.url, 'backup.take', { profile: 'whole', options: {} });
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  await new BackupsPage(page).renderedRows().filter({ hasText: 'whole' }).first().click();
  await page.getByRole('complementary', { name: 'Backup set details' }).getByRole('button', { name: 'Restore…' }).click();
  const restore = page.getByRole('dialog', { name: `Restore backup set ${set.id}` });
  await restore.getByLabel('Target server (connection)').selectOption('fresh');
  await restore.getByRole('button', { name: 'Preview impact' }).click();

  const previewed = restore.getByRole('list', { name: 'Restore preview' }).locator('[data-database="postgres"]');
  await expect(previewed).toContainText('exists, empty: restored into it');
  await expect(previewed).not.toContainText('replaced');
  // The roles its roles file will create on the target, named before anything is done.
  await expect(restore.getByText('The roles file creates', { exact: false })).toContainText('Set Reader');

  await restore.getByLabel("Type the set's id to confirm").fill(set.id);
  await restore.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(restore.getByText('Backup set restored')).toBeVisible({ timeout: 120_000 });
  const restored = restore.getByRole('list', { name: 'Restored databases' }).locator('[data-database="postgres"]');
  await expect(restored).toContainText('restored into the existing database');
  await expect(restored).not.toContainText('replaced');
  expect(await target!.query(`SELECT count(*)::int AS n FROM kept_in_postgres`)).toEqual([{ n: 3 }]);
  expect(console.errors).toEqual([]);
});
