// The Backups page's first screen, painted from the first backup.page answer before React has loaded
// (renderer/src/first-screen.ts), then replaced by React's first commit. It must be the same screen
// — same rows from the catalogue, same markup — so nothing flashes when React takes over; and the
// catalogue's strings in it are text, never markup (the seeded database's name is an HTML payload).
import type { Page } from '@playwright/test';
import { expect, screenshot, test, watchConsole } from './fixtures.ts';

// Markup, and controls a terminal acts on or a renderer draws as boxes (a bidi override, BEL).
const HOSTILE_DATABASE = '<img src=x onerror="window.__pwned=1">shop\u202egnp.exe\u0007';
/** As the app shows it: each control as its escape, the way the CLI's terminal() shows it. */
const HOSTILE_SHOWN = '<img src=x onerror="window.__pwned=1">shop\\u202egnp.exe\\u0007';

test.use({ world: 'backups-first-screen', seededBackups: 30, seededDatabase: HOSTILE_DATABASE });

/**
 * #root as a comparable outline of what it shows: each element's tag, attributes (not style: geometry
 * set through the CSSOM) and its text, adjacent text joined. Closed dialogs show nothing and are left out.
 */
async function outline(page: Page): Promise<string> {
  return page.evaluate(() => {
    const lines: string[] = [];
    const walk = (node: Element, depth: number) => {
      const attributes = [...node.attributes]
        .filter((attribute) => attribute.name !== 'style' && attribute.name !== 'data-first-screen')
        .map((attribute) => `${attribute.name}=${JSON.stringify(attribute.value)}`)
        .sort();
      lines.push(`${'  '.repeat(depth)}<${node.tagName.toLowerCase()}${attributes.length ? ` ${attributes.join(' ')}` : ''}>`);
      let text = '';
      const flush = () => {
        if (text.trim()) lines.push(`${'  '.repeat(depth + 1)}${JSON.stringify(text)}`);
        text = '';
      };
      for (const child of node.childNodes) {
        if (child.nodeType === Node.TEXT_NODE) text += child.textContent ?? '';
        else if (child instanceof Element) {
          if (child instanceof HTMLDialogElement && !child.open) continue;
          flush();
          walk(child, depth + 1);
        }
      }
      flush();
    };
    walk(document.getElementById('root')!, 0);
    return lines.join('\n');
  });
}

// 1440×900, and a window so low that the table's scroll box keeps its minimum height: the first
// screen counts its rows from the viewport's height, React's virtualizer from the laid-out box.
for (const viewport of [
  { width: 1440, height: 900 },
  { width: 1440, height: 560 },
])
  test(`the rows painted before React are the rows React shows, in the same markup, and names stay text (${viewport.width}×${viewport.height})`, async ({ page, holdfast }) => {
    const console = watchConsole(page);
    await page.setViewportSize(viewport);
    await page.goto(holdfast.url);
    const origin = new URL(holdfast.url).origin;
    // Hold React's chunk (mount-*.js, which the app imports once the first screen is drawn) until the painted screen has been read.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/assets\/mount-[^/]+\.js$/, async (route) => {
      await released;
      await route.continue();
    });
    await page.goto(`${origin}/#/backups`);
    await page.reload();

    const painted = page.locator('[data-first-screen] .vtable__row--body');
    await expect(painted.first()).toBeVisible();
    await expect(page.locator('[data-first-screen] .toolbar__count')).toHaveText('30 of 30 rows');
    const before = await outline(page);
    await screenshot(page, `backups-first-screen-painted-${viewport.width}x${viewport.height}`);
    // The newest backup first, from the catalogue: its database name shown as the characters it is, its controls escaped.
    await expect(painted.first().getByRole('cell').nth(2)).toHaveText(HOSTILE_SHOWN);
    expect(await page.locator('#root img').count()).toBe(0);

    release();
    await expect(page.locator('[data-first-screen]')).toHaveCount(0);
    const rows = page.locator('.vtable__row--body');
    await expect(rows.first()).toBeVisible();
    await expect(page.locator('.toolbar__count')).toHaveText('30 of 30 rows');
    const after = await outline(page);
    await screenshot(page, `backups-first-screen-react-${viewport.width}x${viewport.height}`);

    expect(after).toBe(before);
    await expect(rows.first().getByRole('cell').nth(2)).toHaveText(HOSTILE_SHOWN);
    // ...and so in the backup's details.
    await rows.first().click();
    await expect(page.getByRole('complementary', { name: 'Backup details' })).toContainText(`${HOSTILE_SHOWN} on PostgreSQL`);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(console.errors).toEqual([]);
  });

/**
 * Installed before any page script: records each read of the layout (a box's size or position, a
 * computed style) the page's own scripts make (Playwright's trace snapshots read it too, from no
 * file of the page's). One before the first paint makes the browser lay the page out then, and
 * again once it has changed.
 */
const LAYOUT_READS = `(() => {
  const reads = [];
  window.__layoutReads = reads;
  const record = (name) => {
    const stack = new Error().stack ?? '';
    if (stack.includes(location.origin)) reads.push(name + ' ' + stack.split('\\n').slice(2, 4).join(' ').trim());
  };
  const spy = (proto, name, kind) => {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (!descriptor) return;
    if (kind === 'get') Object.defineProperty(proto, name, { ...descriptor, get() { record(name); return descriptor.get.call(this); } });
    else Object.defineProperty(proto, name, { ...descriptor, value(...args) { record(name); return descriptor.value.apply(this, args); } });
  };
  for (const name of ['clientHeight', 'clientWidth', 'clientTop', 'scrollHeight', 'scrollWidth', 'scrollTop']) spy(Element.prototype, name, 'get');
  for (const name of ['getBoundingClientRect', 'getClientRects']) spy(Element.prototype, name, 'value');
  for (const name of ['offsetHeight', 'offsetWidth', 'offsetTop', 'offsetLeft']) spy(HTMLElement.prototype, name, 'get');
  spy(window, 'getComputedStyle', 'value');
})();`;

