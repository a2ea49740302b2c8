// Backups › Import…: a dump a DBA made elsewhere with the real pg_dump 15, named by its path on the
// server or picked on this computer and uploaded, is listed as Imported (and pinned), and verifies
// like any backup. A bad path or a non-dump is refused in the dialog with what to do.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, screenshotEverySize, test } from './fixtures.ts';
import { BackupsPage } from './pages/backups.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'import-dump' });
test.describe.configure({ mode: 'serial' });

const PROFILE = 'warehouse';
let elsewhere: string;

test.beforeAll(async ({ holdfast }) => {
  await rpc(holdfast.url, 'profile.add', { name: PROFILE, host: holdfast.pg.host, port: holdfast.pg.port, user: holdfast.pg.user, dbname: 'shop' });
  elsewhere = mkdtempSync(join(tmpdir(), 'holdfast-e2e-import-'));
  for (const [format, name] of [
    ['-Fc', 'nightly.dump'],
    ['-Ft', 'weekly.tar'],
  ])
    execFileSync(join(holdfast.pg.binDir, 'pg_dump'), [format!, '-f', join(elsewhere, name!), '-h', holdfast.pg.host, '-p', String(holdfast.pg.port), '-U', holdfast.pg.user, 'shop']);
  writeFileSync(join(elsewhere, 'notes.txt'), 'not a dump\n');
});

test.afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

/** The Backups page of the app at `url`, with its Import dialog open. */
async function openImportDialog(page: Page, url: string): Promise<{ backups: BackupsPage; dialog: Locator }> {
  const shell = new Shell(page);
  await shell.open(url);
  await shell.goTo('Backups');
  await page.getByRole('button', { name: 'Import…' }).click();
  return { backups: new BackupsPage(page), dialog: page.locator('dialog[open]') };
}

test('import a pg_dump file: it appears as Imported and pinned, and verify passes', async ({ page, holdfast }) => {
  const { backups, dialog } = await openImportDialog(page, holdfast.url);
  await expect(dialog.getByRole('heading', { name: 'Import a dump' })).toBeVisible();

  // Not a dump: refused in the dialog, naming what it is and what to give instead.
  await dialog.getByLabel('On the server').check();
  await dialog.getByLabel('Path on the server').fill(join(elsewhere, 'notes.txt'));
  await dialog.getByLabel('Connection').selectOption(PROFILE);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByRole('alert')).toContainText('is not a pg_dump output');
  await screenshotEverySize(page, 'import-dialog-refused');

  await dialog.getByLabel('Path on the server').fill(join(elsewhere, 'nightly.dump'));
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByText('Imported', { exact: true })).toBeVisible();
  await expect(dialog).toContainText(/pg_dump 15\.\d+ from PostgreSQL 15\.\d+/);
  await expect(dialog).toContainText('reads the table of contents');
  await screenshotEverySize(page, 'import-dialog-imported');
  await dialog.getByRole('button', { name: 'Done' }).click();

  const row = backups.renderedRows().filter({ hasText: PROFILE });
  await expect(row).toContainText('Imported');
  await expect(row).toContainText('Pinned');
  // Holdfast did not take it, so it has no duration of its own: not "0 ms", as if it took none.
  await expect(row.getByTitle('made elsewhere: no duration of its own')).toHaveText('—');
  // The import read it through: said as that, not "Not verified" as if nothing had, nor as a verify.
  await expect(row).toContainText('Checked at import');
  await expect(row).not.toContainText('Not verified');
  await row.click();
  await expect(backups.details).toContainText(join(elsewhere, 'nightly.dump'));
  await expect(backups.details).toContainText('Checked at import — not verified since; Verify reads the stored file back');
  const result = await backups.verify();
  await expect(result).toContainText('Backup verified');
  await expect(row).toContainText('Verified');
  await expect(row).not.toContainText('Checked at import');
  await screenshotEverySize(page, 'import-details');

  // The same file again: refused, naming the backup it already is and where the app shows it (no command).
  await page.getByRole('button', { name: 'Import…' }).click();
  await dialog.getByLabel('On the server').check();
  await dialog.getByLabel('Path on the server').fill(join(elsewhere, 'nightly.dump'));
  await dialog.getByLabel('Connection').selectOption(PROFILE);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByRole('alert')).toContainText(`${join(elsewhere, 'nightly.dump')} is already in the catalogue as backup-`);
  await expect(dialog.getByRole('alert')).toContainText('See the Backups page to find it.');
  await expect(dialog.getByRole('alert')).not.toContainText('holdfast list');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // The original was copied, never moved.
  const listed = await rpc<Array<{ imported?: boolean; pinned: boolean }>>(holdfast.url, 'backup.list', { profile: PROFILE, fields: 'summary' });
  expect(listed).toEqual([expect.objectContaining({ imported: true, pinned: true })]);
  expect(execFileSync('ls', [elsewhere]).toString()).toContain('nightly.dump');
});

