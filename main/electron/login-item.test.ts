import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { autostartEntry, autostartFile, HIDDEN_FLAG, loginItem } from './login-item.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const electronApp = () => {
  const app = {
    settings: { openAtLogin: false } as { openAtLogin: boolean; args?: string[] },
    getLoginItemSettings: () => ({ openAtLogin: app.settings.openAtLogin }),
    setLoginItemSettings: (settings: { openAtLogin: boolean; args?: string[] }) => (app.settings = settings),
  };
  return app;
};

describe('loginItem', () => {
  test('Linux: an XDG autostart entry that starts the app hidden', () => {
    const config = mkdtempSync(join(tmpdir(), 'holdfast-xdg-'));
    dirs.push(config);
    const env = { XDG_CONFIG_HOME: config };
    const item = loginItem(electronApp(), { platform: 'linux', command: ['/opt/Holdfast/Holdfast App.AppImage'], env });
    expect(item.isEnabled()).toBe(false);
    item.setEnabled(true);
    expect(item.isEnabled()).toBe(true);
    const entry = readFileSync(autostartFile(env), 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain(`Exec="/opt/Holdfast/Holdfast App.AppImage" ${HIDDEN_FLAG}`);
    item.setEnabled(false);
    expect(item.isEnabled()).toBe(false);
  });

  test('Exec quoting keeps shell-like characters literal', () => {
    expect(autostartEntry(['/home/a$b/electron', '/home/"x"/app', '100%'])).toContain('Exec="/home/a\\$b/electron" "/home/\\"x\\"/app" "100%%" --hidden');
  });

  test('macOS and Windows: app.setLoginItemSettings with --hidden', () => {
    const app = electronApp();
    const item = loginItem(app, { platform: 'win32', command: ['C:\\Holdfast\\Holdfast.exe'] });
    item.setEnabled(true);
    expect(app.settings).toEqual({ openAtLogin: true, args: [HIDDEN_FLAG] });
    expect(item.isEnabled()).toBe(true);
  });
});
