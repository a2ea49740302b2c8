// The offsite controls the CLI had and the app lacked, in the browser UI against a real `holdfast
// serve` and a real second directory: "Keep no local copy" on the connection form, the Back up now
// dialog and the schedule form (disabled, saying why, with no destination or the directory format),
// and a destination's retention on the Destinations page (a bad policy refused on the field by the
// engine's own parser). Photographed at 1440×900 and 1024×700.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { profileFor } from '../support/holdfast-env.ts';
import { expect, screenshotEverySize, test, watchConsole } from './fixtures.ts';
import { BackupNowDialog } from './pages/backups.ts';
import { ConnectionsPage } from './pages/connections.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'offsite-app-controls' });
test.describe.configure({ mode: 'serial' });

let page: Page;
let consoleErrors: string[];
let shell: Shell;
let nas: string;

const NO_DESTINATION = /Choose at least one destination under “Copy to” first/;
const DIRECTORY_FORMAT = /A directory-format backup cannot be kept on destinations only/;

test.beforeAll(async ({ browser, holdfast }) => {
  nas = mkdtempSync(join(tmpdir(), 'holdfast-e2e-nas-'));
  const engine = await holdfast.home.open();
  await engine.addProfile(profileFor(holdfast.pg, 'shop', 'shop'));
  await engine.offsite.destinations.add({ name: 'nas', spec: { type: 'directory', settings: { path: nas } } });
  engine.close();
  page = await browser.newPage();
  consoleErrors = watchConsole(page).errors;
  shell = new Shell(page);
});

test.afterAll(async () => {
  await page?.close();
  rmSync(nas, { recursive: true, force: true });
});

test('the connection form: Keep no local copy is disabled until a destination is chosen, then saved with the profile', async ({ holdfast }) => {
  await shell.open(holdfast.url);
  await shell.goTo('Connections');
  const connections = new ConnectionsPage(page);
  await connections.card('shop').getByRole('button', { name: 'Edit' }).click();
  const keep = connections.form.getByLabel('Keep no local copy');
  await expect(keep).toBeDisabled();
  await expect(connections.form.getByText(NO_DESTINATION)).toBeVisible();
  await screenshotEverySize(page, '70-connection-no-local-copy-disabled');
  await connections.form.getByRole('group', { name: 'Copy to' }).getByLabel('nas').check();
  await expect(keep).toBeEnabled();
  await keep.check();
  await connections.form.getByLabel('Keep no local copy').scrollIntoViewIfNeeded();
  await screenshotEverySize(page, '71-connection-no-local-copy');
  await connections.form.getByRole('button', { name: 'Save changes' }).click();
  await expect(connections.form).toBeHidden();
  const [profile] = await rpc<Array<{ name: string; copyTo: string[]; noLocalCopy: boolean }>>(holdfast.url, 'profile.list', {});
  expect(profile).toMatchObject({ name: 'shop', copyTo: ['nas'], noLocalCopy: true });
});

test("Back up now starts from the connection's choice, refuses it for the directory format, and keeps the backup on nas only", async ({ holdfast }) => {
  await shell.backUpNow();
  const dialog = new BackupNowDialog(page);
  await dialog.dialog.getByLabel('Connection').selectOption('shop');
  const keep = dialog.dialog.getByLabel('Keep no local copy');
  await expect(keep).toBeChecked();
  await dialog.dialog.getByLabel('Format').selectOption('directory');
  await expect(keep).toBeDisabled();
  await expect(keep).not.toBeChecked();
  await expect(dialog.dialog.getByText(DIRECTORY_FORMAT)).toBeVisible();
  await screenshotEverySize(page, '72-backup-now-no-local-copy-directory');
  await dialog.dialog.getByLabel('Format').selectOption('custom');
  await expect(keep).toBeChecked();
  await screenshotEverySize(page, '73-backup-now-no-local-copy');
  await dialog.dialog.getByRole('button', { name: 'Start backup' }).click();
  await expect(dialog.completed()).toBeVisible({ timeout: 60_000 });
  const [taken] = await rpc<Array<{ filename: string; path: string; options?: { noLocalCopy?: boolean } }>>(holdfast.url, 'backup.list', { profile: 'shop' });
  expect(taken?.options?.noLocalCopy).toBe(true);
  expect(readdirSync(nas)).toContain(taken!.filename);
  expect(existsSync(taken!.path)).toBe(false);
  await dialog.dialog.locator('.form__actions').getByRole('button', { name: 'Close' }).click();
});

