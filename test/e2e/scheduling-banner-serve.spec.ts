// `holdfast serve` runs the schedules by default: the Overview and the Schedules page name it, with
// its last tick, and show no "nothing is running" banner.
import { hostname } from 'node:os';
import { expect, test } from './fixtures.ts';
import { Shell } from './pages/shell.ts';
import { addScheduledProfile } from './scheduled-profile.ts';

test.use({ world: 'serve-schedules' });

test('the Overview and the Schedules page name serve as the host, with its last tick', async ({ page, holdfast }) => {
  await addScheduledProfile(holdfast);
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  const named = new RegExp(`^Schedules run by holdfast serve \\(pid \\d+ on ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) · last tick`);
  await expect(page.getByTestId('scheduling-banner')).toHaveText(named);
  await shell.goTo('Schedules');
  await expect(page.getByTestId('scheduling-banner')).toHaveText(named);
  await expect(page.getByText('Nothing is running these schedules')).toHaveCount(0);
});
