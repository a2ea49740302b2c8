// Honest status (issue 17, item 7): a backup stuck behind another session's ACCESS EXCLUSIVE lock
// says so in the Back up now dialog (which table, whose pid, the statement), and a cancel the user
// made is shown as cancelled, not as a failure; a failed run's details show what pg_dump wrote.
import { expect, screenshotEverySize, test } from './fixtures.ts';
import { BackupNowDialog, BackupsPage } from './pages/backups.ts';
import { Shell } from './pages/shell.ts';
import { apiOf, rpc } from './support-rpc.ts';

test.use({ world: 'run-status' });

/** A contract call that is meant to fail: its envelope, not support-rpc's ok-only value. */
async function refusedCall(url: string, channel: string, input: unknown): Promise<unknown> {
  const { origin, token } = apiOf(url);
  const response = await fetch(`${origin}/api/rpc/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(input) });
  return response.json();
}

test('a backup waiting for a lock names the table, the session holding it and its statement', async ({ page, holdfast }) => {
  await rpc(holdfast.url, 'profile.add', { name: 'locked', host: holdfast.pg.host, port: holdfast.pg.port, user: holdfast.pg.user, dbname: 'shop' });
  const shell = new Shell(page);
  const dialog = new BackupNowDialog(page);
  await shell.open(holdfast.url);
  const lock = await holdfast.pg.lockTable('shop', 'orders');
  try {
    // Asked from another session: the holder's own last statement must stay the LOCK it idles after.
    const [holder] = await holdfast.pg.query<{ pid: number }>("SELECT pid FROM pg_locks WHERE relation = 'orders'::regclass AND mode = 'AccessExclusiveLock' AND granted", 'shop');
    const holderPid = holder!.pid;
    await shell.backUpNow();
    await dialog.start('locked');
    const waiting = dialog.dialog.getByTestId('lock-wait');
    await expect(waiting).toContainText(`waiting for a lock on public.orders held by pid ${holderPid}`);
    await expect(waiting).toContainText('`LOCK TABLE orders IN ACCESS EXCLUSIVE MODE`, idle in transaction');
    await screenshotEverySize(page, 'backup-waiting-for-lock');
    await dialog.cancel();
    await expect(dialog.dialog.getByText('Backup cancelled')).toBeVisible();
  } finally {
    await lock.end();
  }
  await dialog.dialog.getByText('Close', { exact: true }).click();
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  await expect(backups.rowsFor('locked', 'Cancelled')).toHaveCount(1);
  await expect(backups.rowsFor('locked', 'Interrupted')).toHaveCount(0);
});

test("a failed run's details show pg_dump's stderr as the run kept it", async ({ page, holdfast }) => {
  await rpc(holdfast.url, 'profile.add', { name: 'filtered', host: holdfast.pg.host, port: holdfast.pg.port, user: holdfast.pg.user, dbname: 'shop' });
  expect(await refusedCall(holdfast.url, 'backup.take', { profile: 'filtered', options: { tables: ['no_such_table'] } })).toMatchObject({ ok: false });
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  await backups.rowsFor('filtered', 'Failed').first().click();
  // "Why it failed" says what to do, as the failure did when it happened (the DBA review: only the message was kept).
  await expect(backups.details.getByRole('alert')).toContainText('No table in database "shop" matches the table pattern "no_such_table"');
  await expect(backups.details.getByRole('alert')).toContainText("Check the table name's spelling and case");
  await backups.details.getByText('Tool output').click();
  await expect(backups.details.getByLabel('Tool output')).toContainText('pg_dump: error: no matching tables were found for pattern "no_such_table"');
  await screenshotEverySize(page, 'failed-run-tool-output');
});

// A DBA's review (stop 33): pg_dump's two lines ("pg_dump: error: …" and "pg_dump: detail: Query was: …")
// ran together as one in "Why it failed" and in Activity's failed runs ("…employees pg_dump: detail: …").
test("a failed run's message keeps pg_dump's lines, in its details and in Activity", async ({ page, holdfast }) => {
  await holdfast.pg.query('CREATE ROLE unprivileged LOGIN');
  await rpc(holdfast.url, 'profile.add', { name: 'unprivileged', host: holdfast.pg.host, port: holdfast.pg.port, user: 'unprivileged', dbname: 'shop' });
  expect(await refusedCall(holdfast.url, 'backup.take', { profile: 'unprivileged', options: {} })).toMatchObject({ ok: false });
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  await backups.rowsFor('unprivileged', 'Failed').first().click();
  // innerText is the text as laid out: a newline the page collapses reads as a space.
  const why = backups.details.getByRole('alert').locator('.notice__message');
  await expect(why).toContainText('pg_dump: detail: Query was:');
  expect(await why.innerText()).toMatch(/permission denied for table \S+\npg_dump: detail: Query was: LOCK TABLE/);
  await screenshotEverySize(page, 'failed-run-lines');
  await shell.goTo('Activity');
  const cell = page.locator('td.cell-error').filter({ hasText: 'pg_dump: detail: Query was:' }).first();
  expect(await cell.innerText()).toMatch(/permission denied for table \S+\npg_dump: detail: Query was: LOCK TABLE/);
  await screenshotEverySize(page, 'activity-failed-run-lines');
});

// The Backups header counted a running backup among the "failed or unfinished attempts" (issue 17).
test('a running backup is counted as running in the Backups header, not as a failed or unfinished attempt', async ({ page, holdfast }) => {
  await rpc(holdfast.url, 'profile.add', { name: 'counted', host: holdfast.pg.host, port: holdfast.pg.port, user: holdfast.pg.user, dbname: 'shop' });
  const shell = new Shell(page);
  const dialog = new BackupNowDialog(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  const header = page.locator('.page-header__subtitle');
  const failedBefore = Number(/(\d+) failed or unfinished attempt/.exec((await header.textContent()) ?? '')?.[1]);
  // A lock held on a table keeps pg_dump waiting, so the backup is still running while the header is read.
  const lock = await holdfast.pg.lockTable('shop', 'orders');
  try {
    await shell.backUpNow();
    await dialog.start('counted');
    await expect(dialog.dialog.getByTestId('lock-wait')).toBeVisible();
    await dialog.dialog.getByRole('button', { name: 'Run in background' }).click();
    await expect(dialog.dialog).toBeHidden();
    await page.reload();
    await expect(header).toContainText('1 running');
    await expect(header).toContainText(`${failedBefore} failed or unfinished attempt`);
    const backups = new BackupsPage(page);
    await expect(backups.rowsFor('counted', 'Running')).toHaveCount(1);
    await screenshotEverySize(page, 'backups-header-running');
  } finally {
    await lock.end();
  }
  await expect(header).not.toContainText('running', { timeout: 60_000 });
  await expect(header).toContainText(`${failedBefore} failed or unfinished attempt`);
});
