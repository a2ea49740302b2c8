// The restore wizard does not start what its own preview says the engine will refuse: roles the
// backup's database-level entries name that the target lacks, a connection limit PostgreSQL does not
// take (an altered archive). The reason is written beside the disabled Restore button, and where one
// of the wizard's own controls lifts it, that control is named (never a CLI flag) and offered.
// The backups are real pg_dump 15 dumps of the seeded "shop": one taken while a role since dropped
// owned it, one a directory dump with its connection limit rewritten in the TOC, imported.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { rewriteTocString } from '../support/archive-toc-edit.ts';
import { expect, screenshotEverySize as screenshot, test } from './fixtures.ts';
import { BackupsPage } from './pages/backups.ts';
import { RestoreWizard } from './pages/restore.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'restore-blockers' });
test.describe.configure({ mode: 'serial' });

let elsewhere: string;

test.beforeAll(async ({ holdfast }) => {
  const { pg } = holdfast;
  elsewhere = mkdtempSync(join(tmpdir(), 'holdfast-e2e-blockers-'));
  for (const name of ['gone-owner', 'bad-limit']) await rpc(holdfast.url, 'profile.add', { name, host: pg.host, port: pg.port, user: pg.user, dbname: 'shop' });
  // A backup of "shop" while a role the server no longer has owned it.
  await pg.query('CREATE ROLE gone_owner NOLOGIN; ALTER DATABASE shop OWNER TO gone_owner;');
  await rpc(holdfast.url, 'backup.create', { profile: 'gone-owner', options: {} });
  await pg.query(`ALTER DATABASE shop OWNER TO ${pg.user}; DROP ROLE gone_owner;`);
  // A dump whose connection limit was altered to one PostgreSQL does not take.
  await pg.query('ALTER DATABASE shop CONNECTION LIMIT 7');
  const dump = join(elsewhere, 'shop.dir');
  execFileSync(join(pg.binDir, 'pg_dump'), ['-Fd', '-f', dump, '-h', pg.host, '-p', String(pg.port), '-U', pg.user, 'shop']);
  await pg.query('ALTER DATABASE shop CONNECTION LIMIT -1');
  rewriteTocString(dump, 'CONNECTION LIMIT = 7;', 'CONNECTION LIMIT = 99999999999;');
  await rpc(holdfast.url, 'backup.import', { file: dump, profile: 'bad-limit' });
});

test.afterAll(() => {
  if (elsewhere) rmSync(elsewhere, { recursive: true, force: true });
});

/** The wizard on `profile`'s backup, into a new database, at its Review step. */
async function previewNewDatabase(page: Page, url: string, profile: string, database: string): Promise<RestoreWizard> {
  const shell = new Shell(page);
  await shell.open(url);
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  await backups.renderedRows().filter({ hasText: profile }).first().click();
  await backups.openRestore();
  const wizard = new RestoreWizard(page);
  await wizard.chooseNewDatabase(database);
  await wizard.preview();
  await expect(wizard.currentStep()).toContainText('Review');
  return wizard;
}

test('a role the target lacks: Restore is disabled with the reason beside it, and "Skip ownership" lifts it', async ({ page, holdfast }) => {
  const wizard = await previewNewDatabase(page, holdfast.url, 'gone-owner', 'shop_owned');
  const blockers = wizard.dialog.getByRole('alert', { name: 'What stops this restore' });
  await expect(blockers).toContainText('lacks roles the backup names ("gone_owner")');
  await expect(blockers).toContainText('tick "Skip ownership" and "Skip privileges"');
  await wizard.confirmInput().fill('shop_owned');
  await expect(wizard.restoreButton()).toBeDisabled();
  // Said beside the button, as text, not only in a tooltip.
  const reason = wizard.dialog.getByTestId('start-disabled-reason');
  await expect(reason).toBeVisible();
  await expect(reason).toHaveText(/can't start: 1 problem above would make it fail/i);
  await expect(wizard.dialog.getByText(/--[a-z]|holdfast [a-z]/)).toHaveCount(0);
  await screenshot(page, 'restore-refused-missing-role');

  await blockers.getByRole('button', { name: /Skip ownership/ }).click();
  await expect(wizard.currentStep()).toContainText('Review');
  await expect(blockers).toBeHidden();
  await expect(reason).toBeHidden();
  await wizard.confirmInput().fill('shop_owned');
  await expect(wizard.restoreButton()).toBeEnabled();
});

test('a connection limit PostgreSQL does not take: Restore stays disabled, no control is offered, ownership options do not lift it', async ({ page, holdfast }) => {
  const wizard = await previewNewDatabase(page, holdfast.url, 'bad-limit', 'shop_limited');
  const blockers = wizard.dialog.getByRole('alert', { name: 'What stops this restore' });
  await expect(blockers).toContainText('connection limit 99999999999 is not one PostgreSQL takes');
  await expect(blockers).toContainText('Restore an earlier backup');
  await expect(blockers.getByRole('button')).toHaveCount(0);
  await wizard.confirmInput().fill('shop_limited');
  await expect(wizard.restoreButton()).toBeDisabled();
  await expect(wizard.dialog.getByTestId('start-disabled-reason')).toBeVisible();
  await screenshot(page, 'restore-refused-connection-limit');

  await wizard.dialog.getByRole('button', { name: 'Back' }).click();
  await wizard.dialog.getByLabel('Skip ownership').check();
  await wizard.dialog.getByLabel('Skip privileges').check();
  await wizard.preview();
  await expect(blockers).toContainText('connection limit 99999999999');
  await wizard.confirmInput().fill('shop_limited');
  await expect(wizard.restoreButton()).toBeDisabled();
  // Nothing was created on the server.
  expect(await holdfast.pg.query(`SELECT 1 FROM pg_database WHERE datname = 'shop_limited'`)).toEqual([]);
});
