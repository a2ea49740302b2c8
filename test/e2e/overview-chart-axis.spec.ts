// A DBA's review (stop 26): the Overview's charts read "Dec 6" on several ticks of their time axis for
// backups taken on one day. Each tick says a different time (lib/series.ts timeAxis).
import { expect, screenshot, test } from './fixtures.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'overview-chart-axis' });

test('backups taken on one day: no two ticks of either chart’s time axis read the same', async ({ page, holdfast }) => {
  const { pg } = holdfast;
  await rpc(holdfast.url, 'profile.add', { name: 'charted', host: pg.host, port: pg.port, user: pg.user, dbname: 'shop' });
  // Over two seconds at least: three quick backups can share one second, and an axis of one tick proves nothing (CI saw 1).
  for (let n = 0; n < 3; n++) {
    if (n > 0) await new Promise((resolve) => setTimeout(resolve, 1100));
    await rpc(holdfast.url, 'backup.create', { profile: 'charted', options: {} });
  }
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  for (const title of ['Backup size', 'Duration']) {
    const ticks = page.getByRole('region', { name: title }).locator('.recharts-cartesian-axis-tick-value');
    await expect(ticks.first()).toBeVisible();
    // The time axis's, not the size or duration axis's ("19.5 KB", "400 ms").
    const labels = (await ticks.allTextContents()).filter((label) => /^[A-Z][a-z]{2} \d|^\d{2}:\d{2}(:\d{2})?$/.test(label));
    expect(labels.length).toBeGreaterThan(1);
    expect({ title, labels }).toEqual({ title, labels: [...new Set(labels)] });
  }
  await screenshot(page, 'overview-chart-axis');
});
