// A partial, encrypted backup's row stays one row high when the details panel narrows the table (the
// DBA's review, stop 32: with the panel open, the Scope column gives way to a badge under the profile,
// and Partial on a line of its own above Encrypted made three lines that spilled over the row's top).
import { expect, test } from './fixtures.ts';
import { BackupsPage } from './pages/backups.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'backups-marks-row-fit', homeEnv: { HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'an-example-key-of-32-characters!!' } });

test.beforeAll(async ({ holdfast }) => {
  await holdfast.pg.query('CREATE TABLE IF NOT EXISTS public.marks_row (id int)');
  await rpc(holdfast.url, 'profile.add', { name: 'shop', host: holdfast.pg.host, port: holdfast.pg.port, user: holdfast.pg.user, dbname: 'postgres' });
  const { recipient } = await rpc<{ recipient: string }>(holdfast.url, 'key.generate', { name: 'main' });
  await rpc(holdfast.url, 'backup.take', { profile: 'shop', options: { tables: ['public.marks_row'], encryptTo: [recipient] } });
});

test("a partial encrypted backup's badges stay inside its 44 px row with the details panel open", async ({ page, holdfast }) => {
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  await page.setViewportSize({ width: 1400, height: 900 });
  const backups = new BackupsPage(page);
  const row = backups.renderedRows().filter({ hasText: 'Encrypted' });
  await expect(row).toHaveCount(1);
  await row.click();
  await expect(row.locator('.badge', { hasText: 'Partial' })).toBeVisible();
  const spills = await row.evaluate((element) => {
    const rowBox = element.getBoundingClientRect();
    return [...element.querySelectorAll<HTMLElement>('[role="cell"] *')]
      .filter((inner) => inner.offsetWidth > 0)
      .filter((inner) => {
        const box = inner.getBoundingClientRect();
        return box.top < rowBox.top - 0.5 || box.bottom > rowBox.bottom + 0.5;
      })
      .map((inner) => `${inner.className || inner.tagName}: ${inner.textContent?.trim().slice(0, 30)}`);
  });
  expect(spills).toEqual([]);
});