test('the first screen is drawn without reading the layout, so the first paint is its only layout', async ({ page, holdfast }) => {
  await page.addInitScript({ content: LAYOUT_READS });
  await page.goto(holdfast.url);
  const origin = new URL(holdfast.url).origin;
  // React's chunk held: whatever reads the layout until the first screen is up is the draw's or the entry's.
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/assets\/mount-[^/]+\.js$/, async (route) => {
    await released;
    await route.continue();
  });
  await page.goto(`${origin}/#/backups`);
  await page.reload();
  await expect(page.locator('[data-first-screen] .vtable__row--body').first()).toBeVisible();
  // As many rows as the virtualizer renders at 1440×900: 630 px of 44 px rows (15), and 10 below.
  await expect(page.locator('[data-first-screen] .vtable__row--body')).toHaveCount(25);
  expect(await page.evaluate(() => (window as unknown as { __layoutReads: string[] }).__layoutReads)).toEqual([]);
  release();
  await expect(page.locator('[data-first-screen]')).toHaveCount(0);
  await expect(page.locator('.vtable__row--body')).toHaveCount(25);
});

test('without a session nothing is painted: the first screen is only ever the signed-in answer', async ({ browser, holdfast }) => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const origin = new URL(holdfast.url).origin;
    const answered = page.waitForResponse((response) => response.url().endsWith('/api/rpc/backup.page'));
    await page.goto(`${origin}/#/backups`);
    expect((await answered).status()).toBe(401);
    await expect(page.locator('#root')).not.toBeEmpty();
    await expect(page.locator('[data-first-screen]')).toHaveCount(0);
    await expect(page.locator('.vtable__row--body')).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test('a fresh load asks for the first page once, before the entry module runs, and the entry draws its rows before the app arrives', async ({ page, holdfast }) => {
  await page.goto(holdfast.url);
  const origin = new URL(holdfast.url).origin;
  await page.goto(`${origin}/#/backups`);
  // Settled first: the app already loaded at / asks for this page's rows itself, and that request must not be counted below.
  await expect(page.locator('.toolbar__count')).toHaveText('30 of 30 rows');
  const asked: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/api/rpc/backup.page')) asked.push(request.postData() ?? '');
  });
  // Hold the entry module: the first page is asked for while it has not even arrived. Hold the app
  // behind it too (boot-*.js: the stores, the API client, React): the entry draws without it.
  const held = async (pattern: RegExp) => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(pattern, async (route) => {
      await released;
      await route.continue();
    });
    return release;
  };
  const releaseEntry = await held(/\/assets\/index-[^/]+\.js$/);
  const releaseApp = await held(/\/assets\/boot-[^/]+\.js$/);
  const early = page.waitForRequest((request) => request.url().endsWith('/api/rpc/backup.page'));
  const reloaded = page.reload();
  await early;
  await expect(page.locator('#root')).toBeEmpty();
  releaseEntry();
  // Drawn by the entry from the early answer while the app has not even arrived.
  await expect(page.locator('[data-first-screen] .vtable__row--body').first()).toContainText('shop');
  await expect(page.locator('[data-first-screen] .toolbar__count')).toHaveText('30 of 30 rows');
  expect(await page.locator('#root img').count()).toBe(0);
  releaseApp();
  await reloaded;
  await expect(page.locator('.toolbar__count')).toHaveText('30 of 30 rows');
  await expect(page.locator('[data-first-screen]')).toHaveCount(0);
  await expect(page.locator('.vtable__row--body').first()).toContainText('shop');
  // The early request (first-request.js) was the store's own first page: it did not ask again.
  expect(asked).toHaveLength(1);
  expect(JSON.parse(asked[0]!)).toMatchObject({ offset: 0, sort: 'timestamp', direction: 'desc' });
});

test('an answer whose fields are not what the first screen draws is not drawn early: the entry and React decide', async ({ page, holdfast }) => {
  await page.goto(holdfast.url);
  const origin = new URL(holdfast.url).origin;
  await page.goto(`${origin}/#/backups`);
  await expect(page.locator('.toolbar__count')).toHaveText('30 of 30 rows');
  // The first row's size as markup instead of a number: the entry's check refuses the whole answer.
  await page.route(/\/api\/rpc\/backup\.page$/, async (route) => {
    const response = await route.fetch();
    const envelope = (await response.json()) as { value: { items: Array<Record<string, unknown>> } };
    envelope.value.items[0]!.size = '<b>big</b>';
    await route.fulfill({ response, json: envelope });
  });
  // Hold the app behind the entry (boot-*.js: the stores, React): only the entry could draw meanwhile.
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/assets\/boot-[^/]+\.js$/, async (route) => {
    await released;
    await route.continue();
  });
  const answered = page.waitForResponse((response) => response.url().endsWith('/api/rpc/backup.page'));
  const reloaded = page.reload();
  await answered;
  // Time for the entry to have drawn, had it accepted the answer.
  await page.waitForTimeout(500);
  await expect(page.locator('#root')).toBeEmpty();
  release();
  await reloaded;
  await expect(page.locator('.vtable__row--body').first()).toBeVisible();
  expect(await page.locator('#root b').count()).toBe(0);
});
