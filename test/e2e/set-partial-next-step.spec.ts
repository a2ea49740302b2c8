// A partial whole-server set as the DBA's review met it (issue 17): a database the connection's role
// may not CONNECT to, and one whose name is longer than the panel. The set's panel says what to do
// about each failed database in the app's words (its connection form, never a CLI flag), the greyed
// Test restore says why beside it, and the members fit their panel and the expanded rows with an
// ellipsis and the whole name in a title, at 1440×900 and at 1024×700 (where the panel is a drawer).
import type { Locator } from '@playwright/test';
import { expect, screenshotEverySize, test } from './fixtures.ts';
import { BackupsPage } from './pages/backups.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'set-partial-next-step' });

const LONG = 'customer_analytics_warehouse_archive_eu_west_2024_q4_snapshots';

test.beforeAll(async ({ holdfast }) => {
  await holdfast.pg.query(`CREATE DATABASE secret`);
  await holdfast.pg.query(`REVOKE CONNECT ON DATABASE secret FROM PUBLIC`);
  await holdfast.pg.query(`CREATE DATABASE ${LONG}`);
  await holdfast.pg.query(`CREATE TABLE events (id int); INSERT INTO events SELECT generate_series(1, 10)`, LONG);
  await holdfast.pg.query(`CREATE ROLE backup_reader LOGIN IN ROLE pg_read_all_data`);
  await rpc(holdfast.url, 'profile.add', {
    name: 'limited',
    host: holdfast.pg.host,
    port: holdfast.pg.port,
    user: 'backup_reader',
    dbname: 'postgres',
    wholeServer: { excludeDatabases: ['sho?'], parallelDatabases: 2 },
  });
  await rpc(holdfast.url, 'backup.take', { profile: 'limited', options: {} });
});

/** Elements under `root` whose text is cut without an ellipsis, or cut with one but without the whole text in a title. */
async function cutWithoutEllipsis(root: Locator): Promise<string[]> {
  return root.evaluate((element) => {
    const found: string[] = [];
    for (const inner of [element, ...element.querySelectorAll<HTMLElement>('*')] as HTMLElement[]) {
      if (inner.offsetWidth === 0 || inner.closest('.file-name')) continue;
      if (inner.scrollWidth <= inner.clientWidth + 0.5) continue;
      const label = `${inner.textContent?.trim().slice(0, 50)} (${inner.className || inner.tagName})`;
      if (getComputedStyle(inner).textOverflow !== 'ellipsis') found.push(`cut without …: ${label}`);
      else if (inner.title !== inner.textContent?.trim()) found.push(`no whole name in its title: ${label}`);
    }
    return found;
  });
}

test("a partial set's panel says what to do about each failed database and why Test restore is off, and its members fit", async ({ page, holdfast }) => {
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  const setRow = backups.renderedRows().filter({ hasText: /\d+ of \d+ databases/ });
  await expect(setRow).toContainText('Partial');
  await setRow.click();
  const drawer = page.getByRole('complementary', { name: 'Backup set details' });

  const testRestore = drawer.getByRole('button', { name: 'Test restore' });
  await expect(testRestore).toBeDisabled();
  const reason = 'Test restore drills a completed set whole; this one is partial. Test restore a database alone from its name under Members.';
  await expect(testRestore).toHaveAccessibleDescription(reason);
  await expect(drawer.getByText(reason)).toBeVisible();

  const secret = drawer.getByRole('list', { name: 'What to do' }).locator('[data-database="secret"]');
  await expect(secret).toHaveText(
    'secret: GRANT CONNECT ON DATABASE "secret" TO "backup_reader" (as its owner or a superuser), or leave it out of the set: add it under "Leave out databases" in the connection\'s form (Connections, Edit)',
  );
  await expect(secret).not.toContainText('--');

  if (!(await setRow.getAttribute('aria-expanded'))?.includes('true')) await setRow.getByRole('button', { name: /Show the databases/ }).click();
  const longMember = backups
    .renderedRows()
    .and(page.locator('[aria-level="2"]'))
    .filter({ hasText: LONG.slice(0, 12) });
  await expect(longMember).toHaveCount(1);
  const members = drawer.getByRole('table', { name: 'Members' });
  await expect(members.getByTitle(LONG)).toBeVisible();

  const seen: Array<{ size: string; problems: string[] }> = [];
  for (const size of [
    { width: 1440, height: 900 },
    { width: 1024, height: 700 },
  ]) {
    await page.setViewportSize(size);
    await expect(members).toBeVisible();
    const problems = [...(await cutWithoutEllipsis(members)), ...(await cutWithoutEllipsis(longMember))];
    // The table keeps inside its panel: nothing to scroll sideways, its right edge inside the panel's.
    const fit = await drawer.evaluate((panel) => {
      const table = panel.querySelector('table[aria-label="Members"]')!.getBoundingClientRect();
      return { sideways: panel.scrollWidth - panel.clientWidth, past: table.right - panel.getBoundingClientRect().right };
    });
    if (fit.sideways > 0.5) problems.push(`the panel scrolls sideways by ${fit.sideways} px`);
    if (fit.past > 0.5) problems.push(`the members table ends ${fit.past} px past the panel`);
    seen.push({ size: `${size.width}×${size.height}`, problems });
  }
  expect(seen.filter((size) => size.problems.length > 0)).toEqual([]);
  await page.setViewportSize({ width: 1440, height: 900 });
  await screenshotEverySize(page, 'set-partial-next-step');
});

// Verify answers whether the files the set holds are intact: a partial set whose members are intact is
// not "Verification failed". That it lacks a database is said on the result, as not in this set.
test('verify of a partial set whose files are intact says they are, and that the set lacks secret, never that it failed', async ({ page, holdfast }) => {
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  await backups
    .renderedRows()
    .filter({ hasText: /\d+ of \d+ databases/ })
    .click();
  const drawer = page.getByRole('complementary', { name: 'Backup set details' });
  await drawer.getByRole('button', { name: 'Verify' }).click();
  const result = drawer.getByRole('status', { name: 'Verify result' });
  // The verdict line; the lacking database's own reason below may well say its connection failed.
  await expect(result.locator('.result-box__title')).toHaveText('Every database this set holds is intact; the set is partial', { timeout: 120_000 });
  await expect(result).toHaveClass(/result-box--warn/);
  await expect(result.getByRole('listitem').filter({ hasText: 'secret' })).toContainText('not in this set');
  await expect(result.getByRole('listitem').filter({ hasText: LONG.slice(0, 12) })).toContainText('verified');
});
