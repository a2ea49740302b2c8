// The Backups page before the catalogue's first answer (a slow server, serve just started): the table
// says it is loading. Before, it said "No backups match these filters." and "0 of 0" until the answer
// came: a DBA looking for last night's backup read that there was none.
import { expect, screenshot, test } from './fixtures.ts';
import { BackupsPage } from './pages/backups.ts';

test.use({ world: 'backups-first-answer', seededBackups: 30 });

test('until the first page answers, the table says it is loading, not that nothing matches', async ({ page, holdfast }) => {
  await page.goto(holdfast.url);
  const origin = new URL(holdfast.url).origin;
  // Hold every backup.page answer until released: the state a slow first answer shows for seconds.
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(`${origin}/api/rpc/backup.page`, async (route) => {
    await released;
    await route.continue();
  });
  await page.goto(`${origin}/#/backups`);
  await page.reload();
  const backups = new BackupsPage(page);
  await expect(backups.table).toContainText('Loading backups…');
  await expect(backups.table).not.toContainText('No backups match');
  await expect(backups.count()).not.toContainText('0 of 0');
  await screenshot(page, 'backups-first-answer-loading');
  release();
  await expect(backups.count()).toHaveText('30 of 30 rows');
  await expect(backups.table).not.toContainText('Loading backups…');
  await expect(backups.renderedRows().first()).toContainText('shop');
});
