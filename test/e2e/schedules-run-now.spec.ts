// Schedules a DBA manages without a terminal: the next run as a clock in the schedule's zone beside
// "in 5 h", Run now (run in the server, its progress and outcome in the row), and Edit.
import { expect, screenshotEverySize, test } from './fixtures.ts';
import { BackupNowDialog } from './pages/backups.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'schedules-run-now' });
test.describe.configure({ mode: 'serial' });

const PROFILE = 'nightly';
let scheduleId: string;

test.beforeAll(async ({ holdfast }) => {
  await rpc(holdfast.url, 'profile.add', { name: PROFILE, host: holdfast.pg.host, port: holdfast.pg.port, user: holdfast.pg.user, dbname: 'shop' });
  scheduleId = (await rpc<{ id: string }>(holdfast.url, 'schedule.add', { profile: PROFILE, type: 'custom', cron: '30 3 * * *', timeZone: 'Asia/Tokyo' })).id;
});

test('the next run shows its clock time and zone beside the relative time; Run now runs it and says what it made', async ({ page, holdfast }) => {
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Schedules');
  const row = page.getByRole('table', { name: 'Schedules' }).getByRole('row', { name: new RegExp(PROFILE) });
  await expect(row).toContainText(/in \d+ (h|min)|tomorrow|in \d+/);
  await expect(row).toContainText(/\d{4}-\d{2}-\d{2} 03:30 Asia\/Tokyo/);
  // What its backups are written as, as it shows where they go: the review could not see the compression.
  await expect(row).toContainText('custom format, gzip (the default)');
  // No CLI flags on the page, nor flags or commands in the Add dialog (the banner names the running host by its process name).
  await expect(page.getByText(/--[a-z]/)).toHaveCount(0);
  await page.getByRole('button', { name: 'Add schedule' }).click();
  await expect(page.getByRole('dialog', { name: 'Add a schedule' }).getByText(/--[a-z]|holdfast (serve|daemon)/)).toHaveCount(0);
  await page.getByRole('dialog', { name: 'Add a schedule' }).getByRole('button', { name: 'Cancel' }).click();
  await screenshotEverySize(page, 'schedules');

  await row.getByRole('button', { name: 'Run now' }).click();
  const status = row.getByRole('status', { name: 'Run now' });
  await expect(status).toContainText('Ran now', { timeout: 60_000 });
  const backups = await rpc<Array<{ filename: string; status: string }>>(holdfast.url, 'backup.list', { profile: PROFILE });
  expect(backups.filter((b) => b.status === 'completed')).toHaveLength(1);
  await expect(status).toContainText(backups[0]!.filename);
  // Recorded as the schedule's last run; its next slot has not moved.
  const [schedule] = await rpc<Array<{ lastRun: string | null; status: string; nextRun: string }>>(holdfast.url, 'schedule.list', { profile: PROFILE });
  expect(schedule).toMatchObject({ status: 'completed' });
  expect(schedule!.lastRun).not.toBeNull();
  await screenshotEverySize(page, 'schedules-ran-now');

  // In a 1024×700 window every action of the row stays inside the table's card (Remove once ran past its edge).
  await page.setViewportSize({ width: 1024, height: 700 });
  const card = await page.locator('section.card', { has: page.getByRole('table', { name: 'Schedules' }) }).boundingBox();
  const remove = await row.getByRole('button', { name: 'Remove' }).boundingBox();
  expect(remove!.x + remove!.width).toBeLessThanOrEqual(card!.x + card!.width);
});

test('Edit changes the time: the row and the next run follow', async ({ page, holdfast }) => {
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Schedules');
  const row = page.getByRole('table', { name: 'Schedules' }).getByRole('row', { name: new RegExp(PROFILE) });
  await row.getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit the schedule' });
  await expect(dialog.getByLabel('Cron expression')).toHaveValue('30 3 * * *');
  await dialog.getByLabel('Cron expression').fill('15 22 * * *');
  await dialog.getByLabel('Time zone').fill('Europe/Paris');
  await screenshotEverySize(page, 'schedules-edit');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText('15 22 * * *');
  await expect(row).toContainText(/\d{4}-\d{2}-\d{2} 22:15 Europe\/Paris/);
  const [schedule] = await rpc<Array<{ id: string; timeZone: string }>>(holdfast.url, 'schedule.list', { profile: PROFILE });
  expect(schedule).toMatchObject({ id: scheduleId, timeZone: 'Europe/Paris' });
});

test("Back up now of a whole-server profile takes the set itself, in the app's words (it used to send the person to a schedule's Run now)", async ({ page, holdfast }) => {
  await rpc(holdfast.url, 'profile.add', {
    name: 'server',
    host: holdfast.pg.host,
    port: holdfast.pg.port,
    user: holdfast.pg.user,
    dbname: 'postgres',
    wholeServer: { excludeDatabases: [], parallelDatabases: 2 },
  });
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await page.getByRole('button', { name: 'Back up now' }).first().click();
  const dialog = new BackupNowDialog(page);
  await dialog.start('server');
  await expect(dialog.dialog).toContainText('Backup set completed', { timeout: 60_000 });
  await expect(dialog.dialog).toContainText(/of \d+ databases/);
  await expect(dialog.dialog.getByText(/backup\.take|holdfast [a-z]|--[a-z]/)).toHaveCount(0);
});