test("the schedule form shows the connection's choice; unticked, the schedule keeps its local files", async ({ holdfast }) => {
  await shell.goTo('Schedules');
  await page.getByRole('button', { name: 'Add schedule' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a schedule' });
  const keep = dialog.getByLabel('Keep no local copy');
  await expect(keep).toBeChecked();
  await dialog.getByRole('group', { name: 'Copy to' }).getByLabel('nas').uncheck();
  await expect(keep).toBeDisabled();
  await expect(dialog.getByText(NO_DESTINATION)).toBeVisible();
  await screenshotEverySize(page, '74-schedule-no-local-copy-disabled');
  await dialog.getByRole('group', { name: 'Copy to' }).getByLabel('nas').check();
  await keep.uncheck();
  await dialog.getByRole('button', { name: 'Add schedule' }).click();
  await expect(dialog).toBeHidden();
  const [schedule] = await rpc<Array<{ options: { noLocalCopy?: boolean }; copyTo: string[] | null }>>(holdfast.url, 'schedule.list', { profile: 'shop' });
  expect(schedule).toMatchObject({ options: { noLocalCopy: false }, copyTo: ['nas'] });
});

test("the schedule form puts its own local-copy choice back to the connection's, so the schedule follows the connection again", async ({ holdfast }) => {
  await page.getByRole('table', { name: 'Schedules' }).getByRole('button', { name: 'Edit' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Edit the schedule' });
  const keep = dialog.getByLabel('Keep no local copy');
  await expect(keep).not.toBeChecked();
  const inherit = dialog.getByRole('button', { name: "Use the connection's local-copy choice" });
  // It says what the connection's choice is, and looks like a button: as a borderless bold line it
  // read as the heading of the restore-drill box under it.
  await expect(inherit).toHaveText("Use the connection's local-copy choice (no local copy)");
  await expect(inherit).not.toHaveCSS('border-top-color', 'rgba(0, 0, 0, 0)');
  const destinations = dialog.getByRole('button', { name: "Use the connection's destinations" });
  if (await destinations.isVisible()) await expect(destinations).not.toHaveCSS('border-top-color', 'rgba(0, 0, 0, 0)');
  await inherit.click();
  await expect(inherit).toBeHidden();
  // The connection keeps no local copy (the first test), so the box now shows its choice.
  await expect(keep).toBeChecked();
  await screenshotEverySize(page, '74b-schedule-no-local-copy-inherited');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toBeHidden();
  const [schedule] = await rpc<Array<{ options: Record<string, unknown>; copyTo: string[] | null }>>(holdfast.url, 'schedule.list', { profile: 'shop' });
  expect(schedule?.options).not.toHaveProperty('noLocalCopy');
  expect(schedule?.copyTo).toEqual(['nas']);
  expect(consoleErrors).toEqual([]);
});

test("a destination's retention: a bad policy is refused on the field, a good one is saved and shown, and can be removed", async ({ holdfast }) => {
  await shell.goTo('Destinations');
  const row = page.getByRole('table', { name: 'Destinations' }).getByRole('row', { name: /nas/ });
  await expect(row.getByLabel('Retention of nas')).toContainText('none');
  await row.getByRole('button', { name: 'Set retention' }).click();
  const dialog = page.getByRole('dialog', { name: 'Retention of nas' });
  const policy = dialog.getByLabel('Keep policy for its copies');
  await policy.fill('forever');
  await dialog.getByRole('button', { name: 'Save retention' }).click();
  await expect(dialog.locator('.field__error')).toContainText(/forever/);
  await screenshotEverySize(page, '75-destination-retention-refused');
  await policy.fill('gfs:7d,4w');
  await dialog.getByRole('button', { name: 'Save retention' }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByLabel('Retention of nas')).toContainText('gfs:7d,4w');
  await screenshotEverySize(page, '76-destinations-retention');
  const [destination] = await rpc<Array<{ name: string; retention: string | null }>>(holdfast.url, 'destination.list', {});
  expect(destination).toMatchObject({ name: 'nas', retention: 'gfs:7d,4w' });

  await row.getByRole('button', { name: 'Change retention' }).click();
  await dialog.getByRole('button', { name: 'Remove retention' }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByLabel('Retention of nas')).toContainText('none');
  // The refused policy is the one 400 the browser logs: the engine's answer to bad input, by design.
  expect(consoleErrors.filter((error) => !error.includes('status of 400'))).toEqual([]);
});
