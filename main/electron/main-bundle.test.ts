// The bundled main process (dist/electron/main.mjs), run under Node against a stand-in 'electron'
// module (testing/fake-electron.mjs; the Electron binary cannot be downloaded here): it wires the
// hardening, the window, IPC to a real engine, the protocol and the tray, and quits cleanly.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { contract } from '../contract.ts';

const root = join(import.meta.dirname, '..', '..');

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'build', 'bundle-electron.mjs')], { cwd: root, stdio: 'pipe' });
}, 60_000);

describe('the desktop bundles', () => {
  test('the preload requires nothing but electron', () => {
    const preload = readFileSync(join(root, 'dist', 'electron', 'preload.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((match) => match[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preload).not.toContain('zod');
  });

  test('main starts hardened, serves the contract to its own page only, and quits cleanly', () => {
    const home = mkdtempSync(join(tmpdir(), 'holdfast-bundle-'));
    try {
      const run = spawnSync(process.execPath, ['--import', './main/electron/testing/register.mjs', 'main/electron/testing/drive-main.mjs', join(root, 'dist', 'electron', 'main.mjs')], {
        cwd: root,
        env: { ...process.env, HOLDFAST_HOME: home },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.sandboxEnabled).toBe(true);
      expect(report.privilegedSchemes).toEqual([{ scheme: 'holdfast', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
      expect(report.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, preload: 'electron/preload.cjs' });
      expect(report.loadedUrl).toBe('holdfast://app/index.html');
      expect(report.guards).toEqual({ windowOpen: 'function', willNavigate: 1, permissionRequest: 'function' });
      expect(report.ipcChannels).toBe(Object.keys(contract).length);
      expect(report.ipcListeners).toEqual(['holdfast:cancel']);
      expect(report.fromApp).toEqual({ ok: true, value: [] });
      expect(report.fromForeign).toEqual({ rejected: expect.stringContaining('Refused') });
      expect(report.traversal.body).not.toContain('"name": "holdfast"');
      expect(report.download).toEqual({ status: 404, body: { success: false, error: expect.objectContaining({ code: 'NOT_FOUND' }) } });
      expect(report.saveOptions).toEqual({ title: 'Save backup', defaultPath: '/fake/downloads/backup-x.dump', buttonLabel: 'Save' });
      expect(report.tray).toMatchObject({ icon: 'tray-ok.png', menu: expect.arrayContaining(['backup-now', 'open', 'pause-schedules', 'start-at-login', 'quit']) });
      expect(report.closeHides).toBe(true);
      expect(report.afterQuit).toEqual({ ipcHandlers: 0, trayDestroyed: true, closeAllowed: true, errors: [] });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
