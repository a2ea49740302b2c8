// The Destinations page names each kind of destination and where it is as the CLI does: an Azure Blob
// container and an SFTP server were listed as "Directory" with an s3:// address made of undefined
// fields. Added through the engine (no Azure or SSH server needed to list them); photographed.
import { expect, screenshotEverySize, test, watchConsole } from './fixtures.ts';
import { Shell } from './pages/shell.ts';

test.use({ world: 'destination-kinds', homeEnv: { HOLDFAST_SECRET_STORE: 'file', HOLDFAST_CREDENTIALS_KEY: 'an-example-key-of-32-characters!!' } });

test('Azure and SFTP destinations are listed with their kind and their address', async ({ page, holdfast }) => {
  const console = watchConsole(page);
  const engine = await holdfast.home.open();
  try {
    await engine.offsite.destinations.add({
      name: 'blob',
      spec: { type: 'azure', settings: { container: 'pg-backups', prefix: 'prod', credential: 'sas-url' } },
      secret: { sasUrl: 'https://example.blob.core.windows.net/pg-backups?sv=2024-01-01&sig=x' },
    });
    await engine.offsite.destinations.add({
      name: 'vault',
      spec: { type: 'sftp', settings: { host: 'vault.example.net', port: 2222, user: 'backup', path: '/srv/pg', auth: 'password' } },
      secret: { password: 'not-a-real-one' },
    });
  } finally {
    engine.close();
  }
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Destinations');
  const blob = page.getByRole('row', { name: /blob/ });
  await expect(blob).toContainText('Azure Blob');
  await expect(blob).toContainText('azure://pg-backups/prod');
  const vault = page.getByRole('row', { name: /vault/ });
  await expect(vault).toContainText('SFTP');
  await expect(vault).toContainText('sftp://backup@vault.example.net:2222/srv/pg');
  await expect(page.getByRole('table')).not.toContainText('undefined');
  await expect(page.getByRole('table')).not.toContainText('Directory');
  await screenshotEverySize(page, 'destination-kinds');
  expect(console.errors).toEqual([]);
});
