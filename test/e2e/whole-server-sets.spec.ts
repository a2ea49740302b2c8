// A whole-server backup set as a DBA meets it in the app (issue 16), against a real server with three
// databases: the connection added in the form with "every database", Back up now takes one set, the
// Backups table shows it as one row that expands to its three members, verify and the whole-set drill
// pass, and one database (--only) is restored into a second, empty server.
import { expect, screenshotEverySize, test, watchConsole } from './fixtures.ts';
import { seedDatabase } from '../support/holdfast-env.ts';
import { startPgServer, type PgServer } from '../support/pg-server.ts';
import { ConnectionsPage } from './pages/connections.ts';
import { BackupsPage } from './pages/backups.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'whole-server-sets' });
test.describe.configure({ mode: 'serial' });

const PROFILE = 'whole';
let target: PgServer | undefined;

test.beforeAll(async ({ holdfast }) => {
  // The world's server has postgres and shop; crm makes three databases.
  await seedDatabase(holdfast.pg, 'crm', 120);
  target = await startPgServer();
  await rpc(holdfast.url, 'profile.add', { name: 'fresh', host: target.host, port: target.port, user: target.user, dbname: 'postgres' });
});

test.afterAll(async () => {
  await target?.stop();
});

test('add a whole-server connection, back it up as one set, expand, verify, drill, restore one database into a new server', async ({ page, holdfast }) => {
  test.setTimeout(300_000);
  const console = watchConsole(page);
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Connections');

  const connections = new ConnectionsPage(page);
  await connections.openAddForm();
  await connections.fill({ name: PROFILE, host: holdfast.pg.host, port: String(holdfast.pg.port), user: holdfast.pg.user });
  await connections.form.getByLabel('Back up every database on the server').check();
  await connections.form.getByLabel('Parallel databases').fill('2');
  await connections.submit();
  const card = connections.card(PROFILE);
  await expect(card.getByLabel('Whole server')).toContainText('All databases');
  await expect(card.getByLabel('Whole server')).toContainText('2 databases at once');

  // Back up now on the whole-server card takes a set: each database's state, then the set.
  await card.getByRole('button', { name: 'Back up now' }).click();
  const dialog = page.locator('dialog[open]');
  await expect(dialog.getByText('A whole-server backup set')).toBeVisible();
  // shop's dump waits behind a lock, so the list of databases stays on screen while crm finishes.
  const lock = await holdfast.pg.lockTable('shop', 'users');
  lock.on('error', () => undefined); // the server stops under it if the test fails first
  await dialog.getByRole('button', { name: 'Start backup' }).click();
  const progress = dialog.getByRole('list', { name: 'Databases' }).locator('[data-database="crm"]');
  await expect(progress).toContainText('Done');
  // A database's name as the server spells it (PostgreSQL's names are case-sensitive): crm, never Crm.
  expect(await progress.locator('.mono').evaluate((element) => (element as HTMLElement).innerText)).toBe('crm');
  await lock.end();
  await expect(dialog.getByText('Backup set completed')).toBeVisible({ timeout: 120_000 });
  await expect(dialog.getByRole('status')).toContainText('3 of 3 databases');
  await dialog.getByRole('button', { name: 'Show in Backups' }).click();

  // One row for the set, its three members under it (expanded by "Show in Backups"), none loose.
  const backups = new BackupsPage(page);
  const setRow = backups.renderedRows().filter({ hasText: '3 of 3 databases' });
  await expect(setRow).toHaveCount(1);
  await expect(setRow).toHaveAttribute('aria-expanded', 'true');
  await expect(backups.renderedRows().and(page.locator('[aria-level="2"]'))).toHaveCount(3);
  await expect(backups.renderedRows()).toHaveCount(4);
  for (const database of ['crm', 'postgres', 'shop']) await expect(backups.renderedRows().and(page.locator('[aria-level="2"]')).filter({ hasText: database })).toHaveCount(1);
  // Collapsed, the set is the only row.
  await setRow.getByRole('button', { name: /Hide the databases/ }).click();
  await expect(backups.renderedRows()).toHaveCount(1);
  await setRow.getByRole('button', { name: /Show the databases/ }).click();
  await expect(backups.renderedRows()).toHaveCount(4);

  const drawer = page.getByRole('complementary', { name: 'Backup set details' });
  await expect(drawer.getByRole('table', { name: 'Members' }).locator('tbody tr')).toHaveCount(3);
  await expect(drawer).toContainText('globals');
  await expect(drawer).toContainText('sha256:');

  await drawer.getByRole('button', { name: 'Verify' }).click();
  await expect(drawer.getByRole('status', { name: 'Verify result' })).toContainText('Backup set verified', { timeout: 120_000 });
  await drawer.getByRole('button', { name: 'Test restore' }).click();
  await expect(drawer.getByRole('status', { name: 'Test restore result' })).toContainText('Restore-tested', { timeout: 180_000 });
  await expect(setRow).toContainText('Restore-tested');
  // Each member's pg_restore output, opened from the result as a single backup's drill shows its own.
  const drillResult = drawer.getByRole('status', { name: 'Test restore result' });
  await expect(drillResult.locator('summary', { hasText: /^Tool output: / })).toHaveCount(3);
  await drillResult
    .locator('summary', { hasText: /^Tool output: / })
    .first()
    .click();
  await expect(drillResult.getByText(/wrote nothing to stderr for this run|── pg_restore/).first()).toBeVisible();
  await screenshotEverySize(page, 'sets-list-expanded');
  await drawer.evaluate((element) => element.scrollTo(0, element.scrollHeight));
  await screenshotEverySize(page, 'sets-drawer');

  // Restore only crm into the second server, as a new database: previewed, then the set's id typed.
  const setId = (await drawer.getByRole('heading', { level: 2 }).textContent())!.split(' ').at(-1)!;
  await drawer.getByRole('button', { name: 'Restore…' }).click();
  const restore = page.getByRole('dialog', { name: `Restore backup set ${setId}` });
  await restore.getByLabel('Target server (connection)').selectOption('fresh');
  const databases = restore.getByRole('group', { name: 'Databases to restore' });
  await databases.getByLabel('postgres').uncheck();
  await databases.getByLabel('shop').uncheck();
  await restore.getByRole('button', { name: 'Preview impact' }).click();
  await expect(restore.getByRole('list', { name: 'Restore preview' })).toContainText('crm');
  await expect(restore.getByRole('list', { name: 'Restore preview' })).toContainText('will be created');
  await expect(restore.getByRole('button', { name: 'Restore', exact: true })).toBeDisabled();
  await restore.getByLabel("Type the set's id to confirm").fill(setId);
  await restore.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(restore.getByText('Backup set restored')).toBeVisible({ timeout: 120_000 });
  await expect(restore.getByRole('list', { name: 'Restored databases' })).toContainText('created');
  expect(await target!.query(`SELECT datname FROM pg_database WHERE datname IN ('crm', 'shop') ORDER BY 1`)).toEqual([{ datname: 'crm' }]);
  expect(await target!.query(`SELECT count(*)::int AS n FROM users`, 'crm')).toEqual(await holdfast.pg.query(`SELECT count(*)::int AS n FROM users`, 'crm'));
  await restore.getByRole('button', { name: 'Done' }).click();

  // Deleted whole: the confirmation says so and waits for the set's id.
  await drawer.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete this whole backup set?' });
  await expect(confirm).toContainText('A set is deleted whole: the backups of all 3 of its databases');
  await expect(confirm.getByRole('button', { name: 'Delete the whole set' })).toBeDisabled();
  await confirm.getByLabel("Type the set's id to confirm").fill(setId);
  await confirm.getByRole('button', { name: 'Delete the whole set' }).click();
  await expect(backups.renderedRows()).toHaveCount(0);
  expect(console.errors).toEqual([]);
});

