#!/usr/bin/env node
// `npm start`: the desktop app where Electron's binary is installed; otherwise (CI, or npm ci with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1) the same UI from `holdfast serve` in the default browser.
// When the Holdfast home in effect has no connection profiles, the UI runs on a demo (bin/start-demo.ts):
// a throwaway PostgreSQL 15 and a temporary HOLDFAST_HOME, removed when the UI ends.
//   npm start -- --no-open    serve without opening a browser (headless machines)
//   npm start -- --no-demo    no demo, even with nothing configured
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

/** The Electron executable, when the electron package's binary was downloaded. */
function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    // No path.txt: the binary download was skipped or failed.
    return undefined;
  }
}

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** Best effort: the platform's "open this URL" command, detached; the URL is printed either way. */
function openBrowser(url) {
  const [command, commandArgs] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    process.stderr.write('start: no display; open the URL above in a browser.\n');
    return;
  }
  const child = spawn(command, commandArgs, { detached: true, stdio: 'ignore', windowsVerbatimArguments: process.platform === 'win32' });
  child.on('error', () => process.stderr.write(`start: could not run ${command}; open the URL above in a browser.\n`));
  child.unref();
}

// Before the UI runs, a signal stops the demo's start-up (which removes what it made); after, it goes
// to the UI, whose exit stops the demo and ends this process.
const interrupted = new AbortController();
let ui;
let demo;
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => (ui ? ui.kill(signal) : interrupted.abort(signal)));

async function exitAfterDemo(code) {
  await demo?.stop();
  process.exit(code);
}

function runUi(child) {
  ui = child;
  child.on('exit', (code, signal) => void exitAfterDemo(code ?? (signal ? 1 : 0)));
}

/** The demo when nothing is configured and --no-demo was not given; undefined otherwise. */
async function demoIfUnconfigured() {
  if (args.includes('--no-demo')) return undefined;
  const { register } = await import('tsx/esm/api');
  register();
  const { hasProfiles, startDemo } = await import('./start-demo.ts');
  return hasProfiles() ? undefined : startDemo(interrupted.signal);
}

const electron = electronBinary();
// Built before the demo starts, so a failed build leaves nothing to clean up. For the browser too, the
// CLI bundle and the UI are built once up front when missing (a checkout whose node_modules came
// without npm ci): without them serve started through tsx, 6.5–7.5 s here, with no UI to serve.
if (electron) run(process.execPath, [join(root, 'build', 'bundle-electron.mjs')]);
if (!existsSync(join(root, 'dist', 'cli.mjs'))) run(process.execPath, [join(root, 'build', 'bundle-cli.mjs')]);
if (!existsSync(join(root, 'dist', 'renderer', 'index.html'))) run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:renderer']);
try {
  demo = await demoIfUnconfigured();
} catch (error) {
  if (interrupted.signal.aborted) process.exit(128 + constants.signals[interrupted.signal.reason]);
  process.stderr.write(`start: the demo could not start: ${error?.message ?? error}\n${error?.hint ? `hint: ${error.hint}\n` : ''}To start without it: npm start -- --no-demo\n`);
  process.exit(1);
}
if (interrupted.signal.aborted) await exitAfterDemo(128 + constants.signals[interrupted.signal.reason]);

if (electron) {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(electron, [root, ...args.filter((arg) => arg !== '--no-open' && arg !== '--no-demo')], { cwd: root, stdio: 'inherit', env });
  child.on('exit', (code) => {
    if (code) {
      process.stderr.write(
        'start: Electron exited with an error. If it says a module "was compiled against a different Node.js version", rebuild the\n' +
          'native modules for Electron with `npx electron-builder install-app-deps` (and `npm rebuild` before using the CLI or tests with Node again).\n',
      );
    }
  });
  runUi(child);
} else {
  process.stderr.write(
    "start: Electron's binary is not installed here (npm ci ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or its download failed),\n" +
      'so the same UI runs from `holdfast serve` in your browser. For the desktop app: `node node_modules/electron/install.js`, then `npm start`.\n',
  );
  const child = spawn(process.execPath, [join(root, 'bin', 'holdfast.mjs'), 'serve'], { cwd: root, stdio: ['inherit', 'pipe', 'inherit'] });
  let opened = args.includes('--no-open');
  let pending = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    pending += chunk.toString();
    const url = /Holdfast UI: (\S+)/.exec(pending)?.[1];
    if (url && !opened) {
      opened = true;
      openBrowser(url);
    }
  });
  runUi(child);
}
