// "Run cleanup now" on the Backups page (issue 17 item 4): the exact files retention would delete,
// listed before anything goes; the profile's newest good backup never among them; confirm deletes
// those and nothing else.
import { existsSync } from 'node:fs';
import { expect, screenshotEverySize, test } from './fixtures.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

// Ten hourly backups of "shop", the newest 25 hours old; a one-day policy retires all but the newest.
test.use({ world: 'cleanup-now', seededBackups: 10, serveEnv: { BACKUP_RETENTION_DAYS: '1' } });

test('the list shows the files cleanup will delete, never the last good backup; confirm deletes exactly those', async ({ page, holdfast }) => {
  type Listed = { id: string; filename: string; path: string; status: string; timestamp: string };
  const before = await rpc<Listed[]>(holdfast.url, 'backup.list', { profile: 'shop' });
  expect(before).toHaveLength(10);
  const newest = before.reduce((a, b) => (a.timestamp > b.timestamp ? a : b));

  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  await page.getByRole('button', { name: 'Run cleanup now…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Run cleanup now' });
  const list = dialog.getByRole('list', { name: 'Files cleanup will delete' });
  await expect(list.getByRole('listitem')).toHaveCount(9);
  await expect(list).not.toContainText(newest.filename);
  for (const backup of before.filter((b) => b.id !== newest.id)) await expect(list).toContainText(backup.filename);
  // Nothing has gone yet: the list is the engine's dry run.
  expect((await rpc<Listed[]>(holdfast.url, 'backup.list', { profile: 'shop' })).filter((b) => b.status === 'completed')).toHaveLength(10);
  await screenshotEverySize(page, 'cleanup-now');

  await dialog.getByRole('button', { name: 'Delete 9 backups' }).click();
  await expect(dialog.getByText('Cleanup done')).toBeVisible();
  await expect(dialog).toContainText('Deleted 9 backups');
  const after = await rpc<Listed[]>(holdfast.url, 'backup.list', { profile: 'shop' });
  expect(after.filter((b) => b.status === 'completed').map((b) => b.id)).toEqual([newest.id]);
  expect(existsSync(newest.path)).toBe(true);
  for (const backup of before.filter((b) => b.id !== newest.id)) expect(existsSync(backup.path)).toBe(false);
});
