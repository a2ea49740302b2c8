// After a restore ran, the wizard's Result step says which of the backup's database-level settings the
// restored database did not get, with the step that sets them, as the CLI does (main/cli/format.ts):
// nobody should leave the wizard assuming the copy has every setting the backup carried.
// The backup is a real pg_dump 15 dump of the seeded "shop" while it set a library to load at session
// start and a search_path putting a schema before pg_catalog, settings a backup is never trusted to
// choose and for which Holdfast hands over no statement (restore/database-properties.ts), and a logging
// setting it is not trusted with either, which comes with its exact statement. The wizard shows a
// statement only where the engine gives one: the schema's name reads like one, and is not.
import { expect, screenshotEverySize as screenshot, test } from './fixtures.ts';
import { BackupsPage } from './pages/backups.ts';
import { RestoreWizard } from './pages/restore.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'restore-left-out' });

test.beforeAll(async ({ holdfast }) => {
  const { pg } = holdfast;
  await rpc(holdfast.url, 'profile.add', { name: 'preloading', host: pg.host, port: pg.port, user: pg.user, dbname: 'shop' });
  await pg.query(`ALTER DATABASE shop SET session_preload_libraries = 'auto_explain'`);
  await pg.query(`ALTER DATABASE shop SET log_statement = 'none'`);
  await pg.query(`ALTER DATABASE shop SET search_path = "ALTER DATABASE x SET y", pg_catalog`);
  await rpc(holdfast.url, 'backup.create', { profile: 'preloading', options: {} });
  await pg.query('ALTER DATABASE shop RESET session_preload_libraries');
  await pg.query('ALTER DATABASE shop RESET log_statement');
  await pg.query('ALTER DATABASE shop RESET search_path');
});

test('the Result step lists the setting the restored database did not get, with the step that sets it', async ({ page, holdfast }) => {
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  await backups.renderedRows().filter({ hasText: 'preloading' }).first().click();
  await backups.openRestore();
  const wizard = new RestoreWizard(page);
  await wizard.chooseNewDatabase('shop_preloaded');
  await wizard.preview();
  await expect(wizard.currentStep()).toContainText('Review');
  await wizard.confirmInput().fill('shop_preloaded');
  await wizard.restoreButton().click();
  await expect(wizard.dialog.getByText('Restore completed')).toBeVisible({ timeout: 60_000 });

  const leftOut = wizard.dialog.getByRole('region', { name: 'Not carried over from the backup' });
  await expect(leftOut).toContainText("session_preload_libraries='auto_explain'");
  await expect(leftOut).toContainText("search_path='ALTER DATABASE x SET y', 'pg_catalog'");
  // A setting off the allow-list carries its own exact statement; the library and the search_path get none to paste, only the form.
  await expect(leftOut.getByRole('code').filter({ hasText: 'log_statement' })).toHaveText(`ALTER DATABASE "shop_preloaded" SET "log_statement" TO 'none';`);
  await expect(leftOut).not.toContainText('SET "search_path"');
  await expect(leftOut).not.toContainText('SET "session_preload_libraries"');
  await expect(leftOut.getByText('ALTER DATABASE "shop_preloaded" SET name = value')).toHaveCount(1);
  await expect(wizard.dialog.getByText(/--[a-z]|holdfast [a-z]/)).toHaveCount(0);
  await screenshot(page, 'restore-result-left-out');
  // It really was left out.
  expect(await holdfast.pg.query(`SELECT 1 FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = 'shop_preloaded'`)).toEqual([]);
});
