// Encryption in the app (issue 15) against `holdfast serve` and a real PostgreSQL: a passphrase key is
// added in Settings › Keys (typed twice, checked by the engine's rule, never echoed and emptied once
// sent); the default recipients are set there with where they come from; and the encryption picker
// of Back up now, the connection form and the schedule form says what will apply by the engine's
// precedence, and a backup taken with "These keys" is encrypted to them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/holdfast-env.ts';
import { expect, screenshotEverySize, test, watchConsole } from './fixtures.ts';
import { Shell } from './pages/shell.ts';

test.use({ world: 'encryption-ui', homeEnv: { HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'an-example-key-of-32-characters!!' } });

const PASSPHRASE = 'correct horse battery staple';

test('Keys: a passphrase key and the default recipients; the encryption pickers say what applies, and a backup follows its picker', async ({ page, holdfast }) => {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-e2e-encui-'));
  try {
    const console = watchConsole(page);
    const env = holdfast.home.env;
    const file = join(dir, 'default.txt');
    execFileSync('age-keygen', ['-o', file], { stdio: 'pipe' });
    const defaultRecipient = /# public key: (\S+)/.exec(readFileSync(file, 'utf8'))![1]!;
    const added = await runCli(['profile', 'add', 'shop', '--host', holdfast.pg.host, '--port', String(holdfast.pg.port), '--user', holdfast.pg.user, '--dbname', 'shop'], env);
    expect(added.code, added.stderr).toBe(0);
    expect((await runCli(['key', 'generate', '--name', 'team'], env)).code).toBe(0);

    const shell = new Shell(page);
    await shell.open(holdfast.url);
    await shell.goTo('Settings');
    const card = page.getByRole('region', { name: 'Keys' });

    // The passphrase: too short is said while typing, and the button waits for two equal entries.
    const form = card.getByRole('form', { name: 'Add a passphrase key' });
    await form.getByLabel('Name of this passphrase key (optional)').fill('vault');
    await form.getByLabel('Passphrase', { exact: true }).fill('short');
    await expect(form.getByText(/The passphrase is too short \(5 characters; at least 10\)/)).toBeVisible();
    await form.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await form.getByLabel('Passphrase again').fill(`${PASSPHRASE}!`);
    await expect(form.getByText('The two passphrases differ.')).toBeVisible();
    const add = form.getByRole('button', { name: 'Add passphrase key' });
    await expect(add).toBeDisabled();
    await form.getByLabel('Passphrase again').fill(PASSPHRASE);
    await expect(add).toBeEnabled();
    await screenshotEverySize(page, '40-keys-passphrase-form');
    await add.click();
    await expect(form.getByText('Added passphrase key “vault”')).toBeVisible();
    await expect(form.getByLabel('Passphrase', { exact: true })).toHaveValue('');
    await expect(form.getByLabel('Passphrase again')).toHaveValue('');
    await expect(card.getByRole('table', { name: 'Keys' }).getByRole('row', { name: /vault passphrase here 0/ })).toBeVisible();
    expect(await page.content()).not.toContain(PASSPHRASE);
    const listed = JSON.parse((await runCli(['key', 'list', '--json'], env)).stdout) as Array<{ name: string; kind: string; secretHere: boolean }>;
    expect(listed.find((key) => key.name === 'vault')).toMatchObject({ kind: 'passphrase', secretHere: true });

    // The default recipients: none at first, then set here (an app setting), with where it comes from.
    const defaults = card.getByRole('list', { name: 'Default encryption' }).or(card.locator('[data-setting="encryption-key"]'));
    const row = card.locator('[data-setting="encryption-key"]');
    await expect(row).toContainText('none: not encrypted');
    await expect(row).toContainText('Default');
    await row.getByRole('button', { name: 'Change Encrypt new backups to' }).click();
    await row.getByRole('textbox').fill('age1notarecipient');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(row.getByRole('alert')).toContainText('BACKUP_ENCRYPTION_KEY is not valid');
    await row.getByRole('textbox').fill(defaultRecipient);
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(row).toContainText(defaultRecipient);
    await expect(row).toContainText('App setting');
    await expect(defaults.first()).toBeVisible();
    await card.getByRole('heading', { name: 'Keys' }).scrollIntoViewIfNeeded();
    await card.getByRole('heading', { name: 'Keys' }).evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
    await screenshotEverySize(page, '41-keys-default-recipients');

    // Back up now: inherit says the default applies; "Not encrypted" and "These keys" say this backup chose.
    await shell.backUpNow();
    const dialog = shell.dialog('Back up now');
    const picker = dialog.getByRole('group', { name: 'Encryption' });
    await expect(picker.getByRole('status')).toHaveText(`Encrypted to ${defaultRecipient} (chosen by BACKUP_ENCRYPTION_KEY, the default recipients).`);
    await picker.getByLabel('Not encrypted').check();
    await expect(picker.getByRole('status')).toHaveText('Not encrypted (chosen by this backup).');
    await picker.getByLabel('These keys').check();
    await picker.getByLabel(/^team/).check();
    await expect(picker.getByRole('status')).toHaveText('Encrypted to key “team” (chosen by this backup).');
    await screenshotEverySize(page, '42-backup-now-encryption');
    await dialog.getByRole('button', { name: 'Start backup' }).click();
    await expect(dialog.getByText('Backup completed')).toBeVisible({ timeout: 60_000 });
    const backups = JSON.parse((await runCli(['list', '--json'], env)).stdout) as Array<{ encrypted: boolean; encryption?: { recipients: string[] } }>;
    const team = (JSON.parse((await runCli(['key', 'list', '--json'], env)).stdout) as Array<{ name: string; recipient: string }>).find((key) => key.name === 'team')!;
    expect(backups[0]).toMatchObject({ encrypted: true, encryption: { recipients: [team.recipient] } });
    await dialog.locator('.form__actions').getByRole('button', { name: 'Close' }).click();

    // The connection form: its own choice, which the schedule form then inherits.
    await shell.goTo('Connections');
    await page.getByRole('button', { name: 'Edit' }).first().click();
    const profileForm = page.getByRole('form', { name: 'Connection profile' });
    const profilePicker = profileForm.getByRole('group', { name: 'Encryption' });
    await expect(profilePicker.getByRole('status')).toHaveText(`Encrypted to ${defaultRecipient} (chosen by BACKUP_ENCRYPTION_KEY, the default recipients).`);
    await profilePicker.getByLabel('These keys').check();
    await profilePicker.getByLabel(/^vault/).check();
    await expect(profilePicker.getByRole('status')).toHaveText('Encrypted to key “vault” (passphrase) (chosen by this connection).');
    await screenshotEverySize(page, '43-connection-encryption');
    await profileForm.getByRole('button', { name: 'Save changes' }).click();
    await expect(profileForm).toBeHidden();
    const shown = JSON.parse((await runCli(['profile', 'show', 'shop', '--json'], env)).stdout) as { encryptTo: unknown };
    expect(shown.encryptTo).toEqual(['vault']);

    await shell.goTo('Schedules');
    await page.getByRole('button', { name: 'Add schedule' }).first().click();
    const scheduleDialog = page.getByRole('dialog', { name: 'Add a schedule' });
    const schedulePicker = scheduleDialog.getByRole('group', { name: 'Encryption' });
    await expect(schedulePicker.getByRole('status')).toHaveText('Encrypted to key “vault” (passphrase) (chosen by the connection “shop”).');
    await screenshotEverySize(page, '44-schedule-encryption');
    await scheduleDialog.getByRole('button', { name: 'Cancel' }).click();
    expect(console.errors.filter((error) => !/status of 400/.test(error))).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A DBA's review (stop 33): with BACKUP_ENCRYPTION_KEY empty ("none: not encrypted" under Keys), a
// connection whose own --encrypt-to encrypts its backups looked on Connections like any other; the
// CLI's `profile show` says "encrypt to main". Each card says what its profile chose.
test("Connections: a profile's own encryption choice is on its card; one that leaves it to the default says nothing", async ({ page, holdfast }) => {
  const env = holdfast.home.env;
  const connection = ['--host', holdfast.pg.host, '--port', String(holdfast.pg.port), '--user', holdfast.pg.user, '--dbname', 'shop'];
  expect((await runCli(['key', 'generate', '--name', 'vaulted'], env)).code).toBe(0);
  for (const [name, choice] of [
    ['sealed', ['--encrypt-to', 'vaulted']],
    ['open', ['--no-encrypt']],
    ['default', []],
  ] as const) {
    const added = await runCli(['profile', 'add', name, ...connection, ...choice], env);
    expect(added.code, added.stderr).toBe(0);
  }
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Connections');
  const card = (name: string) => page.getByRole('listitem', { name, exact: true });
  await expect(card('sealed')).toContainText('Backups encrypted to vaulted');
  await expect(card('open')).toContainText('Backups never encrypted');
  await expect(card('default')).toBeVisible();
  await expect(card('default')).not.toContainText(/encrypted/);
  await card('sealed').scrollIntoViewIfNeeded();
  await screenshotEverySize(page, 'connections-encryption');
});