test('upload a pg_dump file picked on this computer: it is listed as Imported from the upload', async ({ page, holdfast }) => {
  const { backups, dialog } = await openImportDialog(page, holdfast.url);
  // In a browser the file is picked here and uploaded: the server cannot read this computer's disk.
  await expect(dialog.getByLabel('On this computer')).toBeChecked();
  await screenshotEverySize(page, 'import-dialog-upload');

  // Not a dump: refused after the upload, named by the file's own name, and nothing is listed.
  await dialog.getByLabel('Dump file').setInputFiles(join(elsewhere, 'notes.txt'));
  await dialog.getByLabel('Connection').selectOption(PROFILE);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByRole('alert')).toContainText('notes.txt is not a pg_dump output');

  await dialog.getByLabel('Dump file').setInputFiles(join(elsewhere, 'weekly.tar'));
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByText('Imported', { exact: true })).toBeVisible();
  await expect(dialog).toContainText('upload of weekly.tar');
  await expect(dialog).toContainText('reads the table of contents');
  await screenshotEverySize(page, 'import-dialog-uploaded');
  await dialog.getByRole('button', { name: 'Done' }).click();

  const row = backups.renderedRows().filter({ hasText: 'tar' }).filter({ hasText: 'Imported' });
  await expect(row).toContainText('Pinned');
  await row.click();
  await expect(backups.details).toContainText('upload of weekly.tar');
  const listed = await rpc<Array<{ imported?: boolean; format: string }>>(holdfast.url, 'backup.list', { profile: PROFILE, fields: 'summary' });
  expect(
    listed
      .filter((b) => b.imported)
      .map((b) => b.format)
      .sort(),
  ).toEqual(['custom', 'tar']);
});

// A file's name is the uploader's to choose: a right-to-left override in it ("weekly\u202erat.dump" reads
// "weeklypmud.tar") is shown as its escape, as the CLI shows it, in the refusal and in the record alike.
test('an uploaded name with a bidi override is shown escaped: in the refusal, the dialog and the details', async ({ page, holdfast }) => {
  const { backups, dialog } = await openImportDialog(page, holdfast.url);
  await dialog.getByLabel('Dump file').setInputFiles({ name: 'notes\u202etxt.sql', mimeType: 'application/octet-stream', buffer: Buffer.from('not a dump\n') });
  await dialog.getByLabel('Connection').selectOption(PROFILE);
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByRole('alert')).toContainText('notes\\u202etxt.sql is not a pg_dump output');
  await expect(dialog.getByRole('alert')).not.toContainText('\u202e');

  const dump = execFileSync(join(holdfast.pg.binDir, 'pg_dump'), ['-Fc', '-Z', '3', '-h', holdfast.pg.host, '-p', String(holdfast.pg.port), '-U', holdfast.pg.user, 'shop']);
  await dialog.getByLabel('Dump file').setInputFiles({ name: 'weekly\u202erat.dump', mimeType: 'application/octet-stream', buffer: dump });
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByText('Imported', { exact: true })).toBeVisible();
  await expect(dialog).toContainText('upload of weekly\\u202erat.dump');
  await expect(dialog).not.toContainText('\u202e');
  await dialog.getByRole('button', { name: 'Done' }).click();
  // The newest backup: a buffer picked here is modified now, the files above before this test began.
  await backups.renderedRows().filter({ hasText: 'Imported' }).first().click();
  await expect(backups.details).toContainText('upload of weekly\\u202erat.dump');
  await expect(backups.details).not.toContainText('\u202e');
});

// The DBA review: a plain script that does not say its database was shown as its profile's ("shop").
test("an imported plain script that does not name its database shows it as not recorded, never the profile's", async ({ page, holdfast }) => {
  const script = join(elsewhere, 'unnamed.sql');
  execFileSync(join(holdfast.pg.binDir, 'pg_dump'), ['-Fp', '-f', script, '-h', holdfast.pg.host, '-p', String(holdfast.pg.port), '-U', holdfast.pg.user, 'shop']);
  await rpc(holdfast.url, 'backup.import', { file: script, profile: PROFILE });
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  const row = backups.renderedRows().filter({ hasText: 'plain' }).filter({ hasText: 'Imported' });
  await expect(row).toContainText('—');
  await expect(row).not.toContainText('shop');
  await row.click();
  await expect(backups.details).toContainText(/Database\s*not recorded on PostgreSQL 15/);
  await expect(backups.details).not.toContainText('shop on PostgreSQL');
});
