// `holdfast serve --no-schedules` with no desktop app or daemon beside it: the Overview and the
// Schedules page say plainly that nothing runs the schedules, why this serve runs none, and how to run them.
import { join } from 'node:path';
import { expect, screenshotDir, test } from './fixtures.ts';
import { Shell } from './pages/shell.ts';
import { addScheduledProfile } from './scheduled-profile.ts';

test.use({ world: 'no-schedules', serveArgs: ['--no-schedules'] });

test('the Overview and the Schedules page say nothing is running these schedules', async ({ page, holdfast }) => {
  await addScheduledProfile(holdfast);
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  const banner = page.getByTestId('scheduling-banner');
  // The engine's sentence, its `commands` shown as code: no backticks on the page.
  // This page is served by that holdfast serve: it says why it runs none, not "start holdfast serve".
  await expect(banner).toContainText(
    'Nothing is running these schedules: this holdfast serve was started with --no-schedules, so it runs none; restart it without --no-schedules, or start the desktop app or holdfast daemon.',
  );
  await expect(banner.locator('code')).toHaveText(['holdfast serve', '--no-schedules', '--no-schedules', 'holdfast daemon']);
  await expect(banner).not.toContainText('`');
  await expect(banner).toHaveAttribute('role', 'alert');
  // No next run time as if it would happen (stop 28's DBA review): the Overview and the Schedules page say none comes.
  await expect(page.getByText('not run: nothing runs the schedules')).toHaveCount(1);
  await page.screenshot({ path: join(screenshotDir, 'scheduling-none-overview.png') });
  await shell.goTo('Schedules');
  await expect(page.getByTestId('scheduling-banner')).toContainText('Nothing is running these schedules');
  await expect(page.getByText('not run: nothing runs the schedules')).toHaveCount(1);
});
