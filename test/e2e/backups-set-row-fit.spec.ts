// A whole-server set's row in the Backups table stays one row high and whole at every size the app is
// used in (the DBA's review: at 1024×700 a partial set's counts and badges wrapped into the next row,
// and the Set badge was cut at 1280 and 1440 px). The set is partial for real: one database's catalog
// is broken so its pg_dump fails, the others are backed up.
// The profile's name is as long as a DBA's (a 9-character "server-ro" still cut the badge to "S" at
// 1440 px after the badge was packed tighter): the name gives way with an ellipsis, the badge never —
// and at 1440 px the name is whole ("prod…" told a DBA nothing).
import { expect, screenshotEverySize, test } from './fixtures.ts';
import { BackupsPage } from './pages/backups.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'backups-set-row-fit' });

test.beforeAll(async ({ holdfast }) => {
  await holdfast.pg.query('CREATE DATABASE broken_catalog');
  // A table whose schema is gone from the catalog: pg_dump stops with "schema with OID … does not exist".
  await holdfast.pg.query('CREATE SCHEMA gone; CREATE TABLE gone.t (id int); DELETE FROM pg_namespace WHERE nspname = $$gone$$;', 'broken_catalog');
  await rpc(holdfast.url, 'profile.add', {
    name: 'prod-cluster-eu',
    host: holdfast.pg.host,
    port: holdfast.pg.port,
    user: holdfast.pg.user,
    dbname: 'postgres',
    wholeServer: { excludeDatabases: [], parallelDatabases: 2 },
  });
  await rpc(holdfast.url, 'backup.take', { profile: 'prod-cluster-eu', options: {} }).catch(() => undefined);
});

test("a partial set's row fits its 44 px and its Set badge and counts are whole at 1440, 1280 and 1024 px, light and dark", async ({ page, holdfast }) => {
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  const setRow = backups.renderedRows().filter({ hasText: /\d+ of \d+ databases/ });
  await expect(setRow).toHaveCount(1);
  await expect(setRow).toContainText('Partial');
  const seen: Array<{ scheme: string; width: number; problems: string[] }> = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const size of [
      { width: 1440, height: 900 },
      { width: 1280, height: 800 },
      { width: 1024, height: 700 },
    ]) {
      await page.setViewportSize(size);
      await expect(setRow).toBeVisible();
      const problems = await setRow.evaluate((row) => {
        const rowBox = row.getBoundingClientRect();
        const found: string[] = [];
        for (const cell of row.querySelectorAll<HTMLElement>('[role="cell"]')) {
          if (cell.offsetWidth === 0) continue;
          const box = cell.getBoundingClientRect();
          for (const element of [cell, ...cell.querySelectorAll<HTMLElement>('*')]) {
            if (element.offsetWidth === 0 || element.closest('.file-name')) continue;
            const own = element.getBoundingClientRect();
            const label = `${cell.textContent?.trim().slice(0, 40)} / ${element.className || element.tagName}`;
            if (own.bottom > rowBox.bottom + 0.5 || own.top < rowBox.top - 0.5) found.push(`spills out of the row: ${label}`);
            if (own.right > box.right + 0.5) found.push(`cut at the cell's edge: ${label} by ${Math.round(own.right - box.right)} px of ${Math.round(box.width)}`);
            if (element.scrollWidth > element.clientWidth + 0.5 && getComputedStyle(element).textOverflow !== 'ellipsis') found.push(`cut inside: ${label}`);
          }
        }
        return found;
      });
      // At 1440 px the File column wraps its names under their times, and the room that frees is the
      // profile's: the set's name reads whole there, not "prod…".
      if (size.width === 1440) {
        const name = setRow.locator('.vtable__profile-name');
        const shown = await name.evaluate((element) => ({ text: element.textContent, clientWidth: element.clientWidth, scrollWidth: element.scrollWidth }));
        if (shown.scrollWidth > shown.clientWidth + 0.5) problems.push(`profile cut at 1440 px: ${shown.text} shows ${shown.clientWidth} of ${shown.scrollWidth} px`);
      }
      seen.push({ scheme, width: size.width, problems });
    }
  }
  expect(seen.filter((size) => size.problems.length > 0)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshotEverySize(page, 'backups-partial-set-row');
});
