// The desktop app end to end with Playwright's Electron driver: the window opens on holdfast://app/,
// the page has window.holdfast and no Node, the Overview renders, the contract answers over IPC, and
// closing the window hides it to the tray. Runs where Electron's binary is installed; elsewhere (CI and
// this repository's machines install with ELECTRON_SKIP_BINARY_DOWNLOAD=1) it skips, saying why.
// Electron loads better-sqlite3 and keytar with its own ABI: run `npx electron-builder install-app-deps`
// before this spec on a machine with the binary (and `npm rebuild` before using Node again).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { cleanEnv } from '../support/clean-env.ts';

const projectRoot = join(import.meta.dirname, '..', '..');

/** The Electron executable the electron package points at, if it was downloaded. */
function electronBinary(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
const SKIP_REASON = "Electron's binary is not installed (npm ci ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1); `node node_modules/electron/install.js` installs it";
// The list reporter shows skips without their reason; say it once where a person reads it.
if (!binary && !process.env.TEST_WORKER_INDEX) process.stderr.write(`test/e2e/electron.spec.ts: skipped: ${SKIP_REASON}\n`);

test.describe('the desktop app (Electron)', () => {
  test.skip(!binary, SKIP_REASON);
  test.describe.configure({ mode: 'serial' });

  let app: ElectronApplication;
  let page: Page;
  let home: string;

  test.beforeAll(async () => {
    execFileSync(process.execPath, [join(projectRoot, 'build', 'bundle-electron.mjs')], { cwd: projectRoot });
    if (!existsSync(join(projectRoot, 'dist', 'renderer', 'index.html'))) execFileSync('npm', ['run', 'build:renderer'], { cwd: projectRoot });
    home = mkdtempSync(join(tmpdir(), 'holdfast-electron-e2e-'));
    // Chromium refuses to start as root without --no-sandbox (the OS sandbox; the renderer stays sandboxed).
    const args = [projectRoot, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
    app = await electron.launch({
      executablePath: binary!,
      args,
      cwd: projectRoot,
      env: cleanEnv({ HOLDFAST_HOME: home, DISPLAY: process.env.DISPLAY, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY, XAUTHORITY: process.env.XAUTHORITY }),
    });
    page = await app.firstWindow();
  });

  test.afterAll(async () => {
    await app?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test('the window loads the app from holdfast://app/ with only window.holdfast exposed', async () => {
    await expect(page).toHaveURL(/^holdfast:\/\/app\//);
    expect(await page.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process])).toEqual(['undefined', 'undefined']);
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as { holdfast: object }).holdfast).sort())).toEqual(['cancel', 'channels', 'onProgress']);
  });

  test('the Overview renders', async () => {
    // An empty install greets with the first step; the navigation is there either way.
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'No connections yet' })).toBeVisible();
  });

  test('the contract answers over IPC: profile.list', async () => {
    const listed = await page.evaluate(() => (globalThis as unknown as { holdfast: { channels: Record<string, (input: unknown) => Promise<unknown>> } }).holdfast.channels['profile.list']!({}));
    expect(listed).toEqual({ ok: true, value: [] });
  });

  test('closing the window hides it; the app keeps running in the tray', async () => {
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((window) => window.isVisible()))).toEqual([false]);
  });
});
