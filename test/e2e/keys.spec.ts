// Settings › Keys against `holdfast serve` and a real PostgreSQL: the keys are listed with whether
// each secret is here and how many backups need it; a key is generated and an identity (made by
// `age-keygen`) imported straight into the host's secret store; no secret is ever shown, and there is
// no export in the browser. A backup encrypted to a key whose secret is not here says so, loudly.
// The world uses the file secret store, so no OS keychain is needed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/holdfast-env.ts';
import { expect, screenshot, screenshotEverySize, test, watchConsole } from './fixtures.ts';
import { Shell } from './pages/shell.ts';
import { BackupsPage } from './pages/backups.ts';

test.use({ world: 'keys', homeEnv: { HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'an-example-key-of-32-characters!!' } });

function ageKeygen(dir: string): { identity: string; recipient: string } {
  const file = join(dir, `key-${Math.random().toString(16).slice(2)}.txt`);
  execFileSync('age-keygen', ['-o', file], { stdio: 'pipe' });
  const text = readFileSync(file, 'utf8');
  return { identity: text, recipient: /# public key: (\S+)/.exec(text)![1]! };
}

test('Settings › Keys: generate, import (straight to the secret store), counts, no export; a backup whose key is not here warns', async ({ page, holdfast }) => {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-e2e-keys-'));
  try {
    const console = watchConsole(page);
    const env = holdfast.home.env;
    const pasted = ageKeygen(dir);
    const elsewhere = ageKeygen(dir); // its secret never comes to this machine
    const added = await runCli(['profile', 'add', 'shop', '--host', holdfast.pg.host, '--port', String(holdfast.pg.port), '--user', holdfast.pg.user, '--dbname', 'shop'], env);
    expect(added.code, added.stderr).toBe(0);
    const backup = await runCli(['backup', 'shop', '--encrypt-to', elsewhere.recipient, '--json'], env);
    expect(backup.code, backup.stderr).toBe(0);
    expect((JSON.parse(backup.stdout) as { encrypted: boolean }).encrypted).toBe(true);

    const shell = new Shell(page);
    await shell.open(holdfast.url);
    await shell.goTo('Settings');
    const card = page.getByRole('region', { name: 'Keys' });
    await expect(card.getByText('No keys yet.')).toBeVisible();
    await expect(card.getByRole('button', { name: /export/i })).toHaveCount(0);

    await card.getByLabel('Name (optional)').fill('ui-generated');
    await card.getByRole('button', { name: 'Generate key' }).click();
    await expect(card.getByText('Generated key “ui-generated”')).toBeVisible();
    await expect(card.getByText(/holdfast key export ui-generated/)).toBeVisible();

    await card.getByLabel('Name (optional)').fill('ui-imported');
    await card.getByLabel('Identity to import (optional)').fill(pasted.identity);
    await card.getByRole('button', { name: 'Import identity' }).click();
    await expect(card.getByText('Imported key “ui-imported”')).toBeVisible();
    await expect(card.getByLabel('Identity to import (optional)')).toHaveValue('');
    const table = card.getByRole('table', { name: 'Keys' });
    await expect(table.getByRole('row', { name: new RegExp(`ui-imported ${pasted.recipient} here 0`) })).toBeVisible();
    await expect(table.getByRole('row', { name: /ui-generated age1\S+ here 0/ })).toBeVisible();
    // The secret never comes back to the page.
    const secretLine = pasted.identity.split('\n').find((line) => line.startsWith('AGE-SECRET-KEY-1'))!;
    expect(await page.content()).not.toContain(secretLine.slice(16));
    const listed = JSON.parse((await runCli(['key', 'list', '--json'], env)).stdout) as Array<{ name: string; secretHere: boolean }>;
    expect(listed.map((key) => [key.name, key.secretHere])).toEqual([
      ['ui-generated', true],
      ['ui-imported', true],
    ]);
    await screenshot(page, '20-settings-keys');

    // A mistyped identity is refused without quoting it.
    const broken = pasted.identity.replace(/AGE-SECRET-KEY-1(\S)/, (_m, c: string) => `AGE-SECRET-KEY-1${c === 'Q' ? 'P' : 'Q'}`);
    await card.getByLabel('Identity to import (optional)').fill(broken);
    await card.getByRole('button', { name: 'Import identity' }).click();
    await expect(card.getByText(/checksum is wrong/)).toBeVisible();
    await expect(card.getByLabel('Identity to import (optional)')).toHaveValue('');
    expect(await page.content()).not.toContain(
      broken
        .split('\n')
        .find((line) => line.startsWith('AGE-SECRET-KEY-'))!
        .slice(20),
    );

    await shell.goTo('Backups');
    const backups = new BackupsPage(page);
    // Marked in the list before anyone opens it or tries a restore; `holdfast list` says it too.
    await expect(backups.rowsFor('shop', 'completed').first()).toContainText('Key not here');
    expect((await runCli(['list'], env)).stdout).toContain('KEY NOT HERE');
    await backups.rowsFor('shop', 'completed').first().click();
    const details = backups.details;
    await expect(details.getByText('Key not here', { exact: true })).toBeVisible();
    await expect(details.getByText(/This backup cannot be restored here: it is encrypted to age1/)).toBeVisible();
    await expect(details.getByText(elsewhere.recipient, { exact: false }).first()).toBeVisible();
    // Its record says it is encrypted, and to what, whether or not the key is here.
    await expect(details).toContainText(new RegExp(`Encryption\\s*age, to ${elsewhere.recipient}`));
    await screenshot(page, '21-backup-key-not-here');
    // Verified here, only its stored checksum can be read: said so, never the green "Verified".
    const result = await backups.verify();
    await expect(result).toContainText('Checksum only: the content could not be checked here');
    await expect(backups.rowsFor('shop', 'completed').first()).toContainText('Checksum only');
    await expect(backups.rowsFor('shop', 'completed').first()).not.toContainText('Verified');
    await expect(details).toContainText('its content could not be checked here, as its key is not on this machine');
    await screenshotEverySize(page, 'backup-verified-checksum-only');

    // Every age file is marked in the list, not only one whose key is missing: a DBA sees at a glance
    // which backups are encrypted, and whether this machine can open them.
    const taken = async (args: string[]) => {
      const run = await runCli(['backup', 'shop', ...args, '--json'], env);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as { filename: string };
    };
    const keyHere = await taken(['--encrypt-to', pasted.recipient]);
    const unencrypted = await taken(['--no-encrypt']);
    await page.reload();
    await shell.goTo('Backups');
    const rowOf = (filename: string) => backups.renderedRows().filter({ hasText: filename });
    const encryptedMark = (filename: string) => rowOf(filename).getByTitle(/^Encrypted with age/);
    await expect(encryptedMark(keyHere.filename)).toHaveText('Encrypted');
    await expect(encryptedMark(keyHere.filename)).toHaveAttribute('title', /a key that opens it is on this machine/);
    await expect(rowOf(keyHere.filename)).not.toContainText('Key not here');
    await expect(rowOf(JSON.parse(backup.stdout).filename as string)).toContainText('Key not here');
    await expect(rowOf(unencrypted.filename)).toBeVisible();
    await expect(rowOf(unencrypted.filename).getByText(/Encrypted|Key not here/)).toHaveCount(0);
    await screenshot(page, '22-backups-encrypted-marks');
    // The one 400 is the mistyped identity's refusal (BAD_INPUT), which the browser logs as a failed request.
    expect(console.errors.filter((error) => !/status of 400/.test(error))).toEqual([]);
    expect(console.errors.filter((error) => /status of 400/.test(error))).toHaveLength(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