test("the set restore preview shows each database's tables: replaced with their rows now and the backup's, lost, or new", async ({ page, holdfast }) => {
  test.setTimeout(240_000);
  const console = watchConsole(page);
  const set = await rpc<{ id: string }>(holdfast.url, 'backup.take', { profile: PROFILE, options: {} });
  // On the target: crm with fewer users and a table the backup does not have.
  await target!.query(`DROP DATABASE IF EXISTS crm`);
  await target!.query(`CREATE DATABASE crm`);
  await target!.query(`CREATE TABLE users (id int); INSERT INTO users SELECT generate_series(1, 5); CREATE TABLE legacy (v text); INSERT INTO legacy VALUES ('a'), ('b')`, 'crm');

  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  await backups.renderedRows().filter({ hasText: '3 of 3 databases' }).click();
  const drawer = page.getByRole('complementary', { name: 'Backup set details' });
  await drawer.getByRole('button', { name: 'Restore…' }).click();
  const restore = page.getByRole('dialog', { name: `Restore backup set ${set.id}` });
  await restore.getByLabel('Target server (connection)').selectOption('fresh');
  await restore.getByRole('group', { name: 'Databases to restore' }).getByLabel('postgres').uncheck();
  // Create them: crm exists there, so the preview refuses it and says which choice of this dialog replaces it.
  await restore.getByRole('button', { name: 'Preview impact' }).click();
  const refusedCrm = restore.getByRole('list', { name: 'Restore preview' }).locator('[data-database="crm"]');
  await expect(refusedCrm).toContainText('is not empty');
  await expect(refusedCrm).toContainText('To replace it, choose "Replace them if they exist". Or leave it out: untick it under "Databases to restore".');
  await expect(refusedCrm).not.toContainText('--');
  await screenshotEverySize(page, 'set-restore-preview-refused');
  await restore.getByRole('button', { name: 'Back' }).click();
  await restore.getByText('Replace them if they exist').click();
  await restore.getByRole('button', { name: 'Preview impact' }).click();

  const crm = restore.getByRole('table', { name: 'Restore impact: crm' });
  await expect(crm.getByRole('row', { name: /public\.users/ })).toContainText('5');
  await expect(crm.getByRole('row', { name: /public\.users/ })).toContainText('replaced');
  await expect(crm.getByRole('row', { name: /public\.legacy/ })).toContainText('lost');
  await expect(restore.getByRole('list', { name: 'Impact summary: crm' })).toContainText('1 table lost');
  const shop = restore.getByRole('table', { name: 'Restore impact: shop' });
  await expect(shop.getByRole('row', { name: /public\.users/ })).toContainText('created');
  await screenshotEverySize(page, 'set-restore-preview');
  // Nothing changed by the preview.
  expect(await target!.query(`SELECT count(*)::int AS n FROM users`, 'crm')).toEqual([{ n: 5 }]);
  expect(console.errors).toEqual([]);
});

test('Test connection of a whole-server connection names, per database, the tables its role cannot read', async ({ page, holdfast }) => {
  // A role that may connect to every database but was granted no table: every member would fail.
  await holdfast.pg.query(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'clerk') THEN CREATE ROLE clerk LOGIN; END IF; END $$`);
  const shell = new Shell(page);
  const connections = new ConnectionsPage(page);
  await shell.open(holdfast.url);
  await shell.goTo('Connections');
  await connections.openAddForm();
  await connections.fill({ name: 'clerk-server', host: holdfast.pg.host, port: String(holdfast.pg.port), user: 'clerk' });
  await connections.form.getByLabel('Back up every database on the server').check();
  await connections.form.getByRole('button', { name: 'Test connection' }).click();
  const crm = connections.form.getByRole('table', { name: 'Databases a set would back up' }).locator('[data-database-problem="crm"]');
  await expect(crm).toContainText(/the role cannot read \d+ tables or large objects in "crm" \(.*public\.events.*\): that member's pg_dump would fail/);
  await expect(connections.form.getByTestId('draft-test-result')).toBeVisible();
  await expect(crm).not.toContainText('--');
  await screenshotEverySize(page, 'whole-server-test-unreadable');
});
