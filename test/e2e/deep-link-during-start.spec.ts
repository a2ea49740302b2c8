// The address bar's page wins even when it changes while the app starts: the hash moved (Back, a
// bookmark, a typed #/schedules) after the navigation store read it and before the app listened for
// hashchange. Before, that page never showed: the URL said #/schedules under the Overview.
import { expect, test } from './fixtures.ts';

test.use({ world: 'deep-link-during-start' });

test('a hash changed while the app mounts opens that page', async ({ page, holdfast }) => {
  // The moment React first puts the app into #root (before its effects run): the hash moves without
  // a hashchange event reaching the app, as when it fired before the app listened.
  await page.addInitScript(() => {
    const moved = { done: false };
    new MutationObserver(() => {
      if (moved.done || !document.querySelector('#root nav')) return;
      moved.done = true;
      history.replaceState(null, '', '#/schedules');
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(holdfast.url);
  await expect(page).toHaveURL(/#\/schedules$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Schedules');
});
