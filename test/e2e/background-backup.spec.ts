// A backup started in the browser runs in `holdfast serve`, not in the tab: "Run in background", then
// a reload, used to end it as Interrupted ("The backup was cancelled; nothing was kept"), recorded as
// cancelled by whoever started it. Now the reloaded page finds it still running, shows its progress
// again, and then its completion.
import { expect, screenshot, test } from './fixtures.ts';
import { BackupNowDialog, BackupsPage } from './pages/backups.ts';
import { Shell } from './pages/shell.ts';

// Its backups would make ui.spec.ts's empty install not empty: a home of its own.
test.use({ world: 'background-backup' });

/** A connection of this spec's own to the seeded database, so it needs nothing another spec set up. */
async function addProfile(url: string, pg: { host: string; port: number; user: string }, name: string): Promise<void> {
  const served = new URL(url);
  const response = await fetch(`${served.origin}/api/rpc/profile.add`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${served.searchParams.get('token')}` },
    body: JSON.stringify({ name, host: pg.host, port: pg.port, user: pg.user, dbname: 'shop' }),
  });
  expect(await response.json()).toMatchObject({ ok: true });
}

test('a backup run in the background survives a reload: the page finds it, shows its progress, then its completion', async ({ page, holdfast }) => {
  const profile = 'background';
  await addProfile(holdfast.url, holdfast.pg, profile);
  const shell = new Shell(page);
  const dialog = new BackupNowDialog(page);
  const runningJob = page.getByRole('button', { name: new RegExp(`Backing up ${profile}`) });
  await shell.open(holdfast.url);

  // A lock held on a table keeps pg_dump waiting, so the backup is still running when the page reloads.
  const lock = await holdfast.pg.lockTable('shop', 'orders');
  try {
    await shell.backUpNow();
    await dialog.start(profile);
    await expect(dialog.currentPhase()).toHaveText('Dump');
    await dialog.dialog.getByRole('button', { name: 'Run in background' }).click();
    await expect(dialog.dialog).toBeHidden();
    await expect(runningJob).toBeVisible();

    await page.reload();
    await expect(runningJob).toBeVisible();
    await runningJob.click();
    await expect(dialog.currentPhase()).toHaveText('Dump');
    await expect(dialog.progress()).toBeVisible();
    await screenshot(page, 'background-backup-after-reload');
  } finally {
    await lock.end();
  }

  await expect(dialog.completed()).toBeVisible({ timeout: 60_000 });
  await dialog.dialog.getByRole('button', { name: 'Show in Backups' }).click();
  const backups = new BackupsPage(page);
  await expect(shell.heading()).toHaveText('Backups');
  await expect(backups.rowsFor(profile, 'Completed')).toHaveCount(1);
  await expect(backups.rowsFor(profile, 'Interrupted')).toHaveCount(0);
});
