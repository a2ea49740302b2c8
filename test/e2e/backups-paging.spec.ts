// The Backups page at scale (issue 17 item 9): with 1,000 backups it asks the catalogue for the first
// page only (backup.page, never the whole list), shows the first screen, and loads the next pages as
// the table scrolls to them, down to the oldest backup.
import { join } from 'node:path';
import { Catalogue } from '../../main/core/catalogue/catalogue.ts';
import { expect, screenshot, test } from './fixtures.ts';
import { BackupsPage } from './pages/backups.ts';

const BACKUPS = 1000;
test.use({ world: 'backups-paging', seededBackups: BACKUPS });

function oldestFilename(home: string): string {
  const catalogue = new Catalogue(join(home, 'catalogue.sqlite'));
  try {
    return catalogue.listBackupSummaries()[0]!.filename;
  } finally {
    catalogue.close();
  }
}

test('the first page renders first; scrolling loads the next pages down to the oldest backup', async ({ page, holdfast }) => {
  await page.goto(holdfast.url);
  const origin = new URL(holdfast.url).origin;
  const asked: Array<{ channel: string; offset?: number }> = [];
  page.on('request', (request) => {
    const channel = /\/api\/rpc\/(backup\.(?:page|list))$/.exec(request.url())?.[1];
    if (channel) asked.push({ channel, offset: (request.postDataJSON() as { offset?: number }).offset });
  });
  // A fresh load of the Backups page, as a bookmark opens it.
  await page.goto(`${origin}/#/backups`);
  asked.length = 0;
  await page.reload();
  const backups = new BackupsPage(page);
  await expect(backups.count()).toHaveText(`${BACKUPS.toLocaleString('en-US')} of ${BACKUPS.toLocaleString('en-US')} rows`);
  // The newest backup first; only the rows near the viewport are in the DOM.
  const newest = backups.renderedRows().first();
  await expect(newest).toHaveAttribute('aria-rowindex', '2');
  await expect(newest).toContainText('shop');
  expect(await backups.renderedRows().count()).toBeLessThan(60);
  await screenshot(page, 'backups-paging-first-screen');
  // Only the first page: it may be asked again while serve's file check runs (the table polls until it ends).
  expect([...new Set(asked.filter((call) => call.channel === 'backup.page').map((call) => call.offset))]).toEqual([0]);

  const scroller = page.locator('.vtable__scroll');
  // Past the first page: the next one is asked for and its rows replace the placeholders.
  await scroller.evaluate((element) => element.scrollTo({ top: 150 * 44 }));
  const row150 = backups.table.locator('[role="row"][aria-rowindex="152"]');
  await expect(row150).toHaveClass(/vtable__row--body/);
  await expect(row150).toContainText('shop');
  expect(asked.some((call) => call.channel === 'backup.page' && call.offset === 100)).toBe(true);

  // To the end: the last page, whose last row is the oldest backup (seeded first: id 0).
  await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
  const last = backups.table.locator(`[role="row"][aria-rowindex="${BACKUPS + 1}"]`);
  await expect(last).toHaveClass(/vtable__row--body/);
  await expect(last).toContainText(oldestFilename(holdfast.home.home));
  expect(asked.some((call) => call.channel === 'backup.page' && call.offset === 900)).toBe(true);
  // Pages between were skipped over, not all fetched; and the whole list was never asked for.
  expect(asked.filter((call) => call.channel === 'backup.page').length).toBeLessThan(8);
  expect(asked.filter((call) => call.channel === 'backup.list')).toEqual([]);
  await screenshot(page, 'backups-paging-end');
});
