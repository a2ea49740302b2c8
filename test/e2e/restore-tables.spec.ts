// The restore wizard as a DBA uses it for one lost table: the target database picked from the server's
// list, a default new name that does not collide, chosen tables only; and a wizard that will not start
// what its own preview says will fail (open sessions on a database being replaced).
import type { Page } from '@playwright/test';
import pg from 'pg';
import { expect, screenshotEverySize as screenshot, SHOP_ROWS, test } from './fixtures.ts';
import { BackupsPage } from './pages/backups.ts';
import { RestoreWizard } from './pages/restore.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'restore-tables' });
test.describe.configure({ mode: 'serial' });

const PROFILE = 'tables';

async function openWizard(page: Page, url: string): Promise<RestoreWizard> {
  const shell = new Shell(page);
  await shell.open(url);
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  await backups.renderedRows().filter({ hasText: PROFILE }).first().click();
  await backups.openRestore();
  const wizard = new RestoreWizard(page);
  await expect(wizard.currentStep()).toContainText('Target');
  return wizard;
}

test.beforeAll(async ({ holdfast }) => {
  await rpc(holdfast.url, 'profile.add', { name: PROFILE, host: holdfast.pg.host, port: holdfast.pg.port, user: holdfast.pg.user, dbname: 'shop' });
  await rpc(holdfast.url, 'backup.create', { profile: PROFILE, options: {} });
  // The name the wizard would otherwise offer is taken: the default must step past it.
  await holdfast.pg.query('CREATE DATABASE shop_restored');
});

test('restore two tables into a new database: the default name does not collide, and only those tables arrive with equal counts', async ({ page, holdfast }) => {
  const wizard = await openWizard(page, holdfast.url);
  const name = wizard.dialog.getByLabel('New database name');
  await expect(name).toHaveValue('shop_restored_2');
  // Typing a name the server has is refused on the spot.
  await name.fill('shop_restored');
  await expect(wizard.dialog.getByText('already exists on this server')).toBeVisible();
  await name.fill('shop_two_tables');
  // An existing database is picked from the server's list, not typed.
  await wizard.dialog.getByLabel('Into an existing database').check();
  await expect(wizard.dialog.getByLabel('Existing database', { exact: true }).locator('option', { hasText: 'shop_restored' })).toHaveCount(1);
  await wizard.dialog.getByLabel('Create a new database').check();
  await name.fill('shop_two_tables');
  await wizard.next();

  await wizard.dialog.getByLabel('Chosen tables').check();
  await expect(wizard.dialog.getByText("Only the chosen tables' definitions and rows are restored")).toBeVisible();
  const list = wizard.dialog.getByRole('group', { name: 'Tables to restore' });
  await list.getByLabel('public.users', { exact: true }).check();
  await list.getByLabel('public.orders', { exact: true }).check();
  await screenshot(page, 'restore-choose-tables');
  await wizard.preview();

  await expect(wizard.currentStep()).toContainText('Review');
  await expect(wizard.dialog.getByRole('list', { name: 'Impact summary' })).toContainText('2 tables created');
  await wizard.confirmInput().fill('shop_two_tables');
  await wizard.restoreButton().click();
  await expect(wizard.dialog.getByText('Restore completed')).toBeVisible({ timeout: 60_000 });
  await expect(wizard.comparison().getByRole('row')).toHaveCount(3);
  await screenshot(page, 'restore-two-tables-result');

  const tables = await holdfast.pg.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    'shop_two_tables',
  );
  expect(tables.map((t) => t.name)).toEqual(['public.orders', 'public.users']);
  for (const [table, expected] of [
    ['users', SHOP_ROWS],
    ['orders', SHOP_ROWS * 2],
  ] as const) {
    const rows = await holdfast.pg.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`, 'shop_two_tables');
    expect(Number(rows[0]!.n)).toBe(expected);
  }
});

test('the wizard will not replace a database others are connected to until "End other sessions" is ticked, and says so in its own words', async ({ page, holdfast }) => {
  // Another session on "shop", idle: it holds no lock, so the preview can count the tables.
  const session = new pg.Client({ host: holdfast.pg.host, port: holdfast.pg.port, user: holdfast.pg.user, database: 'shop' });
  await session.connect();
  try {
    const wizard = await openWizard(page, holdfast.url);
    await wizard.dialog.getByLabel('Into an existing database').check();
    await wizard.dialog.getByLabel('Existing database', { exact: true }).selectOption('shop');
    await wizard.next();
    await wizard.dialog.getByLabel('Replace what is in the database (drop existing)').check();
    // The options speak of the app's controls, never of CLI flags.
    await expect(wizard.dialog.getByText(/--[a-z]/)).toHaveCount(0);
    await wizard.preview();

    const blockers = wizard.dialog.getByRole('alert', { name: 'What stops this restore' });
    await expect(blockers).toContainText('1 other session is connected to "shop"');
    await wizard.confirmInput().fill('shop');
    await expect(wizard.restoreButton()).toBeDisabled();
    await expect(wizard.dialog.getByText(/--[a-z]|holdfast [a-z]/)).toHaveCount(0);
    await screenshot(page, 'restore-refused-open-sessions');

    await blockers.getByRole('button', { name: /End other sessions on the database/ }).click();
    await expect(wizard.currentStep()).toContainText('Review');
    await expect(blockers).toBeHidden();
    await expect(wizard.dialog.getByText('end the other session on "shop"')).toBeAttached();
    await expect(wizard.dialog.getByText(/end the 0 other/)).toHaveCount(0);
    await wizard.confirmInput().fill('shop');
    await expect(wizard.restoreButton()).toBeEnabled();
  } finally {
    await session.end();
  }
});
