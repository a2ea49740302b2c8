// A page whose chunk cannot be fetched (holdfast was upgraded while the tab was open, so the old chunk
// names are gone; or serve was stopped): the app must stay up and say what to do, not go blank.
import { expect, screenshot, test } from './fixtures.ts';
import { Shell } from './pages/shell.ts';

test.use({ world: 'lazy-chunk-failure' });

test('a page chunk that fails to load leaves the navigation up and offers a reload', async ({ page, holdfast }) => {
  // The Schedules chunk is gone, as after an upgrade: every fetch of it fails (the prefetch too).
  await page.route(/\/assets\/Schedules-[^/]+\.js$/, (route) => route.fulfill({ status: 404, body: 'not found' }));
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  await shell.nav.getByRole('link', { name: 'Schedules' }).click();
  const problem = page.getByRole('alert');
  await expect(problem).toContainText('The Schedules page could not be loaded');
  await expect(problem).toContainText('Reload');
  await screenshot(page, 'lazy-chunk-failure');
  // The rest of the app still works: another page opens from the navigation.
  await shell.goTo('Backups');
  await expect(shell.heading()).toHaveText('Backups');
  // Once the chunk is back (serve answers again), Reload brings the page.
  await page.unroute(/\/assets\/Schedules-[^/]+\.js$/);
  await shell.nav.getByRole('link', { name: 'Schedules' }).click();
  await page.getByRole('button', { name: 'Reload' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Schedules' })).toBeVisible();
});
