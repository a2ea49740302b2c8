// Issue 17 item 3: a drill's pg_restore messages are kept with its run and shown in the app, under
// the drill's result ("Tool output", read when opened), as a backup's pg_dump messages already were.
import { expect, screenshotEverySize, test } from './fixtures.ts';
import { BackupsPage } from './pages/backups.ts';
import { Shell } from './pages/shell.ts';
import { rpc } from './support-rpc.ts';

test.use({ world: 'run-tool-output' });

const PROFILE = 'evented';

test.beforeAll(async ({ holdfast }) => {
  await holdfast.pg.query('CREATE DATABASE evented');
  // An event trigger needs a superuser to restore, and a drill never restores as one: pg_restore says so.
  await holdfast.pg.query(
    `CREATE TABLE notes (v int); INSERT INTO notes VALUES (1), (2);
     CREATE FUNCTION ddl_note() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN NULL; END $$;
     CREATE EVENT TRIGGER ddl_watch ON ddl_command_start EXECUTE FUNCTION ddl_note();`,
    'evented',
  );
  await rpc(holdfast.url, 'profile.add', { name: PROFILE, host: holdfast.pg.host, port: holdfast.pg.port, user: holdfast.pg.user, dbname: 'evented' });
  await rpc(holdfast.url, 'backup.create', { profile: PROFILE, options: {} });
});

test("a drill's result shows what pg_restore said, kept with the drill's run", async ({ page, holdfast }) => {
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  const backups = new BackupsPage(page);
  await backups.renderedRows().filter({ hasText: PROFILE }).first().click();
  await backups.details.getByRole('button', { name: 'Test restore' }).click();
  const result = backups.details.getByRole('status', { name: 'Test restore result' });
  await expect(result).toContainText('Restore-tested', { timeout: 120_000 });
  await result.getByText('Tool output').click();
  await expect(result.getByLabel('Tool output')).toContainText('── pg_restore ──');
  await expect(result.getByLabel('Tool output')).toContainText(/permission denied to create event trigger/i);
  await screenshotEverySize(page, 'drill-tool-output');
});
