import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions } from 'electron';
import { describe, expect, test } from 'vitest';
import { channelsFromArgv } from '../../preload/channels.ts';
import { contract } from '../contract.ts';
import { APP_ENTRY } from './app-origin.ts';
import { closeToTray } from './close-behavior.ts';
import { claimSingleInstance } from './single-instance.ts';
import { createMainWindow, showWindow } from './window.ts';

/** A stand-in for BrowserWindow: records what it was built with and what was done to it. */
class FakeWindow extends EventEmitter {
  static created: FakeWindow[] = [];
  readonly calls: string[] = [];
  loaded: string | undefined;
  minimized = false;
  visible = false;
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    FakeWindow.created.push(this);
  }
  async loadURL(url: string) {
    this.loaded = url;
  }
  show() {
    this.visible = true;
    this.calls.push('show');
  }
  hide() {
    this.visible = false;
    this.calls.push('hide');
  }
  focus() {
    this.calls.push('focus');
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
    this.calls.push('restore');
  }
  isDestroyed() {
    return false;
  }
  /** Emits 'close' like Electron; true when a listener prevented it. */
  close(): boolean {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    return prevented;
  }
}

describe('createMainWindow', () => {
  test('isolated, sandboxed, no Node, web security on, our preload, loading only holdfast://app/', () => {
    const window = createMainWindow(FakeWindow, { preload: '/app/dist/electron/preload.cjs', icon: '/app/icon.png', show: true });
    const prefs = window.options.webPreferences!;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/dist/electron/preload.cjs',
    });
    expect(window.options.show).toBe(false);
    expect(window.loaded).toBe(APP_ENTRY);
    expect(APP_ENTRY.startsWith('holdfast://app/')).toBe(true);
  });

  test("the preload is handed exactly the contract's channels", () => {
    const window = createMainWindow(FakeWindow, { preload: '/p.cjs', show: true });
    const argv = ['/opt/Holdfast/holdfast', '--type=renderer', ...(window.options.webPreferences!.additionalArguments ?? [])];
    expect(channelsFromArgv(argv)).toEqual(Object.keys(contract));
  });

  test('shown when its first paint is ready, unless started hidden (at login)', () => {
    const shown = createMainWindow(FakeWindow, { preload: '/p.cjs', show: true });
    expect(shown.visible).toBe(false);
    shown.emit('ready-to-show');
    expect(shown.visible).toBe(true);
    const hidden = createMainWindow(FakeWindow, { preload: '/p.cjs', show: false });
    hidden.emit('ready-to-show');
    expect(hidden.visible).toBe(false);
  });

  test('showWindow restores a minimized window and focuses it', () => {
    const window = createMainWindow(FakeWindow, { preload: '/p.cjs', show: false });
    window.minimized = true;
    showWindow(window);
    expect(window.calls).toEqual(['restore', 'show', 'focus']);
  });
});

describe('closeToTray', () => {
  test('closing hides the window; after before-quit it really closes', () => {
    const app = new EventEmitter();
    const window = new FakeWindow({});
    window.show();
    const behavior = closeToTray(window, app);
    expect(window.close()).toBe(true);
    expect(window.visible).toBe(false);
    expect(behavior.quitting).toBe(false);
    app.emit('before-quit');
    expect(behavior.quitting).toBe(true);
    expect(window.close()).toBe(false);
  });
});

describe('claimSingleInstance', () => {
  const fakeApp = (gotLock: boolean) => {
    const app = Object.assign(new EventEmitter(), { quitCalled: false, requestSingleInstanceLock: () => gotLock, quit: () => (app.quitCalled = true) });
    return app;
  };

  test('the first instance keeps running and focuses its window when launched again', () => {
    const app = fakeApp(true);
    let focused = 0;
    expect(claimSingleInstance(app, () => (focused += 1))).toBe(true);
    app.emit('second-instance', {}, ['holdfast'], '/');
    expect(focused).toBe(1);
    expect(app.quitCalled).toBe(false);
  });

  test('a second instance quits', () => {
    const app = fakeApp(false);
    expect(claimSingleInstance(app, () => {})).toBe(false);
    expect(app.quitCalled).toBe(true);
  });
});
