// Where copies go, set in the browser UI against a real `holdfast serve` and two real directories:
// the connection form sets the profile's default destinations, and the schedule form names the
// schedule's own (overriding the connection's) or goes back to the connection's. Photographed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileFor } from '../support/holdfast-env.ts';
import { expect, screenshot, test } from './fixtures.ts';
import { ConnectionsPage } from './pages/connections.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'copy-to-forms' });
test.describe.configure({ mode: 'serial' });

const dirs: string[] = [];

test.beforeAll(async ({ holdfast }) => {
  const engine = await holdfast.home.open();
  await engine.addProfile(profileFor(holdfast.pg, 'shop', 'shop'));
  for (const name of ['nas', 'vault']) {
    const path = mkdtempSync(join(tmpdir(), `holdfast-e2e-${name}-`));
    dirs.push(path);
    await engine.offsite.destinations.add({ name, spec: { type: 'directory', settings: { path } } });
  }
  engine.close();
});

test.afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test("the connection form sets the profile's default destinations", async ({ page, holdfast }) => {
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Connections');
  const connections = new ConnectionsPage(page);
  await connections.card('shop').getByRole('button', { name: 'Edit' }).click();
  await connections.form.getByRole('group', { name: 'Copy to' }).getByLabel('vault').check();
  await screenshot(page, '60-connection-copy-to');
  await connections.form.getByRole('button', { name: 'Save changes' }).click();
  await expect(connections.form).toBeHidden();
  const [profile] = await rpc<Array<{ name: string; copyTo: string[] }>>(holdfast.url, 'profile.list', {});
  expect(profile).toMatchObject({ name: 'shop', copyTo: ['vault'] });
});

test("the schedule form starts from the connection's destinations, names its own, and goes back to the connection's", async ({ page, holdfast }) => {
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Schedules');
  await page.getByRole('button', { name: 'Add schedule' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a schedule' });
  const copyTo = dialog.getByRole('group', { name: 'Copy to' });
  await expect(copyTo.getByLabel('vault')).toBeChecked();
  await copyTo.getByLabel('vault').uncheck();
  await copyTo.getByLabel('nas').check();
  await screenshot(page, '61-schedule-copy-to');
  await dialog.getByRole('button', { name: 'Add schedule' }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole('table', { name: 'Schedules' }).getByRole('row', { name: /shop/ });
  await expect(row).toContainText('copies to nas');
  const [schedule] = await rpc<Array<{ copyTo: string[] | null }>>(holdfast.url, 'schedule.list', { profile: 'shop' });
  expect(schedule!.copyTo).toEqual(['nas']);

  await row.getByRole('button', { name: 'Edit' }).click();
  const editing = page.getByRole('dialog', { name: 'Edit the schedule' });
  await editing.getByRole('button', { name: "Use the connection's destinations" }).click();
  await expect(editing.getByRole('group', { name: 'Copy to' }).getByLabel('vault')).toBeChecked();
  await editing.getByRole('button', { name: 'Save changes' }).click();
  await expect(editing).toBeHidden();
  await expect(row).not.toContainText('copies to');
  const [edited] = await rpc<Array<{ copyTo: string[] | null }>>(holdfast.url, 'schedule.list', { profile: 'shop' });
  expect(edited!.copyTo).toBeNull();
});
