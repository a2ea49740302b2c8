// "Start at login". macOS and Windows have Electron's app.setLoginItemSettings; Linux has no such API
// in Electron, so there it is an XDG autostart entry (~/.config/autostart/holdfast.desktop), which
// GNOME, KDE, Xfce and most other desktops honour. Either way the app starts hidden, in the tray.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const HIDDEN_FLAG = '--hidden';

export interface LoginItemApp {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
}

export interface LoginItem {
  isEnabled(): boolean;
  setEnabled(enabled: boolean): void;
}

export interface LoginItemOptions {
  platform: NodeJS.Platform;
  /** The command that starts this app: the AppImage, the installed binary, or electron + the app dir. */
  command: string[];
  env?: NodeJS.ProcessEnv;
}

export function autostartFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'autostart', 'holdfast.desktop');
}

/** Quoting for a desktop entry's Exec key (freedesktop Desktop Entry Specification). */
function execArgument(arg: string): string {
  return /^[A-Za-z0-9_./:=+-]+$/.test(arg) ? arg : `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartEntry(command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Holdfast',
    'Comment=Scheduled PostgreSQL backups',
    `Exec=${[...command, HIDDEN_FLAG].map(execArgument).join(' ').replace(/%/g, '%%')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function loginItem(app: LoginItemApp, options: LoginItemOptions): LoginItem {
  if (options.platform === 'linux') {
    const file = autostartFile(options.env);
    return {
      isEnabled: () => existsSync(file) && readFileSync(file, 'utf8').includes('Name=Holdfast'),
      setEnabled(enabled) {
        if (!enabled) {
          rmSync(file, { force: true });
          return;
        }
        mkdirSync(join(file, '..'), { recursive: true });
        writeFileSync(file, autostartEntry(options.command), { mode: 0o644 });
      },
    };
  }
  return {
    isEnabled: () => app.getLoginItemSettings().openAtLogin,
    setEnabled: (enabled) => app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_FLAG] }),
  };
}
