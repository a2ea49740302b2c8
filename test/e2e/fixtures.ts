// The world the browser tests run in, started once per worker: a real PostgreSQL with the seeded
// "shop" database, a throwaway HOLDFAST_HOME, and `holdfast serve` as a user starts it (the bin, in a
// child process), whose printed URL the tests open. Everything is removed afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, type ConsoleMessage, type Page, type Request } from '@playwright/test';
import { cleanEnv } from '../support/clean-env.ts';
import { makeHome, projectRoot, seedDatabase, waitFor, type TestHome } from '../support/holdfast-env.ts';
import { startPgServer, type PgServer } from '../support/pg-server.ts';
import { seedBackups } from '../support/seeded-home.ts';

export const SHOP_ROWS = 500;
export const screenshotDir = join(projectRoot, 'test-results', 'screenshots');

export interface HoldfastUi {
  /** The URL `holdfast serve` printed, with its token. */
  url: string;
  pg: PgServer;
  home: TestHome;
}

async function startServe(home: TestHome, args: readonly string[], env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'holdfast.mjs'), 'serve', ...args], {
    env: cleanEnv({ ...home.env, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const url = await waitFor('holdfast serve to print its URL', () => {
    if (child.exitCode !== null) throw new Error(`holdfast serve exited with ${child.exitCode}: ${out}`);
    return /Holdfast UI: (http:\/\/\S+)/.exec(out)?.[1];
  });
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export const test = base.extend<
  object,
  { holdfast: HoldfastUi; world: string; serveArgs: string[]; homeEnv: Record<string, string>; serveEnv: Record<string, string>; seededBackups: number; seededDatabase: string }
>({
  // A spec file that changes what another file's first test expects (an empty install) names a world
  // of its own with test.use({ world: '…' }): Playwright then gives it a worker, and so a home, of its own.
  world: ['shared', { scope: 'worker', option: true }],
  /** Flags for `holdfast serve` in this world, e.g. ['--no-schedules']. */
  serveArgs: [[], { scope: 'worker', option: true }],
  /** Environment of this world's HOLDFAST_HOME (serve and the CLI), e.g. the file secret store. */
  homeEnv: [{}, { scope: 'worker', option: true }],
  /** Environment variables `holdfast serve` is started with in this world, e.g. one that overrides a setting. */
  serveEnv: [{}, { scope: 'worker', option: true }],
  /** Backups of a "shop" profile written into the catalogue before serve starts (test/support/seeded-home.ts): a list at scale. */
  seededBackups: [0, { scope: 'worker', option: true }],
  /** The database those seeded backups are of: a hostile name tests how the pages show catalogue strings. */
  seededDatabase: ['shop', { scope: 'worker', option: true }],
  holdfast: [
    async ({ world: _world, serveArgs, homeEnv, serveEnv, seededBackups, seededDatabase }, use) => {
      mkdirSync(screenshotDir, { recursive: true });
      const pg = await startPgServer();
      const home = makeHome(homeEnv);
      let child: ChildProcess | undefined;
      try {
        await seedDatabase(pg, 'shop', SHOP_ROWS);
        seedBackups(home, seededBackups, { database: seededDatabase });
        const served = await startServe(home, serveArgs, serveEnv);
        child = served.child;
        await use({ url: served.url, pg, home });
      } finally {
        if (child) await stop(child);
        home.cleanup();
        await pg.stop();
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

export { expect };

/**
 * Console errors and uncaught exceptions of a page, CSP violations among them (Chromium reports a
 * blocked inline style or script as a console error naming the Content Security Policy).
 */
export function watchConsole(page: Page): { errors: string[] } {
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return { errors };
}

/**
 * The page's requests in flight, so a test can wait until the page has its data before a screenshot.
 * Playwright's `networkidle` waits for 500 ms without a request and, when it never comes, says only
 * that it timed out; this names the requests still open.
 */
export function watchRequests(page: Page): { settled(timeoutMs?: number): Promise<void> } {
  const open = new Set<Request>();
  page.on('request', (request) => open.add(request));
  page.on('requestfinished', (request) => open.delete(request));
  page.on('requestfailed', (request) => open.delete(request));
  return {
    async settled(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (open.size > 0) {
        if (Date.now() > deadline) throw new Error(`requests still open after ${timeoutMs} ms: ${[...open].map((request) => `${request.method()} ${request.url()}`).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** The sizes and schemes every new page and dialog is photographed in (issue 17). */
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
] as const;

/** `<name>-<scheme>-<width>x<height>.png` for light and dark at 1440×900 and 1024×700; the page is left light at 1440×900. */
export async function screenshotEverySize(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await page.screenshot({ path: join(screenshotDir, `${name}-${scheme}-${size.width}x${size.height}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES[0]);
}
