// A profile with a daily schedule, added through the CLI on the world's HOLDFAST_HOME (serve reads the
// same catalogue), for the specs about who runs the schedules.
import { runCli } from '../support/holdfast-env.ts';
import { expect, type HoldfastUi } from './fixtures.ts';

export async function addScheduledProfile({ pg, home }: HoldfastUi): Promise<void> {
  const added = await runCli(['profile', 'add', 'shop', '--host', pg.host, '--port', String(pg.port), '--user', pg.user, '--dbname', 'shop'], home.env);
  expect(added.code, added.stderr).toBe(0);
  const scheduled = await runCli(['schedule', 'add', 'shop', '--daily'], home.env);
  expect(scheduled.code, scheduled.stderr).toBe(0);
}
