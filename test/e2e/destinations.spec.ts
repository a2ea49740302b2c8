// Destinations in the browser UI, against a real `holdfast serve` and a real second directory: add
// one (a bad path is refused in the form), test it, back up now with a copy to it, see the copy in
// the backup details with its state and re-verify it, then remove the destination. Photographed.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { profileFor } from '../support/holdfast-env.ts';
import { expect, screenshot, test, watchConsole } from './fixtures.ts';
import { BackupNowDialog, BackupsPage } from './pages/backups.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'destinations' });
test.describe.configure({ mode: 'serial' });

let page: Page;
let consoleErrors: string[];
let shell: Shell;
let nas: string;

test.beforeAll(async ({ browser, holdfast }) => {
  nas = mkdtempSync(join(tmpdir(), 'holdfast-e2e-nas-'));
  const engine = await holdfast.home.open();
  await engine.addProfile(profileFor(holdfast.pg, 'shop', 'shop'));
  engine.close();
  page = await browser.newPage();
  consoleErrors = watchConsole(page).errors;
  shell = new Shell(page);
});

test.afterAll(async () => {
  await page?.close();
  rmSync(nas, { recursive: true, force: true });
});

test('a directory destination is added (a relative path refused in the form) and tested', async ({ holdfast }) => {
  await shell.open(holdfast.url);
  await shell.goTo('Destinations');
  await expect(page.getByRole('heading', { name: 'No destinations yet' })).toBeVisible();
  await page.getByRole('button', { name: 'Add destination' }).click();
  const form = page.getByRole('form', { name: 'Destination' });
  const submit = page.getByRole('dialog', { name: 'Add a destination' }).getByRole('button', { name: 'Add destination' });
  await form.getByLabel('Name', { exact: true }).fill('nas');
  await form.getByLabel('Directory', { exact: true }).fill('relative/path');
  await submit.click();
  await expect(form.getByText('An absolute path to a directory that exists.')).toBeVisible();
  await form.getByLabel('Type', { exact: true }).selectOption('s3');
  await expect(form.getByLabel('Bucket', { exact: true })).toBeVisible();
  await screenshot(page, '40-destination-form-s3');
  await form.getByLabel('Type', { exact: true }).selectOption('directory');
  await form.getByLabel('Directory', { exact: true }).fill(nas);
  await submit.click();
  await expect(form).toBeHidden();

  const table = page.getByRole('table', { name: 'Destinations' });
  const row = table.getByRole('row', { name: /nas/ });
  await expect(row).toContainText('Directory');
  await expect(row).toContainText(nas);
  // A new destination is tested straight away: a probe written, read back and removed.
  await expect(row).toContainText('works');
  expect(readdirSync(nas)).toEqual([]);
  await screenshot(page, '41-destinations');
  // The last test is kept in the catalogue (issue 17): after a reload the page still says it worked, and when.
  await page.reload();
  await expect(table.getByRole('columnheader', { name: 'Last test' })).toBeVisible();
  await expect(row.getByLabel('Test of nas')).toContainText(/works.*tested \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  // At 1024×700 the kept test's date made the table wider than its card: the Test button crossed its edge.
  await page.setViewportSize({ width: 1024, height: 700 });
  const card = (await table.locator('xpath=ancestor::section[1]').boundingBox())!;
  for (const button of [row.getByRole('button', { name: 'Test', exact: true }), row.getByRole('button', { name: 'Remove', exact: true })]) {
    const box = (await button.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(card.x + card.width);
  }
  await screenshot(page, '41-destinations-1024');
  await page.setViewportSize({ width: 1440, height: 900 });
});

test('Back up now picks the destination; the details list the copy, verified, and re-verify it', async () => {
  await shell.backUpNow();
  const dialog = new BackupNowDialog(page);
  await dialog.dialog.getByLabel('Connection').selectOption('shop');
  await dialog.dialog.getByRole('group', { name: 'Copy to' }).getByLabel('nas').check();
  await screenshot(page, '42-backup-now-copy-to');
  await dialog.dialog.getByRole('button', { name: 'Start backup' }).click();
  await expect(dialog.completed()).toBeVisible({ timeout: 60_000 });
  await dialog.dialog.getByRole('button', { name: 'Show in Backups' }).click();

  const backups = new BackupsPage(page);
  const copies = backups.details.getByRole('table', { name: 'Copies' });
  await expect(copies.getByRole('row', { name: /nas/ })).toContainText('verified');
  await expect(backups.details).toContainText('1 of 1 verified');
  await backups.details.getByRole('button', { name: 'Re-verify copies' }).click();
  await expect(copies.getByRole('row', { name: /nas/ })).toContainText('verified');
  await expect(copies.getByRole('row', { name: /nas/ })).not.toContainText('never');
  expect(readdirSync(nas).some((name) => name.endsWith('.json'))).toBe(true);
  await screenshot(page, '43-backup-copies');
});

test('a backup kept on the destination only says so in its details and offers no download of a local file', async ({ holdfast }) => {
  const taken = await rpc<{ id: string; filename: string }>(holdfast.url, 'backup.take', { profile: 'shop', options: { noLocalCopy: true }, copyTo: ['nas'] });
  await shell.goTo('Overview');
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  await backups.renderedRows().filter({ hasText: 'Completed' }).first().click();
  await expect(backups.details).toContainText(taken.filename);
  await expect(backups.details).toContainText('Not on this machine: kept on its destinations only (nas)');
  await expect(backups.details).not.toContainText(join(holdfast.home.home, 'backups'));
  await expect(backups.details.getByRole('link', { name: 'Download' })).toHaveCount(0);
  await expect(backups.details.getByRole('button', { name: 'Restore…' })).toBeEnabled();
  await screenshot(page, '44-backup-destination-only');
});

test('removing a destination asks first and keeps what it stores', async () => {
  await shell.goTo('Destinations');
  await page.getByRole('table', { name: 'Destinations' }).getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByText('The copies it holds stay where they are.')).toBeVisible();
  await page.getByRole('button', { name: 'Remove destination' }).click();
  await expect(page.getByRole('heading', { name: 'No destinations yet' })).toBeVisible();
  expect(readdirSync(nas).length).toBeGreaterThan(0);
  expect(consoleErrors).toEqual([]);
});
