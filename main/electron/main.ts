// The Electron main process: the same engine as the CLI (Holdfast.open(loadConfig())), its scheduler
// ticking here, the contract over IPC, a tray, one window. Kept thin: the logic is in the modules
// beside it, which take their Electron objects as parameters and have specs.
import './harden.ts';
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, powerMonitor, protocol, session, Tray } from 'electron';
import { loadConfig } from '../core/config/config.ts';
import { toErrorInfo } from '../core/model/errors.ts';
import { Holdfast } from '../core/holdfast.ts';
import { registerAppProtocol } from './app-protocol.ts';
import { downloadRequest, saveDialogOptions, serveBackupDownload } from './backup-download.ts';
import { closeToTray } from './close-behavior.ts';
import { Desktop, type Notice } from './desktop.ts';
import { settingsStore } from './desktop-settings.ts';
import { registerIpc } from './ipc.ts';
import { HIDDEN_FLAG, loginItem } from './login-item.ts';
import { claimSingleInstance } from './single-instance.ts';
import { TrayView } from './tray.ts';
import type { TrayActions } from './tray-model.ts';
import { createMainWindow, showWindow } from './window.ts';

/** Built layout: dist/electron/{main.mjs,preload.cjs,icons/} and dist/renderer/. */
const here = import.meta.dirname;
const paths = {
  preload: join(here, 'preload.cjs'),
  renderer: join(here, '..', 'renderer'),
  icons: join(here, 'icons'),
};
/** On quit, running backups and calls get this long to finish before they are cancelled. */
const QUIT_GRACE_MS = 15_000;

let window: BrowserWindow | undefined;
/** Set once the engine and IPC are up; before that a second launch has nothing to show yet. */
let started = false;

function stderr(message: string): void {
  process.stderr.write(`holdfast: ${message}\n`);
}

function openWindow(): void {
  if (!started) return;
  if (window && !window.isDestroyed()) showWindow(window);
  else window = makeWindow(true);
}

function makeWindow(show: boolean): BrowserWindow {
  const created = createMainWindow(BrowserWindow, { preload: paths.preload, icon: join(paths.icons, 'icon.png'), show, log: stderr });
  closeToTray(created, app);
  return created;
}

function notify(notice: Notice): void {
  if (!Notification.isSupported()) return;
  const notification = new Notification({ title: notice.title, body: notice.body, icon: join(paths.icons, 'icon.png') });
  notification.on('click', openWindow);
  notification.show();
}

/** What starts this app again, for the login item: the AppImage, the installed binary, or electron + the app dir. */
function launchCommand(): string[] {
  if (app.isPackaged) return [process.env.APPIMAGE ?? process.execPath];
  return [process.execPath, app.getAppPath()];
}

async function start(): Promise<void> {
  await app.whenReady();
  if (process.platform === 'win32') app.setAppUserModelId('dev.holdfast.app');
  let holdfast: Holdfast | undefined;
  // A backup's Download link: streamed from the engine; Electron's download manager asks where to save it.
  registerAppProtocol(protocol, paths.renderer, (url) => {
    const wanted = downloadRequest(url);
    return wanted && holdfast ? serveBackupDownload(holdfast, wanted) : undefined;
  });
  session.defaultSession.on('will-download', (_event, item) => item.setSaveDialogOptions(saveDialogOptions(item.getFilename(), app.getPath('downloads'))));

  try {
    holdfast = (await Holdfast.open(loadConfig())).holdfast;
  } catch (error) {
    const info = toErrorInfo(error);
    dialog.showErrorBox('Holdfast cannot start', info.hint ? `${info.message}\n\n${info.hint}` : info.message);
    app.exit(1);
    return;
  }
  const log = (message: string) => {
    stderr(message);
    holdfast.logger.log('info', `desktop: ${message}`);
  };

  let tray: TrayView<Electron.Menu | null> | undefined;
  const desktop = await Desktop.start({
    holdfast,
    settings: settingsStore(holdfast.config.home, log),
    loginItem: loginItem(app, { platform: process.platform, command: launchCommand() }),
    notify,
    onState: (state) => tray?.update(state),
    log,
  });
  const ipc = registerIpc(ipcMain, holdfast, { log });
  const actions: TrayActions = {
    backupNow: (profile) => void desktop.backupNow(profile),
    openWindow,
    setSchedulesPaused: (paused) => void desktop.setSchedulesPaused(paused),
    setStartAtLogin: (enabled) => desktop.setStartAtLogin(enabled),
    quit: () => app.quit(),
  };
  tray = new TrayView({ createTray: (icon) => new Tray(icon), buildMenu: (template) => Menu.buildFromTemplate(template) }, paths.icons, actions, desktop.state());

  const startedAtLogin = process.argv.includes(HIDDEN_FLAG) || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
  window = makeWindow(!startedAtLogin);
  started = true;

  powerMonitor.on('resume', () => desktop.resumed());
  // macOS: clicking the Dock icon reopens the window.
  app.on('activate', openWindow);
  // The window only closes when quitting (close-behavior.ts); the tray keeps the app alive otherwise.
  app.on('window-all-closed', () => {});

  let shutdown: 'no' | 'running' | 'done' = 'no';
  app.on('before-quit', (event) => {
    if (shutdown === 'done') return;
    event.preventDefault();
    if (shutdown === 'running') return;
    shutdown = 'running';
    log('quitting: no new backups; waiting for running ones');
    void Promise.all([desktop.stop(QUIT_GRACE_MS), ipc.settle(QUIT_GRACE_MS)])
      .then(([scheduled, calls]) => log(`stopped: ${scheduled.finished} scheduled finished, ${scheduled.interrupted} interrupted; window calls ${calls}`))
      .catch((error: unknown) => log(`stopping failed: ${(error as Error).message}`))
      .finally(() => {
        ipc.dispose();
        tray?.destroy();
        holdfast.close();
        shutdown = 'done';
        app.quit();
      });
  });
}

if (claimSingleInstance(app, openWindow)) {
  start().catch((error: unknown) => {
    stderr(`could not start: ${(error as Error).stack ?? String(error)}`);
    app.exit(1);
  });
}
