// A tab left open across a rebuild (the DBA's review, issue 17): `npm run build` replaces the hashed
// chunks in dist/renderer under a running `holdfast serve`, and the page, still running the old entry,
// asks for a chunk name that is gone. Serve must answer 404 (never the index page), and the app must
// say it was updated and reload once, onto the new build, instead of breaking on the navigation.
//
// The rebuild is done to the files as a build does it: the chunk gets a new hashed name, and so does
// every file that names a renamed one (its content changed), up to index.html's entry. The real build
// is put back afterwards.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../support/holdfast-env.ts';
import { expect, screenshot, test } from './fixtures.ts';
import { Shell } from './pages/shell.ts';

test.use({ world: 'app-rebuilt' });

const RENDERER = join(projectRoot, 'dist', 'renderer');

/** Gives the chunk `first` a new hash, and every file naming a renamed file too; answers the old name and how to put the build back. */
function rebuildRenaming(first: RegExp): { gone: string; restore(): void } {
  const saved = mkdtempSync(join(tmpdir(), 'holdfast-renderer-'));
  cpSync(RENDERER, saved, { recursive: true });
  const assets = join(RENDERER, 'assets');
  // A new name whatever the hash looks like: Vite's hashes are base64url and may end with '-' (index-BzQWK9O-.js),
  // which a rename of the part after the last '-' left as it was, so index.html kept its entry.
  const fresh = (name: string) => name.replace(/\.(js|css)$/, '-r.$1');
  const gone = readdirSync(assets).find((name) => first.test(name));
  if (!gone) throw new Error(`no chunk matching ${first} in ${assets}`);
  const renamed = new Map([[gone, fresh(gone)]]);
  for (let grew = true; grew;) {
    grew = false;
    for (const name of readdirSync(assets)) {
      if (renamed.has(name)) continue;
      const text = readFileSync(join(assets, name), 'utf8');
      if ([...renamed.keys()].some((old) => text.includes(old))) {
        renamed.set(name, fresh(name));
        grew = true;
      }
    }
  }
  const rewrite = (path: string, to: string) => {
    let text = readFileSync(path, 'utf8');
    for (const [old, now] of renamed) text = text.replaceAll(old, now);
    writeFileSync(to, text);
    if (to !== path) rmSync(path);
  };
  for (const name of readdirSync(assets)) rewrite(join(assets, name), join(assets, renamed.get(name) ?? name));
  for (const name of readdirSync(RENDERER)) if (/\.(html|js)$/.test(name)) rewrite(join(RENDERER, name), join(RENDERER, name));
  return {
    gone,
    restore() {
      rmSync(RENDERER, { recursive: true, force: true });
      cpSync(saved, RENDERER, { recursive: true });
      rmSync(saved, { recursive: true, force: true });
    },
  };
}

test('a page chunk gone after a rebuild: serve answers 404, the tab says the app was updated and reloads once onto the new build', async ({ page, holdfast }) => {
  // The Schedules chunk is held back, so it is asked for on demand after the rebuild (the prefetch
  // of the later pages would otherwise have fetched it before).
  let release!: () => void;
  const rebuilt = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/assets\/Schedules-[^/]+\.js$/, async (route) => {
    await rebuilt;
    await route.continue();
  });
  const shell = new Shell(page);
  await shell.open(holdfast.url);
  await shell.goTo('Backups');
  const entryBefore = await page.locator('script[type="module"][src]').getAttribute('src');
  const loads: string[] = [];
  page.on('load', () => loads.push(page.url()));

  await shell.nav.getByRole('link', { name: 'Schedules' }).click();
  await expect(page.getByText('Loading…')).toBeVisible();
  const build = rebuildRenaming(/^Schedules-[^/]+\.js$/);
  try {
    // Serve has no file of the old name: 404, not the index page a module import would choke on.
    const old = await page.request.get(new URL(`assets/${build.gone}`, holdfast.url).href);
    expect(old.status()).toBe(404);
    expect(old.headers()['content-type'] ?? '').not.toContain('text/html');
    release();

    const updated = page.getByRole('alert').filter({ hasText: 'Holdfast was updated while this page was open' });
    await expect(updated).toContainText('Reloading to the new version…');
    await screenshot(page, 'app-rebuilt-reloading');
    await expect(page.getByRole('heading', { level: 1, name: 'Schedules' })).toBeVisible();
    expect(loads).toEqual([expect.stringMatching(/#\/schedules$/)]);
    expect(await page.locator('script[type="module"][src]').getAttribute('src')).not.toBe(entryBefore);
    await expect(updated).toHaveCount(0);
    // Once on the new build, the other pages load as before: no second reload.
    await shell.goTo('Connections');
    await shell.goTo('Backups');
    expect(loads).toHaveLength(1);
  } finally {
    release();
    build.restore();
  }
});
