// A database or table name may be 63 characters (PostgreSQL's limit). The DBA's review found such names
// cut mid-word at 1440 px in the restore wizard and on the Backups page, with no way to read the rest.
// A name may wrap, or end in an ellipsis with the whole name in its title; it is never clipped silently.
import { expect, screenshot, test } from './fixtures.ts';
import { BackupsPage } from './pages/backups.ts';
import { RestoreWizard } from './pages/restore.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';
import type { Locator } from '@playwright/test';

test.use({ world: 'long-names' });

const DATABASE = 'customer_orders_archive_eu_west_production_replica_2026_q4_fina'; // 63
const TABLE = 'quarterly_revenue_by_region_and_product_line_including_returns_'; // 63
const COPY = 'restored_customer_orders_archive_eu_west_production_replica_q4x'; // 63

test.beforeAll(async ({ holdfast }) => {
  expect([DATABASE.length, TABLE.length, COPY.length]).toEqual([63, 63, 63]);
  await holdfast.pg.query(`CREATE DATABASE ${DATABASE}`);
  await holdfast.pg.query(`CREATE TABLE ${TABLE} (id int PRIMARY KEY); INSERT INTO ${TABLE} SELECT generate_series(1, 12);`, DATABASE);
  await rpc(holdfast.url, 'profile.add', { name: 'archive', host: holdfast.pg.host, port: holdfast.pg.port, user: holdfast.pg.user, dbname: DATABASE });
  await rpc(holdfast.url, 'backup.create', { profile: 'archive', options: {} });
});

/**
 * Text inside `scope` that is clipped — wider than its own box, or reaching past the edge of an ancestor
 * that clips or scrolls what overflows it (a dialog, a panel, a disclosure) — with neither an ellipsis
 * nor its whole text in a title. Only elements holding text themselves are looked at.
 */
async function silentlyCut(scope: Locator): Promise<string[]> {
  return scope.evaluate((root) => {
    const found: string[] = [];
    for (const element of root.querySelectorAll<HTMLElement>('*')) {
      const text = [...element.childNodes]
        .filter((node) => node.nodeType === Node.TEXT_NODE)
        .map((node) => node.textContent ?? '')
        .join('')
        .trim();
      if (element.offsetWidth === 0 || !text) continue;
      const style = getComputedStyle(element);
      let clipped = element.scrollWidth > element.clientWidth + 0.5 && style.overflowX !== 'visible';
      // Where the text itself ends: it may run out of a box that lets it (overflow visible) and be cut further up.
      const range = document.createRange();
      range.selectNodeContents(element);
      const right = Math.max(element.getBoundingClientRect().right, range.getBoundingClientRect().right);
      for (let up = element.parentElement; up && !clipped; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== 'visible' && right > up.getBoundingClientRect().right + 0.5) clipped = true;
        if (up === root) break;
      }
      if (!clipped) continue;
      const titled = element.closest('[title]')?.getAttribute('title')?.includes(text.replace(/…$/, '')) ?? false;
      if (style.textOverflow === 'ellipsis' && titled) continue;
      found.push(`${text.slice(0, 70)} (${element.tagName.toLowerCase()}.${element.className})`);
    }
    return found;
  });
}

test('63-character names are never cut silently at 1440 px: on the Backups page and in every step of the restore wizard', async ({ page, holdfast }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  const row = backups.renderedRows().filter({ hasText: 'archive' }).first();
  await row.click();
  await expect(backups.details).toContainText(DATABASE);
  await screenshot(page, 'long-names-backups');
  const cut = { backups: [...(await silentlyCut(backups.table)), ...(await silentlyCut(backups.details))], review: [] as string[], result: [] as string[] };

  await backups.openRestore();
  const wizard = new RestoreWizard(page);
  await wizard.chooseNewDatabase(COPY);
  await wizard.preview();
  await expect(wizard.currentStep()).toContainText('Review');
  await expect(wizard.impactTable()).toContainText(TABLE);
  await screenshot(page, 'long-names-restore-review');
  cut.review = await silentlyCut(wizard.dialog);
  await wizard.confirmInput().fill(COPY);
  await wizard.restoreButton().click();
  await expect(wizard.dialog.getByText('Restore completed')).toBeVisible({ timeout: 60_000 });
  await screenshot(page, 'long-names-restore-result');
  cut.result = await silentlyCut(wizard.dialog);
  expect(cut).toEqual({ backups: [], review: [], result: [] });
});

test("a whole-server set's Verify result names a 63-character database whole, inside the drawer, not over its verdict and past the edge", async ({ page, holdfast }) => {
  test.setTimeout(240_000);
  await rpc(holdfast.url, 'profile.add', {
    name: 'everything',
    host: holdfast.pg.host,
    port: holdfast.pg.port,
    user: holdfast.pg.user,
    dbname: 'postgres',
    wholeServer: { excludeDatabases: [], parallelDatabases: 1 },
  });
  await rpc(holdfast.url, 'backup.take', { profile: 'everything', options: {} });
  await page.setViewportSize({ width: 1440, height: 900 });
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  await backups.renderedRows().filter({ hasText: 'everything' }).first().click();
  const drawer = page.getByRole('complementary', { name: 'Backup set details' });
  await drawer.getByRole('button', { name: 'Verify' }).click();
  const result = drawer.getByRole('status', { name: 'Verify result' });
  await expect(result).toContainText('Backup set verified', { timeout: 120_000 });
  await expect(result).toContainText(DATABASE);
  await screenshot(page, 'long-names-set-verify');
  expect(await silentlyCut(drawer)).toEqual([]);
});
