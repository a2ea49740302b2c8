// The Backups page a DBA works from: the columns that say what each file is, a details panel that fits
// a small window, a download whose bytes are the catalogue's, pin and unpin, and a delete that asks
// for the file name only when it is the last usable backup.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ageKeygen } from '../support/age-keys.ts';
import { expect, screenshotDir, screenshotEverySize, test } from './fixtures.ts';
import { BackupsPage } from './pages/backups.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'backups-list' });
test.describe.configure({ mode: 'serial' });

const PROFILE = 'listing';
interface Backup {
  id: string;
  filename: string;
  checksum: string;
  pinned: boolean;
  status: string;
  globals: { filename: string | null; checksum: string | null };
}
let older: Backup;
let newer: Backup;

test.beforeAll(async ({ holdfast }) => {
  await rpc(holdfast.url, 'profile.add', { name: PROFILE, host: holdfast.pg.host, port: holdfast.pg.port, user: holdfast.pg.user, dbname: 'shop' });
  older = await rpc<Backup>(holdfast.url, 'backup.create', { profile: PROFILE, options: {} });
  newer = await rpc<Backup>(holdfast.url, 'backup.create', { profile: PROFILE, options: { schemaOnly: true } });
});

async function openBackups(page: import('@playwright/test').Page, url: string): Promise<BackupsPage> {
  const shell = new Shell(page);
  await shell.open(url);
  await shell.goTo('Backups');
  return new BackupsPage(page);
}

test('the list names file, database, format and scope; the details panel fits 1024×700', async ({ page, holdfast }) => {
  const backups = await openBackups(page, holdfast.url);
  for (const header of ['File', 'Database', 'Format', 'Scope']) await expect(backups.table.getByRole('columnheader', { name: header, exact: true })).toBeVisible();
  const row = backups.renderedRows().filter({ hasText: older.filename });
  await expect(row).toContainText('shop');
  await expect(row).toContainText('Full');
  await expect(backups.renderedRows().filter({ hasText: newer.filename })).toContainText('Schema only');
  await screenshotEverySize(page, 'backups-list');

  await row.click();
  await expect(backups.details).toBeVisible();
  await page.setViewportSize({ width: 1024, height: 700 });
  // Every action is inside the window, none cut off or pushed out of it.
  for (const name of ['Verify', 'Restore…', 'Pin', 'Download', 'Delete']) {
    const button = backups.details.getByRole(name === 'Download' ? 'link' : 'button', { name, exact: true });
    await expect(button).toBeInViewport();
  }
  const box = await backups.details.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(1024);
  await screenshotEverySize(page, 'backups-details');
});

