// Connections (issue 17, item 8): "Test connection" tries the connection as typed before anything is
// saved (the typed password used once), and Edit's "Forget password" removes a stored password.
import { expect, screenshotEverySize, test } from './fixtures.ts';
import { ConnectionsPage } from './pages/connections.ts';
import { Shell } from './pages/shell.ts';

test.use({ world: 'connection-form', homeEnv: { HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'an-example-key-of-32-characters!!' } });

test('Test connection before saving, then Forget password in Edit', async ({ page, holdfast }) => {
  const shell = new Shell(page);
  const connections = new ConnectionsPage(page);
  await shell.open(holdfast.url);
  await shell.goTo('Connections');
  await connections.openAddForm();
  await connections.fill({ name: 'typed', host: holdfast.pg.host, port: String(holdfast.pg.port), user: holdfast.pg.user, dbname: 'shop' });
  await connections.form.getByLabel('Password', { exact: true }).fill('typed-only');
  await connections.form.getByRole('button', { name: 'Test connection' }).click();
  const result = connections.form.getByTestId('draft-test-result');
  await expect(result).toContainText(`${holdfast.pg.user} (superuser) on PostgreSQL ${holdfast.pg.major}`);
  await expect(result).toContainText('password: typed, not stored');
  await expect(result).toContainText('Nothing is saved until you add the connection');
  await screenshotEverySize(page, 'connection-form-tested');
  // Tested, not saved: the list is still empty behind the form.
  await expect(connections.card('typed')).toHaveCount(0);

  await connections.submit();
  await expect(connections.form).toBeHidden();
  await connections.card('typed').getByRole('button', { name: 'Edit' }).click();
  // This world's serve keeps passwords in the credentials file (HOLDFAST_SECRET_STORE=file): the form says that, not the OS keychain.
  await expect(connections.form.getByText('Stored in the credentials file. Leave empty to keep it.')).toBeVisible();
  await expect(connections.card('typed')).toContainText('Password in the credentials file');
  await connections.form.getByRole('button', { name: 'Forget password…' }).click();
  await screenshotEverySize(page, 'connection-form-forget-password');
  await connections.form.getByRole('button', { name: 'Forget password', exact: true }).click();
  await expect(connections.form.getByRole('button', { name: 'Forget password…' })).toHaveCount(0);
  await expect(connections.form.getByText('Optional. Stored only in the credentials file')).toBeVisible();
  await expect(page.getByText(/keychain/i)).toHaveCount(0);
});
