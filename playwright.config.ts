// End-to-end tests: the built renderer in Debian's Chromium (no browser download; the machine may
// have no internet), served by a real `holdfast serve` over a real PostgreSQL. test/e2e also holds the
// Electron shell's spec, which skips itself where no Electron binary is installed.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  // One worker: the suites start their own servers, and the machine has two cores.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  // Screenshots the specs take go to test-results/screenshots; this folder is Playwright's own.
  outputDir: 'test-results/playwright',
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.HOLDFAST_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