// At 1440 px the File column cut every name after "backup-2026-12-06T04-1" (issue 17): the time it was
// taken and the extension are what tell two files apart, so they stay; the profile between them gives way.
test('the File column shows each name’s time and extension at 1440 px; the full name on hover and in the details', async ({ page, holdfast }) => {
  const backups = await openBackups(page, holdfast.url);
  // Narrower, the column gives way to the others (the details panel shows the name); 1440 is where it is read.
  await page.setViewportSize({ width: 1440, height: 900 });
  for (const backup of [older, newer]) {
    const cell = backups.table.locator(`[role="cell"][title="${backup.filename}"]`);
    await expect(cell).toBeVisible();
    const [time, extension] = [cell.locator('[data-part="time"]'), cell.locator('[data-part="extension"]')];
    await expect(time).toHaveText(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/);
    await expect(extension).toHaveText('.dump');
    // Whole: neither part is cut, and both lie inside the cell.
    const box = (await cell.boundingBox())!;
    for (const part of [time, extension]) {
      expect(await part.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
      const partBox = (await part.boundingBox())!;
      expect(partBox.x).toBeGreaterThanOrEqual(box.x - 0.5);
      expect(partBox.x + partBox.width).toBeLessThanOrEqual(box.x + box.width + 0.5);
    }
  }
  await screenshotEverySize(page, 'backups-file-column');
  await backups.table.locator(`[role="cell"][title="${older.filename}"]`).click();
  await expect(backups.details.getByRole('heading', { name: older.filename })).toBeVisible();
});

test("Download saves the backup and its roles file; their SHA-256 are the catalogue's", async ({ page, holdfast }) => {
  const backups = await openBackups(page, holdfast.url);
  await backups.renderedRows().filter({ hasText: older.filename }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), backups.details.getByRole('link', { name: 'Download', exact: true }).click()]);
  expect(download.suggestedFilename()).toBe(older.filename);
  const sha = (path: string) => `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
  expect(sha((await download.path())!)).toBe(older.checksum);

  const [roles] = await Promise.all([page.waitForEvent('download'), backups.details.getByRole('link', { name: 'Roles file' }).click()]);
  expect(roles.suggestedFilename()).toBe(older.globals.filename);
  expect(sha((await roles.path())!)).toBe(older.globals.checksum);
});

test('pin and unpin from the panel: the catalogue keeps it whatever retention says, then lets the policy decide again', async ({ page, holdfast }) => {
  const backups = await openBackups(page, holdfast.url);
  const row = backups.renderedRows().filter({ hasText: older.filename });
  await row.click();
  await backups.details.getByRole('button', { name: 'Pin', exact: true }).click();
  await expect(row).toContainText('Pinned');
  expect((await rpc<Backup>(holdfast.url, 'backup.show', { ref: older.id })).pinned).toBe(true);
  await backups.details.getByRole('button', { name: 'Unpin' }).click();
  await expect(row).not.toContainText('Pinned');
  expect((await rpc<Backup>(holdfast.url, 'backup.show', { ref: older.id })).pinned).toBe(false);
});

test('deleting a backup with another usable one beside it is a plain confirmation; the last usable one needs its name typed', async ({ page, holdfast }) => {
  const backups = await openBackups(page, holdfast.url);
  await backups.renderedRows().filter({ hasText: newer.filename }).click();
  await backups.details.getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete this backup?' });
  await expect(dialog.getByLabel(/^Type the/)).toHaveCount(0);
  await screenshotEverySize(page, 'backups-delete-plain');
  await dialog.getByRole('button', { name: 'Delete backup' }).click();
  await expect(dialog).toBeHidden();
  expect((await rpc<Backup>(holdfast.url, 'backup.show', { ref: newer.id })).status).toBe('deleted');

  await backups.renderedRows().filter({ hasText: older.filename }).click();
  await backups.details.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog.getByText('This is the only usable backup of shop')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Delete backup' })).toBeDisabled();
  await screenshotEverySize(page, 'backups-delete-last-usable');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});

// At 1440 px the File column took the room the others needed: a profile as ordinary as "analytics-eu"
// was cut to "analytic" with no ellipsis, "whole server" to "whole serv", and the Restore-tested badge
// lost its last letter at every width. Each of those cells must show all of what it holds.
test('at 1440 px a profile name, the format and the Verified badge are whole; the File column keeps its time', async ({ page, holdfast }) => {
  const profile = 'analytics-eu';
  await rpc(holdfast.url, 'profile.add', { name: profile, host: holdfast.pg.host, port: holdfast.pg.port, user: holdfast.pg.user, dbname: 'shop' });
  const backup = await rpc<Backup>(holdfast.url, 'backup.create', { profile, options: {} });
  await rpc(holdfast.url, 'backup.testRestore', { ref: backup.id });
  const backups = await openBackups(page, holdfast.url);
  const cuts = async () =>
    backups.table.locator('.vtable__row--body').evaluateAll((rows) =>
      rows.flatMap((row) =>
        [...row.querySelectorAll<HTMLElement>('[role="cell"]')]
          // The File column gives way in the middle by design (the test above holds its time whole).
          .filter((cell) => cell.offsetWidth > 0 && !cell.querySelector('.file-name'))
          .filter((cell) => {
            const right = cell.getBoundingClientRect().right;
            return [cell, ...cell.querySelectorAll<HTMLElement>('*')].some((element) => element.scrollWidth > element.clientWidth + 0.5 || element.getBoundingClientRect().right > right + 0.5);
          })
          .map((cell) => cell.textContent ?? ''),
      ),
    );
  for (const size of [
    { width: 1440, height: 900 },
    { width: 1280, height: 800 },
    { width: 1024, height: 700 },
  ]) {
    await page.setViewportSize(size);
    await expect(backups.renderedRows().filter({ hasText: backup.filename })).toContainText('Restore-tested');
    expect({ size: size.width, cut: await cuts() }).toEqual({ size: size.width, cut: [] });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  const time = backups.table.locator(`[role="cell"][title="${backup.filename}"] [data-part="time"]`);
  expect(await time.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
  await screenshotEverySize(page, 'backups-columns-whole');
});

// A DBA's walk-through: .sql.gz and .sql.gz.age backups read "b2026-…-..sql." — the extension ran past
// the cell's edge and was clipped, so an encrypted plain dump looked like an unencrypted one; then, with
// the extension kept, the time gave way instead ("2026-12-06T20-46-23-…"). Where the cell cannot hold
// both on one line the name wraps under its time: neither is cut, and the row stays 44 px.
test('at 1440 px the File column shows the whole time and extension of .sql.gz, .sql.gz.age and .dump.age names', async ({ page, holdfast }) => {
  const keys = mkdtempSync(join(tmpdir(), 'holdfast-e2e-age-'));
  try {
    const { recipient } = ageKeygen(keys);
    const connection = { host: holdfast.pg.host, port: holdfast.pg.port, user: holdfast.pg.user, dbname: 'shop' };
    await rpc(holdfast.url, 'profile.add', { name: 'plainly', ...connection });
    await rpc(holdfast.url, 'profile.add', { name: 'sealed', ...connection, encryptTo: [recipient] });
    const taken = [
      await rpc<Backup>(holdfast.url, 'backup.create', { profile: 'plainly', options: { format: 'plain' } }),
      await rpc<Backup>(holdfast.url, 'backup.create', { profile: 'sealed', options: { format: 'plain' } }),
      await rpc<Backup>(holdfast.url, 'backup.create', { profile: 'sealed', options: {} }),
    ];
    expect(taken.map((backup) => /\.[a-z.]+$/.exec(backup.filename)![0])).toEqual(['.sql.gz', '.sql.gz.age', '.dump.age']);
    const backups = await openBackups(page, holdfast.url);
    await page.setViewportSize({ width: 1440, height: 900 });
    for (const backup of taken) {
      const cell = backups.table.locator(`[role="cell"][title="${backup.filename}"]`);
      await expect(cell).toBeVisible();
      const seen = await cell.evaluate((element) => {
        const box = element.getBoundingClientRect();
        const row = element.closest('[role="row"]')!.getBoundingClientRect();
        const part = (name: string) => element.querySelector<HTMLElement>(`[data-part="${name}"]`)!;
        const whole = (part: HTMLElement) => part.scrollWidth <= part.clientWidth + 0.5 && part.getBoundingClientRect().right <= box.right + 0.5;
        const name = element.querySelector<HTMLElement>('.file-name')!.getBoundingClientRect();
        return {
          time: whole(part('time')) ? part('time').textContent : 'cut',
          extension: whole(part('extension')) ? part('extension').textContent : 'cut',
          inRow: name.top >= row.top && name.bottom <= row.bottom,
        };
      });
      const [, time, extension] = /^backup-(.{24})-.*?(\.[a-z.]+)$/.exec(backup.filename)!;
      expect(seen).toEqual({ time, extension, inRow: true });
    }
    await screenshotEverySize(page, 'backups-file-names-whole');
  } finally {
    rmSync(keys, { recursive: true, force: true });
  }
});

// A DBA's review (stop 26): squeezed, the "backup-" every name starts with read as a lone "b" before the
// time. It tells no two files apart: it is whole, or not shown, and the time and extension keep the room.
test('squeezed, the "backup-" prefix is whole or gone, never a one-letter stub', async ({ page, holdfast }) => {
  const backups = await openBackups(page, holdfast.url);
  const stubs = () =>
    backups.table.locator('[role="cell"] .file-name').evaluateAll((names) =>
      names.flatMap((name) => {
        const prefix = name.querySelector<HTMLElement>('.file-name__prefix');
        if (!prefix || prefix.offsetWidth === 0) return [];
        return prefix.scrollWidth > prefix.clientWidth + 0.5 ? [`${name.textContent} shows ${prefix.clientWidth}px of its prefix`] : [];
      }),
    );
  let squeezed = 0;
  for (const width of [1920, 1600, 1500, 1440, 1366, 1300, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await expect(backups.renderedRows().first()).toBeVisible();
    expect({ width, stubs: await stubs() }).toEqual({ width, stubs: [] });
    // The widths where the prefix had to go are the ones this test is about: there must be some.
    const hidden = await backups.table.locator('[role="cell"] .file-name__prefix').evaluateAll((prefixes) => prefixes.filter((p) => (p as HTMLElement).offsetWidth === 0).length);
    squeezed += hidden;
    if (hidden) await page.screenshot({ path: `${screenshotDir}/backups-prefix-gone-${width}.png` });
  }
  expect(squeezed).toBeGreaterThan(0);
});
