// The one window: sandboxed, isolated, no Node, loading only holdfast://app/. It is created hidden and
// shown when its first paint is ready (or not at all when started at login with --hidden).
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import { contract } from '../contract.ts';
import { channelsArgument } from '../../preload/channels.ts';
import { APP_ENTRY } from './app-origin.ts';

export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  spellcheck: false,
} as const satisfies WebPreferences;

export function mainWindowOptions(paths: { preload: string; icon?: string | undefined }): BrowserWindowConstructorOptions {
  return {
    title: 'Holdfast',
    width: 1200,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    show: false,
    ...(paths.icon ? { icon: paths.icon } : {}),
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: paths.preload, additionalArguments: [channelsArgument(Object.keys(contract))] },
  };
}

/** The parts of BrowserWindow the app uses. */
export interface AppWindow {
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): unknown;
  show(): void;
  focus(): void;
  isMinimized(): boolean;
  restore(): void;
  isDestroyed(): boolean;
}

export interface MainWindowSettings {
  preload: string;
  icon?: string | undefined;
  /** False when started at login: the app lives in the tray until opened. */
  show: boolean;
  log?: (message: string) => void;
}

export function createMainWindow<W extends AppWindow>(BrowserWindowCtor: new (options: BrowserWindowConstructorOptions) => W, settings: MainWindowSettings): W {
  const window = new BrowserWindowCtor(mainWindowOptions(settings));
  if (settings.show) window.once('ready-to-show', () => window.show());
  window.loadURL(APP_ENTRY).catch((error: unknown) => settings.log?.(`could not load ${APP_ENTRY}: ${(error as Error).message}`));
  return window;
}

/** Brings the window to the front, from the tray, a notification or a second launch. */
export function showWindow(window: AppWindow): void {
  if (window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
