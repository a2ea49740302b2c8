// A DBA's review (stop 26): the Overview's charts read "Dec 6" on several ticks of their time axis for
// backups taken on one day. Each tick says a different time (lib/series.ts timeAxis).
import type { Page } from '@playwright/test';
import { seedBackups } from '../support/seeded-home.ts';
import { expect, screenshot, screenshotDir, test } from './fixtures.ts';
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

// A DBA's review (stop 33): the Duration chart's axis labels wrapped onto two lines at 1024×700 and
// 1440×900 once backups took minutes ("13 min" over "20 s"). Every tick of both charts is one line.
test('backups that take minutes: every tick label of both charts stays on one line, at 1440×900 and 1024×700', async ({ page, holdfast }) => {
  seedBackups(holdfast.home, 72, { durationMs: (i) => 65_000 + i * 11_000 });
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  for (const size of [
    { width: 1440, height: 900 },
    { width: 1024, height: 700 },
  ]) {
    await page.setViewportSize(size);
    for (const title of ['Backup size', 'Duration']) {
      const region = page.getByRole('region', { name: title });
      await region.scrollIntoViewIfNeeded();
      const ticks = region.locator('.recharts-cartesian-axis-tick-value');
      await expect(ticks.first()).toBeVisible();
      const lines = await ticks.evaluateAll((labels) => labels.map((label) => ({ text: label.textContent, lines: label.querySelectorAll('tspan').length })));
      expect(lines.length).toBeGreaterThan(2);
      expect({ size, title, wrapped: lines.filter((label) => label.lines !== 1) }).toEqual({ size, title, wrapped: [] });
      // And none is cut at the chart's left edge.
      const box = (await region.boundingBox())!;
      for (const label of await ticks.all()) expect((await label.boundingBox())!.x, (await label.textContent()) ?? '').toBeGreaterThanOrEqual(box.x);
    }
    await region(page, 'Duration').screenshot({ path: `${screenshotDir}/overview-duration-minutes-${size.width}x${size.height}.png` });
  }
});

function region(page: Page, name: string) {
  return page.getByRole('region', { name });
}
